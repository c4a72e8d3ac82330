import pytest

from innoregion.site import config


def test_default_database_is_sqlite_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INNOREGION_DATA_DIR", str(tmp_path))
    db = config.database_from_url(None)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "innoregion.sqlite3")


def test_postgres_url():
    db = config.database_from_url("postgres://postgres:s%40cret@127.0.0.1:5432/innoregion?sslmode=disable")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "postgres", "s@cret", "127.0.0.1", "5432", "innoregion")
    assert db["OPTIONS"] == {"sslmode": "disable"}


def test_sqlite_absolute_url():
    assert config.database_from_url("sqlite:////srv/x/db.sqlite3")["NAME"] == "/srv/x/db.sqlite3"


def test_unknown_scheme_is_refused():
    with pytest.raises(config.ConfigError, match="mysql"):
        config.database_from_url("mysql://root@localhost/x")


def test_secret_key_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INNOREGION_DATA_DIR", str(tmp_path))
    first = config.secret_key()
    assert len(first) > 40
    assert config.secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key() == "from-env"


def test_shared_cache_for_several_workers(tmp_path):
    import subprocess
    import sys

    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='innoregion.site.settings'; import django; "
            "django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])")
    env = {"INNOREGION_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    shared = subprocess.run([sys.executable, "-c", code], env={**env, "INNOREGION_CACHE": "db"},
                            capture_output=True, text=True, check=True).stdout.strip()
    local = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert shared == "django.core.cache.backends.db.DatabaseCache"
    assert local == "django.core.cache.backends.locmem.LocMemCache"


def test_postgres_url_options_are_typed():
    db = config.database_from_url("postgres://u@h:5432/d?server_side_binding=1&prepare_threshold=5"
                                  "&sslmode=require&connect_timeout=3")
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5, "sslmode": "require",
                             "connect_timeout": 3}
    assert config.database_from_url("postgres://u@h/d?server_side_binding=off")["OPTIONS"] == {
        "server_side_binding": False}
    with pytest.raises(config.ConfigError, match="prepare_threshold"):
        config.database_from_url("postgres://u@h/d?prepare_threshold=many")
    with pytest.raises(config.ConfigError, match="server_side_binding"):
        config.database_from_url("postgres://u@h/d?server_side_binding=maybe")
