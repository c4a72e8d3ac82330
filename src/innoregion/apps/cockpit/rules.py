"""The cockpit's rule: the cockpit of the eight tasks is the officials' page."""

from __future__ import annotations

from innoregion.apps.access.policy import OFFICIALS, register_action

register_action("cockpit.view", OFFICIALS)
