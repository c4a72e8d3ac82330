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


@pytest.fixture(autouse=True)
def _forget_cached_pointers():
    """The pages cache the latest runs per process for a few seconds; a test's rolled-back runs must
    not leak into the next test."""
    yield
    try:
        from innoregion.site.cache import forget
    except Exception:  # Django not configured in this test module
        return
    forget()
