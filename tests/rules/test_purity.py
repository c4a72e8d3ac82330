"""The rules engine and the pure ladder commands never import Django."""

import subprocess
import sys

CODE = """
import sys
import innoregion.engines.rules
import innoregion.cli.ladder
from click.testing import CliRunner
CliRunner().invoke(innoregion.cli.ladder.command, ["packs"])
bad = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(bad)
sys.exit(1 if bad else 0)
"""


def test_rules_engine_is_pure():
    res = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
