"""Helpers the jobs tests import (a module of its own: ``conftest`` is a different module in each
test folder, so importing from it depends on which folder pytest collected first)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def rename_params(enterprise, name: str, **extra) -> dict:
    return {"credit_code": enterprise.credit_code, "name": name, "fail": "", "hold_dir": "", **extra}
