"""Value patterns made ready to scan: checking a caller's pattern, compiling the set, and
running it over text.

:class:`Scanner` runs each pattern whose trigger occurs in the text, most specific pattern
first, and replaces every hit with ``[REDACTED:<kind>]`` (or each named group with
``[REDACTED:<label>]``). :func:`check_pattern` rejects patterns that could make a scan slower
than linear (unbounded width) or match nothing at all (empty width).
:func:`is_plain_identifier` is the fast path that lets IDs skip the scan: it is only proven for
the built-in patterns of :mod:`pavedroad.observability.secret_patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.secret_patterns import SecretPattern, Trigger

__all__ = [
    "ALNUM_SECRET_LENGTHS",
    "MAX_PATTERN_WIDTH",
    "UUID",
    "CompiledPattern",
    "Scanner",
    "as_secret_pattern",
    "check_pattern",
    "is_plain_identifier",
    "pattern_width",
]

#: Above this many characters a pattern is treated as unbounded.
MAX_PATTERN_WIDTH: Final = 65_536

UUID: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
#: Lengths at which a string of ASCII letters and digits alone can be a built-in secret: card
#: numbers (13-19 digits), AWS access key IDs (20) and Google API keys (39). Every other
#: built-in pattern needs a character that is not a letter or digit ('-', '_', '@', ' ', '.').
ALNUM_SECRET_LENGTHS: Final = frozenset({*range(13, 21), 39})


def pattern_width(regex: str, flags: int = 0) -> tuple[int, int] | None:
    """Return the (min, max) match width of ``regex``, or ``None`` if it cannot be computed."""
    try:
        from re import _parser  # type: ignore[attr-defined,unused-ignore]  # the stdlib's own parser

        low, high = _parser.parse(regex, flags).getwidth()
    except (ImportError, AttributeError):  # pragma: no cover - a future Python moved it
        return None
    return int(low), int(high)


def as_secret_pattern(name: str, pattern: str | re.Pattern[str] | SecretPattern) -> SecretPattern:
    """A caller's pattern (regex string, compiled regex or :class:`SecretPattern`) as a
    :class:`SecretPattern` of kind ``name``."""
    if isinstance(pattern, SecretPattern):
        return pattern
    if isinstance(pattern, re.Pattern):
        return SecretPattern(name, pattern.pattern, flags=pattern.flags & ~re.UNICODE)
    if isinstance(pattern, str):
        return SecretPattern(name, pattern)
    raise ConfigurationError(
        f"redact_patterns[{name!r}]: got {type(pattern).__name__}; give a regular expression "
        "string, a compiled re.Pattern or a SecretPattern."
    )


def check_pattern(pattern: SecretPattern) -> None:
    """Raise :class:`ConfigurationError` unless ``pattern`` has an identifier for a kind and a
    valid regex of bounded, non-zero width."""
    # Patterns and kinds are named, never quoted: no error of this library echoes a value.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", pattern.kind):
        raise ConfigurationError(
            "redact_patterns: a kind must be an identifier (letters, digits, underscores); "
            "one is not (it is not shown)."
        )
    where = f"redact_patterns[{pattern.kind!r}]"
    try:
        re.compile(pattern.regex, pattern.flags)
    except re.error as exc:
        raise ConfigurationError(
            f"{where}: the pattern is not a valid regex: {exc.msg} at position {exc.pos}."
        ) from None
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{where}: the pattern is not a valid regex; give a string."
        ) from None
    width = pattern_width(pattern.regex, pattern.flags)
    if width is not None:
        low, high = width
        if low == 0:
            raise ConfigurationError(
                f"{where}: the pattern can match the empty string; require at least one character."
            )
        if high > MAX_PATTERN_WIDTH:
            raise ConfigurationError(
                f"{where}: the pattern can match unbounded text, which would make "
                "redaction slower than linear; bound every quantifier, e.g. {1,256} instead "
                "of + or *."
            )


def is_plain_identifier(text: str) -> bool:
    """Whether ``text`` is an ID no built-in pattern can match: a Slack ID, a trace or span ID,
    a git SHA, a number, or a UUID. These are most of the unique strings in logs, and checking
    them is far cheaper than scanning."""
    if text.isascii() and text.isalnum():
        return len(text) not in ALNUM_SECRET_LENGTHS
    return len(text) == 36 and UUID.fullmatch(text) is not None


class CompiledPattern:
    """One pattern ready to scan: its regex, triggers and secret groups."""

    __slots__ = (
        "kind",
        "plain_triggers",
        "regex",
        "regex_triggers",
        "secret_groups",
        "validate",
        "wants_lower",
    )

    def __init__(self, pattern: SecretPattern) -> None:
        self.kind = pattern.kind
        self.regex: re.Pattern[str] = re.compile(pattern.regex, pattern.flags)
        self.validate = pattern.validate
        self.secret_groups: tuple[tuple[int, str], ...] = tuple(
            sorted((number, label) for label, number in self.regex.groupindex.items())
        )
        self.plain_triggers: tuple[str, ...] = tuple(
            t.lower() if pattern.ignore_case_triggers else t
            for t in pattern.triggers
            if isinstance(t, str)
        )
        self.regex_triggers: tuple[Trigger, ...] = tuple(
            t for t in pattern.triggers if not isinstance(t, str)
        )
        self.wants_lower = pattern.ignore_case_triggers

    def replace(self, match: re.Match[str]) -> str:
        """Return the replacement for one match: the match with its secret spans redacted."""
        if not self.secret_groups:
            if self.validate is not None and not self.validate(match.group(0)):
                return match.group(0)
            return f"[REDACTED:{self.kind}]"
        if self.validate is not None and not self.validate(match.group(self.secret_groups[-1][0])):
            return match.group(0)
        text = match.group(0)
        offset = match.start()
        pieces: list[str] = []
        cursor = 0
        for number, label in self.secret_groups:
            start, end = match.span(number)
            if start < 0:
                continue
            pieces.append(text[cursor : start - offset])
            pieces.append(f"[REDACTED:{label}]")
            cursor = end - offset
        pieces.append(text[cursor:])
        return "".join(pieces)


class Scanner:
    """Runs each pattern whose trigger occurs in the text, most specific pattern first.

    Checking a handful of substrings is an order of magnitude cheaper than running the
    patterns, and almost all log text contains none of them.
    """

    def __init__(self, patterns: Iterable[SecretPattern]) -> None:
        self.patterns = tuple(CompiledPattern(p) for p in patterns)
        self._table = tuple(
            (p.plain_triggers, p.wants_lower, p.regex_triggers, p.regex.sub, p.replace)
            for p in self.patterns
        )
        widths = [pattern_width(p.regex.pattern, p.regex.flags) for p in self.patterns]
        #: No pattern matches fewer characters than this, so shorter strings are skipped.
        self.min_length = max(1, min((w[0] if w else 1 for w in widths), default=1))

    def scan(self, text: str) -> str:
        """Return ``text`` with every pattern's hits replaced."""
        lower: str | None = None  # computed once, and only if a pattern wants it
        last_trigger: Trigger | None = None
        last_hit = False
        for plain, wants_lower, regex_triggers, sub, replace in self._table:
            if plain or regex_triggers:
                if wants_lower:
                    if lower is None:
                        lower = text.lower()
                    haystack = lower
                else:
                    haystack = text
                for trigger in plain:
                    if trigger in haystack:
                        break
                else:
                    for pattern in regex_triggers:
                        # Patterns that share a trigger (the card forms) search it once.
                        if pattern is not last_trigger:
                            last_trigger = pattern
                            last_hit = pattern.search(text) is not None
                        if last_hit:
                            break
                    else:
                        continue
            redacted = sub(replace, text)
            if redacted != text:
                text = redacted
                lower = None
                last_trigger = None
        return text

    def triggered(self, text: str) -> list[str]:
        """Return the kinds whose triggers occur in ``text`` (the patterns :meth:`scan` runs)."""
        lower = text.lower()
        kinds = []
        for pattern in self.patterns:
            haystack = lower if pattern.wants_lower else text
            if (
                (not pattern.plain_triggers and not pattern.regex_triggers)
                or any(trigger in haystack for trigger in pattern.plain_triggers)
                or any(trigger.search(text) for trigger in pattern.regex_triggers)
            ):
                kinds.append(pattern.kind)
        return kinds
