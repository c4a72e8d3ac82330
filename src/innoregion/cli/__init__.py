"""The ``innoregion`` command: one entry point, a sub-command per task.

Each sub-command lives in its own module under ``innoregion.cli`` and exposes a click command or
group named ``command``. Commands that need the database call :func:`setup_django` themselves, so
pure commands (``generate``, ``index run``, ``ladder evaluate``) never import Django.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import click

from innoregion import __version__

# module name under innoregion.cli -> name of the command it provides
COMMAND_MODULES = [
    "generate",
    "importing",
    "index",
    "score",
    "ladder",
    "match",
    "talent",
    "jobs",
    "serve",
    "demo",
    "manage",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innoregion.site.settings")
    import django

    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="innoregion")
def main() -> None:
    """innoregion: the platform of a science and technology innovation region."""


def _register() -> None:
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"innoregion.cli.{name}") is None:
            continue  # tests/test_cli.py requires every listed module to exist
        module = importlib.import_module(f"innoregion.cli.{name}")
        main.add_command(module.command)


_register()
