import pytest


@pytest.fixture
def lexical_only(settings, tmp_path):
    """Django tests run the engine on its lexical path (the dense model is slow on 2 cores)."""
    from innoregion.apps.matchmaking import services

    settings.MATCHMAKING = {"use_dense": False}
    settings.DATA_DIR = tmp_path / "data"
    services._engine = None
    services._engine_key = None
    yield
    services._engine = None
    services._engine_key = None
