import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    path = SHARED / "reference"
    if not path.exists():
        pytest.fail(f"golden data missing: {path} (the shared/ folder must sit beside the checkout)")
    return path


os.environ.setdefault("INNOREGION_DATA_DIR", str(REPO / "var" / "test"))
