"""The points app's rules: scoring runs are the bureau's; an enterprise's score is its own."""

from __future__ import annotations

from innoregion.apps.access.policy import (
    ENTERPRISES,
    OFFICIALS,
    enterprise_rows,
    officials_rows,
    register_action,
    register_rows,
)

register_action("points.view_methodology", OFFICIALS | ENTERPRISES)
register_action("points.view_runs", OFFICIALS)
register_action("points.start_run", OFFICIALS)
register_rows("points.scoringrun")(officials_rows)


@register_rows("points.enterprisescore")
def score_rows(who, action):
    """A bank sees scores under the ``summary`` scope of a consent."""
    return enterprise_rows(who, "summary" if action == "view" else action, "enterprise_id")
