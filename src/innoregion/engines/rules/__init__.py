"""Rules engine: rule packs (YAML) evaluated over a facts table of enterprise-years.

Public API::

    load_packs, load_pack, parse_pack, select_version, Pack, PackError   # packs
    build_facts, ensure_columns, FACT_COLUMNS                             # the facts table
    evaluate                                                              # outcomes
    ladder_status, next_steps, region_counts, load_ladder                 # the cultivation ladder
    load_policy, parse_policy, evaluate_benefits, run_record, write_xlsx  # benefits (免申即享)

No Django here: tables in, tables out.
"""

from .errors import PackError
from .evaluate import OUTCOMES, evaluate
from .facts import FACT_COLUMNS, build_facts, ensure_columns
from .spec import Pack, load_pack, load_packs, parse_pack, select_version

__all__ = [
    "FACT_COLUMNS", "OUTCOMES", "Pack", "PackError", "build_facts", "ensure_columns", "evaluate",
    "load_pack", "load_packs", "parse_pack", "select_version",
]
