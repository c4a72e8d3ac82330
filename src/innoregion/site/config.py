"""Configuration from the environment, without Django, so the CLI and settings share it.

- ``INNOREGION_DATA_DIR``: where the SQLite file, the secret key, raw imported files and reports
  live (default ``./var`` under the current directory).
- ``DATABASE_URL``: ``sqlite:///absolute/path.sqlite3`` or
  ``postgres://user:password@host:port/dbname``. Default: ``sqlite`` in the data folder.
- ``SECRET_KEY``: taken from the environment, else generated once and stored (mode 0600) in
  ``<data dir>/secret_key``; it is never committed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def data_dir() -> Path:
    path = Path(os.environ.get("INNOREGION_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = data_dir() / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class ConfigError(ValueError):
    pass


_BOOLEAN_OPTIONS = {"server_side_binding"}
_INTEGER_OPTIONS = {"prepare_threshold", "connect_timeout"}


def _option(name: str, value: str):
    """A PostgreSQL option from the URL's query string, typed (psycopg wants ``prepare_threshold`` as an
    int, Django ``server_side_binding`` as ``True``)."""
    if name in _BOOLEAN_OPTIONS:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"DATABASE_URL option {name}={value!r}: use 1 or 0")
    if name in _INTEGER_OPTIONS:
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"DATABASE_URL option {name}={value!r}: not a whole number") from None
    return value


def database_from_url(url: str | None) -> dict:
    """Translate a DATABASE_URL into a Django DATABASES entry."""
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir() / "innoregion.sqlite3"),
                "OPTIONS": {"timeout": 30}}
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        name = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path
            name = parsed.netloc + name
        if name.startswith("//"):
            name = name[1:]
        if name in ("", "/"):
            raise ConfigError("DATABASE_URL sqlite:/// needs a file path, e.g. sqlite:////srv/innoregion/db.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name or ":memory:", "OPTIONS": {"timeout": 30}}
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        options = {k: _option(k, v[-1]) for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        }
    raise ConfigError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported; use sqlite:/// or postgres://")
