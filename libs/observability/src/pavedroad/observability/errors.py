"""The one exception type the library raises for bad configuration."""

from __future__ import annotations

__all__ = ["ConfigurationError"]


class ConfigurationError(ValueError):
    """A setting (argument or environment variable) has a value the library cannot use.

    The message names the setting and the values or form that would work, but never the
    rejected value, nor does its cause chain hold it: a secret pasted into the wrong setting
    must not reach a terminal or a log. The library never falls back silently to a default
    when a setting is wrong.
    """
