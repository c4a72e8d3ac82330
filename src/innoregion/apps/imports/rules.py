"""The imports app's rules: import batches and their quarantine are the bureau's working data."""

from __future__ import annotations

from innoregion.apps.access.policy import OFFICIALS, officials_rows, register_action, register_rows

register_action("imports.manage", OFFICIALS)
register_rows("imports.importbatch", "imports.quarantinedrow")(officials_rows)
