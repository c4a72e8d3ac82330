"""``innoregion manage ARGS``: Django's management commands (migrate, createsuperuser, ...)."""

import click


@click.command(
    "manage",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def command(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. ``innoregion manage migrate``."""
    from innoregion.cli import setup_django

    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["innoregion manage", *args])
