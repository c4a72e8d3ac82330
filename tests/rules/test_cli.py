"""``innoregion ladder``: evaluate, next, counts, benefits, packs (pure: no database)."""

import json

import polars as pl
from click.testing import CliRunner
from openpyxl import load_workbook

from innoregion.cli.ladder import command

from .helpers import TECH_SME_OK, frame


def facts_csv(tmp_path):
    df = frame([TECH_SME_OK, dict(TECH_SME_OK, employees=600),
                dict(TECH_SME_OK, hnte_certified=1, hnte_recognised_year=2025, hnte_first_year=2025)])
    df = df.with_columns(pl.Series("year", [2024, 2024, 2025], dtype=pl.Int32))
    path = tmp_path / "facts.csv"
    df.write_csv(path)
    return path


def test_packs_lists_versions_and_citations():
    res = CliRunner().invoke(command, ["packs", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {(d["id"], d["version"]) for d in data} >= {("little_giant", "2022"), ("little_giant", "2025")}
    assert all(d["citation"]["document"] for d in data)


def test_evaluate_writes_outcomes(tmp_path):
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(command, ["evaluate", "--facts", str(facts_csv(tmp_path)), "--out", str(out),
                                       "--packs", "tech_sme", "--year", "2024", "--lang", "en", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    df = pl.read_csv(out).sort("credit_code")
    assert df.get_column("outcome").to_list() == ["met", "not_met"]
    assert "Employees 600; needs ≤ 500" in df.get_column("gaps_en")[1]
    assert "职工总数" in df.get_column("gaps_zh")[1]


def test_evaluate_param_override_and_bad_param(tmp_path):
    path = facts_csv(tmp_path)
    res = CliRunner().invoke(command, ["evaluate", "--facts", str(path), "--out", str(tmp_path / "o.csv"),
                                       "--packs", "gazelle_torch", "--param", "gazelle_torch.max_age=15"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(command, ["evaluate", "--facts", str(path), "--out", str(tmp_path / "o.csv"),
                                       "--param", "gazelle_torch.nope=1"])
    assert res.exit_code != 0 and "no such parameter" in res.output


def test_next_and_counts(tmp_path):
    path = facts_csv(tmp_path)
    res = CliRunner().invoke(command, ["next", "--facts", str(path), "--out", str(tmp_path / "n.csv")])
    assert res.exit_code == 0, res.output
    n = pl.read_csv(tmp_path / "n.csv")
    assert n.height == 3 and "next_step" in n.columns
    res = CliRunner().invoke(command, ["counts", "--facts", str(path)])
    assert res.exit_code == 0 and "target 1201 by 2027" in res.output


def test_benefits_xlsx_and_run_record(tmp_path):
    out = tmp_path / "grants.xlsx"
    res = CliRunner().invoke(command, ["benefits", "--facts", str(facts_csv(tmp_path)), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    rows = list(wb["Grants"].iter_rows(values_only=True))
    assert rows[0][:3] == ("credit_code", "year", "measure") and rows[1][2] == "hnte_first"
    rec = json.loads(out.with_suffix(".run.json").read_text())
    assert len(rec["inputs_sha256"]["facts.csv"]) == 64
    assert "tech_sme@2017" in rec["pack_versions"] and rec["paid_total"] == 100_000


def test_evaluate_assume_absent_catalogue(tmp_path):
    df = frame([dict(TECH_SME_OK, abnormal_operation=None)]).with_columns(pl.lit(2024, pl.Int32).alias("year"))
    path = tmp_path / "facts.csv"
    df.write_csv(path)
    out = tmp_path / "o.csv"
    for extra, expected in (([], "unknown"), (["--assume-absent", "catalogue"], "met")):
        res = CliRunner().invoke(command, ["evaluate", "--facts", str(path), "--out", str(out), "--packs", "tech_sme",
                                           "--brief", *extra])
        assert res.exit_code == 0, res.output
        assert pl.read_csv(out)["outcome"].to_list() == [expected]
