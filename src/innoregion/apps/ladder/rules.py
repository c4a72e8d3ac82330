"""The ladder app's rules: ladder and benefit runs are the bureau's; outcomes and grants belong to
their enterprise."""

from __future__ import annotations

from innoregion.apps.access.policy import OFFICIALS, officials_rows, register_action, register_rows
from innoregion.apps.points.rules import score_rows

register_action("ladder.view", OFFICIALS)
register_action("ladder.export_benefits", OFFICIALS)
register_action("ladder.start_run", OFFICIALS)
register_rows("ladder.ladderrun", "ladder.benefitrun")(officials_rows)
register_rows("ladder.ladderoutcome", "ladder.benefitgrant")(score_rows)
