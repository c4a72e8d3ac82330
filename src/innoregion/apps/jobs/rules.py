"""The jobs app's rules: jobs are the bureau's working data. Officials and administrators list, view
and start them (every kind is started under ``jobs.start``); only administrators read a failed job's
traceback."""

from __future__ import annotations

from innoregion.apps.access.policy import ADMINS, OFFICIALS, officials_rows, register_action, register_rows

register_action("jobs.view", OFFICIALS)
register_action("jobs.start", OFFICIALS)
register_action("jobs.view_traceback", ADMINS)
register_rows("jobs.job")(officials_rows)
