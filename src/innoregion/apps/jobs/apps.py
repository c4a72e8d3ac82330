import importlib
import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "innoregion.apps.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from innoregion.apps.jobs import rules  # noqa: F401  (registers the app's rules)

        # Extra modules that register job kinds (a site's own kinds; the tests' kinds in a worker
        # process the tests start): INNOREGION_EXTRA_JOB_MODULES=package.module,other.module
        for name in filter(None, os.environ.get("INNOREGION_EXTRA_JOB_MODULES", "").split(",")):
            importlib.import_module(name.strip())
