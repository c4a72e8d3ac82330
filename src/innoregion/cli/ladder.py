"""``innoregion ladder``: rule packs, the cultivation ladder and benefits without application.

Pure commands (no Django): ``evaluate``, ``next``, ``counts``, ``benefits``, ``packs``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click


def _read_facts(path: str):
    import polars as pl

    return pl.read_csv(path, infer_schema_length=10000, null_values=["", "NA", "null"])


def _packs(ids: tuple[str, ...], params: tuple[str, ...]):
    from innoregion.engines.rules import load_packs

    wanted = [x.strip() for v in ids for x in v.split(",") if x.strip()]
    packs = load_packs(ids=wanted or None)
    overrides: dict[str, dict[str, float]] = {}
    for p in params:
        key, _, value = p.partition("=")
        pid, _, name = key.partition(".")
        if not name or not value:
            raise click.BadParameter(f"expected PACK.PARAM=VALUE, got {p!r}", param_hint="--param")
        overrides.setdefault(pid, {})[name] = float(value)
    return [p.with_params(overrides[p.id]) if p.id in overrides else p for p in packs]


@click.group(name="ladder")
def command() -> None:
    """Rule packs (who qualifies, why, what is missing), the ladder and benefits."""


@command.command("packs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def packs_cmd(as_json: bool) -> None:
    """List the shipped rule packs with their versions, validity and citations."""
    from innoregion.engines.rules import load_packs

    packs = load_packs()
    if as_json:
        click.echo(json.dumps([{"id": p.id, "version": p.version, "valid_from": p.valid_from,
                                "valid_to": p.valid_to, "source": p.source, "name": p.name,
                                "citation": p.citation, "weak_items": p.weak_items} for p in packs],
                              ensure_ascii=False, indent=2))
        return
    for p in packs:
        span = f"{p.valid_from}–{p.valid_to or ''}"
        weak = " [weak]" if p.source == "weak" or p.weak_items else ""
        click.echo(f"{p.id}@{p.version}  {span}  {p.name['en']} / {p.name['zh']}{weak}")
        click.echo(f"    {p.citation['document']}")
        for w in p.weak_items:
            click.echo(f"    weak: {w}")


@command.command("evaluate")
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--packs", "pack_ids", multiple=True, help="Pack ids (repeatable or comma-separated); default all.")
@click.option("--year", type=int, default=None, help="Only this year.")
@click.option("--lang", type=click.Choice(["zh", "ko", "en"]), multiple=True, default=("en",),
              help="Languages of the gap texts (repeatable).")
@click.option("--param", "params", multiple=True, help="Override a pack parameter: PACK.PARAM=VALUE.")
@click.option("--brief", is_flag=True, help="Outcomes only, without gap texts and details (faster).")
@click.option("--assume-absent", "absent", multiple=True,
              help="Facts column where an empty value means 0 (a complete list was loaded); repeatable. "
                   "'catalogue' stands for the catalogue's list-derived indicators (absent_means: 0).")
def evaluate_cmd(facts_path, out_path, pack_ids, year, lang, params, brief, absent) -> None:
    """Evaluate rule packs over a facts CSV; write one row per enterprise-year and pack."""
    from innoregion.engines.rules import PackError, catalogue_lists, evaluate

    absent = tuple(c for a in absent for c in (catalogue_lists() if a == "catalogue" else (a,)))
    try:
        packs = _packs(pack_ids, params)
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        out = evaluate(_read_facts(facts_path), packs, year=year, explain=not brief, langs=tuple(lang),
                       assume_absent=absent)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    out.write_csv(out_path)
    counts = out.group_by("pack", "outcome").len().sort("pack", "outcome")
    for row in counts.iter_rows():
        click.echo(f"{row[0]:<20} {row[1]:<15} {row[2]}")
    click.echo(f"wrote {out.height} rows to {out_path}")


@command.command("next")
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--year", type=int, default=None)
@click.option("--lang", type=click.Choice(["zh", "ko", "en"]), default="en")
def next_cmd(facts_path, out_path, year, lang) -> None:
    """Each enterprise's current rungs and next step (nearest pack not met, with its gaps)."""
    import polars as pl

    from innoregion.engines.rules import evaluate, ladder_status, load_ladder, load_packs

    ladder = load_ladder()
    packs = [p for p in load_packs() if p.id in ladder.packs]
    out = evaluate(_read_facts(facts_path), packs, year=year, explain=True, langs=(lang,))
    st = ladder_status(out, ladder, lang).with_columns(
        pl.col(c).list.join(", ") for c in ("rungs", "side_tracks", "candidates"))
    st.write_csv(out_path)
    click.echo(f"wrote {st.height} rows to {out_path}")


@command.command("counts")
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False))
def counts_cmd(facts_path) -> None:
    """Region counts per rung and year against the targets."""
    from innoregion.engines.rules import evaluate, load_ladder, load_packs, region_counts

    ladder = load_ladder()
    packs = [p for p in load_packs() if p.id in ladder.packs]
    counts = region_counts(evaluate(_read_facts(facts_path), packs), ladder)
    for r in counts.iter_rows(named=True):
        tgt = f" target {r['target']} by {r['target_year']} ({r['to_target']} to go)" if r["target"] else ""
        click.echo(f"{r['year']} {r['pack']:<18} met {r['met']:>6}  open {r['open']:>6}{tgt}")


@command.command("benefits")
@click.option("--facts", "facts_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Policy pack YAML; default the Changchun New Area 2025 measures.")
@click.option("--year", type=int, default=None, help="Year of the grants; default the policy's year.")
@click.option("--budget", type=float, default=None, help="Override the policy's total budget (CNY).")
@click.option("--overflow", type=click.Choice(["pro_rata", "priority"]), default=None)
def benefits_cmd(facts_path, out_path, policy_path, year, budget, overflow) -> None:
    """Grants without application: eligible enterprises, amounts, budget; XLSX + run record JSON."""
    from innoregion.engines.rules import (
        evaluate,
        evaluate_benefits,
        file_sha256,
        load_packs,
        load_policy,
        run_record,
        write_xlsx,
    )
    from innoregion.version import code_version

    started = dt.datetime.now(dt.UTC)
    packs = load_packs()
    policy = load_policy(policy_path, sorted({p.id for p in packs}))
    if budget is not None:
        policy.budget = budget
    if overflow is not None:
        policy.overflow = overflow
    facts = _read_facts(facts_path)
    yr = year or policy.year
    outcomes = evaluate(facts, packs, year=yr)
    grants = evaluate_benefits(facts, policy, outcomes, yr)
    inputs = {Path(facts_path).name: file_sha256(facts_path)}
    if policy_path:
        inputs[Path(policy_path).name] = file_sha256(policy_path)
    record = run_record(policy, grants, inputs, packs, started, code_version())
    write_xlsx(out_path, grants, record)
    Path(out_path).with_suffix(".run.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    click.echo(f"{record['grants']} grants to {record['enterprises']} enterprises; requested "
               f"¥{record['requested_total']:,.0f}, paid ¥{record['paid_total']:,.0f} of ¥{policy.budget:,.0f}"
               f" ({policy.overflow}); {record['pending']} pending")
    click.echo(f"wrote {out_path} and {Path(out_path).with_suffix('.run.json')}")
