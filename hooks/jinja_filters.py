"""Regex filters for cookiecutter, matching the ones copier ships through jinja2-ansible-filters.

copier.yml's validators and defaults use `regex_search` and `regex_replace`. Copier provides
them; cookiecutter does not, so its generated config loads this extension.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension


def regex_search(value: Any, pattern: str) -> str | None:
    """Return the first match of `pattern` in `value`, or None (like Ansible's filter)."""
    match = re.search(pattern, str(value))
    return match.group(0) if match else None


def regex_replace(value: Any, pattern: str = "", replacement: str = "") -> str:
    """Replace every match of `pattern` in `value` (like Ansible's filter)."""
    return re.sub(pattern, replacement, str(value))


class RegexFilters(Extension):
    """Adds `regex_search` and `regex_replace` where the environment lacks them."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.setdefault("regex_search", regex_search)
        environment.filters.setdefault("regex_replace", regex_replace)
