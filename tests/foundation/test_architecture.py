"""The architecture rules that keep the engines usable without the platform."""

import subprocess
import sys
from pathlib import Path

import innoregion
from innoregion import cli

PACKAGE = Path(innoregion.__file__).parent
PURE_PACKAGES = sorted(
    f"innoregion.engines.{p.name}" for p in (PACKAGE / "engines").iterdir() if (p / "__init__.py").exists()
) + ["innoregion.data.catalogue", "innoregion.data.creditcode"]


def test_engines_import_no_django():
    code = (
        "import sys, importlib, pkgutil\n"
        f"names = {PURE_PACKAGES!r}\n"
        "for name in names:\n"
        "    mod = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"an engine imported Django: {out.stdout}"
    assert len(PURE_PACKAGES) >= 2


def test_every_listed_cli_module_exists_and_has_help():
    for name in cli.COMMAND_MODULES:
        module = __import__(f"innoregion.cli.{name}", fromlist=["command"])
        assert module.command.help or module.command.callback.__doc__, name
    out = subprocess.run([sys.executable, "-m", "innoregion.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in cli.main.commands:
        assert command in out.stdout
