"""The one exception type the library raises for bad configuration."""

from __future__ import annotations

__all__ = ["ConfigurationError"]


class ConfigurationError(ValueError):
    """A setting (argument or environment variable) has a value the library cannot use.

    The message names the setting, the rejected value and the values or form that would work.
    The library never falls back silently to a default when a setting is wrong.
    """
