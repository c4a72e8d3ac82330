"""Generates docs/rules/facts.md from FACT_COLUMNS and the packs that read each column.

    .venv/bin/python -m innoregion.engines.rules.docs > docs/rules/facts.md
"""

from __future__ import annotations

from .evaluate import plan_for
from .facts import FACT_COLUMNS, LAGS, catalogue_lists
from .spec import load_packs

HEADER = """# The facts table

One row per enterprise and year (`credit_code`, `year`), flat numeric columns. Built from the long
filings table (credit_code, year, indicator, value) and the enterprise register by
`innoregion.engines.rules.build_facts`; any table with these columns can be evaluated
(`innoregion ladder evaluate --facts FACTS.csv`). Columns a table lacks are treated as unknown.

Origins:

* **catalogue** — an indicator of `src/innoregion/data/catalogue.yaml`, same code and meaning;
* **derived** — computed by `build_facts`: lags `<column>_prevK` (the value K years earlier; **0 in
  the years before the enterprise was founded**, unknown when a year after founding was not filed),
  sums, windows (unknown when any year in the window is unknown) and register facts;
* **extra** — not in the catalogue (the SME size class); read from the filings (or the register
  table) under the same code when present, otherwise derived or unknown.

A fact that was not filed is **unknown**, never 0 — with one exception. The catalogue marks
list-derived indicators (published lists and recognitions) `absent_means: 0`: their department files
the complete list for the year, so an enterprise without a value is not on it. Facts built from the
region database (`innoregion.apps.ladder.services.facts_from_db`, which the demo's ladder run uses)
close these columns by default: {absent}. Elsewhere nothing is assumed by default: pass
columns in `assume_absent` (`build_facts(..., assume_absent=[...])`, `evaluate(..., assume_absent=...)`,
`ladder evaluate --assume-absent COLUMN`, or `--assume-absent catalogue` for the catalogue's list;
`innoregion.engines.rules.catalogue_lists()` returns it) and an enterprise not on the list counts as 0.
Facts without the attribute (e.g. the self-declared `safety_incident`, the tax-filed `restricted_products`)
stay unknown when not filed.

Flags are 0/1, money is CNY unless the unit says USD, ratios are 0–1. "Used by" lists the rule packs
(`id@version`) whose conditions or indicators read the column; the benefit policy reads
`hnte_recognised_year`, `hnte_first_year`, `new_national_platform`, `new_provincial_platform`,
`tech_transfer_level` and `year`.

Lagged columns kept: {lags}.

| column | unit | origin | meaning | used by |
|---|---|---|---|---|
"""


def facts_markdown() -> str:
    used: dict[str, list[str]] = {}
    for p in load_packs():
        for col in plan_for(p).columns:
            used.setdefault(col, []).append(p.key)
    lags = ", ".join(f"`{k}` ({n} years)" for k, n in LAGS.items())
    absent = ", ".join(f"`{c}`" for c in catalogue_lists())
    lines = [HEADER.replace("{lags}", lags).replace("{absent}", absent)]
    for name, fc in FACT_COLUMNS.items():
        users = ", ".join(sorted(set(used.get(name, [])))) or "—"
        meaning = fc.meaning.replace("|", "/")
        lines.append(f"| `{name}` | {fc.unit} | {fc.origin} | {meaning} | {users} |\n")
    return "".join(lines)


if __name__ == "__main__":
    print(facts_markdown(), end="")
