"""Rules engine: rule packs (YAML) evaluated over a facts table of enterprise-years.

Public API::

    load_packs, load_pack, parse_pack, select_version, Pack, PackError   # packs
    build_facts, ensure_columns, FACT_COLUMNS                             # the facts table
    evaluate                                                              # outcomes
    ladder_status, next_steps, region_counts, load_ladder                 # the cultivation ladder
    load_policy, parse_policy, evaluate_benefits, run_record, write_xlsx  # benefits (免申即享)

No Django here: tables in, tables out.
"""

from .benefits import (
    Policy,
    allocate,
    evaluate_benefits,
    file_sha256,
    load_policy,
    parse_policy,
    run_record,
    table_sha256,
)
from .errors import PackError
from .evaluate import OUTCOMES, evaluate
from .facts import FACT_COLUMNS, build_facts, catalogue_lists, ensure_columns
from .ladder import Ladder, ladder_status, load_ladder, next_steps, parse_ladder, region_counts
from .spec import Pack, load_pack, load_packs, parse_pack, select_version
from .xlsx import write_xlsx

__all__ = [
    "FACT_COLUMNS", "OUTCOMES", "Ladder", "Pack", "PackError", "Policy", "allocate", "build_facts",
    "catalogue_lists", "ensure_columns", "evaluate", "evaluate_benefits", "file_sha256", "ladder_status", "load_ladder",
    "load_pack", "load_packs", "load_policy", "next_steps", "parse_ladder", "parse_pack", "parse_policy",
    "region_counts", "run_record", "select_version", "table_sha256", "write_xlsx",
]
