"""Errors of the rules engine."""


class PackError(ValueError):
    """A rule or policy pack is invalid. ``path`` is the dotted key path, ``reason`` the explanation."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
