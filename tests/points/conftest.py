from pathlib import Path

import polars as pl
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "coinr-asem"


@pytest.fixture(scope="session")
def asem(shared_reference):
    ref = shared_reference / "coinr-asem"
    data = pl.read_csv(ref / "asem_idata.csv", infer_schema_length=None)
    meta = pl.read_csv(ref / "asem_imeta.csv", infer_schema_length=None)
    return ref, data, meta


@pytest.fixture(scope="session")
def examples_dir():
    return EXAMPLES
