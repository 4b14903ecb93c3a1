"""The catalogue of secret and PII value patterns that redaction looks for.

Each pattern is a regular expression whose every quantifier is bounded, so a match attempt
from any position reads at most a fixed number of characters. That is what keeps redaction
linear in the size of its input (the test suite checks the bound for every pattern). Patterns
that could collide with correlation data (Slack IDs, trace IDs, UUIDs, git SHAs, timestamps)
carry a validator or a context requirement instead of a looser expression.

A pattern may mark the secret part with named groups: ``(?P<label>...)``. Only those spans are
replaced, each with ``[REDACTED:label]``, so that ``Bearer <token>`` keeps the word ``Bearer``
and a database URL keeps its user and host. Without named groups the whole match is replaced
with ``[REDACTED:kind]``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "BUILTIN_PATTERNS",
    "EMAIL_PATTERN",
    "SecretPattern",
    "luhn_valid",
]


class Trigger(Protocol):
    """A prefilter that is not a plain substring: anything with ``search(text)``, such as a
    compiled regular expression, returning ``None`` where the pattern cannot match."""

    def search(self, text: str, /) -> object: ...


@dataclass(frozen=True, slots=True)
class SecretPattern:
    """A kind of secret and the bounded regular expression that finds it in text.

    ``kind`` names the secret in the replacement (``[REDACTED:<kind>]``). ``validate``, when
    given, receives the text of the last secret group (or of the whole match when there is no
    named group) and returns ``False`` to leave a look-alike untouched, for example a digit run
    that fails the Luhn check. ``flags`` are :mod:`re` flags for ``regex``.

    ``triggers`` make scanning cheap: the regex runs only on text that contains one of these
    substrings (compared in lower case when ``ignore_case_triggers`` is set) or, for a compiled
    pattern (or any :class:`Trigger`), where it finds a match. A pattern without triggers runs
    on every string.
    """

    kind: str
    regex: str
    validate: Callable[[str], bool] | None = None
    triggers: tuple[str | Trigger, ...] = ()
    ignore_case_triggers: bool = False
    flags: int = 0


def luhn_valid(digits: str) -> bool:
    """Return whether a string of decimal digits passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# Issuer prefixes (IIN ranges) and the lengths each network issues. A digit run must fit one of
# these before its checksum is even considered, which keeps epoch-millisecond timestamps (they
# start with 1) and many numeric IDs out; a plain run also needs a card word before it.
_CARD_NETWORKS: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = (
    (re.compile(r"4"), frozenset({13, 16, 19})),  # Visa
    (re.compile(r"5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)"), frozenset({16})),
    (re.compile(r"3[47]"), frozenset({15})),  # American Express
    (re.compile(r"3(?:0[0-5]|[689])"), frozenset({14, 16, 19})),  # Diners Club
    (re.compile(r"6(?:011|5|4[4-9]|22)"), frozenset({16, 17, 18, 19})),  # Discover
    (re.compile(r"35(?:2[89]|[3-8]\d)"), frozenset({16, 17, 18, 19})),  # JCB
    (re.compile(r"62"), frozenset({16, 17, 18, 19})),  # UnionPay
)


def _valid_card(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    for prefix, lengths in _CARD_NETWORKS:
        if len(digits) in lengths and prefix.match(digits):
            return luhn_valid(digits)
    return False


def _valid_aws_secret(secret: str) -> bool:
    # AWS secret access keys are base64 of random bytes: they mix upper and lower case. A git SHA
    # or another hex digest beside an access key ID does not, and is left alone.
    return (
        (any(char.isupper() for char in secret) and any(char.islower() for char in secret))
        or "/" in secret
        or "+" in secret
    )


def _valid_basic(token: str) -> bool:
    # "basic configuration" is English; a Basic credential is base64 of "user:password".
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _valid_bearer(token: str) -> bool:
    # A bearer token is random: it has a digit or is long. "Bearer authentication" is neither.
    return len(token) >= 24 or any(char.isdigit() for char in token)


_B64 = r"A-Za-z0-9+/"


#: Every card form below holds eight digits with at most one separator in the middle: a run of
#: 13-19 digits, "dddd dddd ...", or "dddd-dddddd-...". Text without that cannot hold a card
#: number, and most text with digits (timestamps, IDs, amounts) does not have it.
class _DigitRuns:
    """Finds ``[0-9]{4}[ -]?[0-9]{4}`` ten times faster than that regex: with every ASCII digit
    mapped to ``0`` by ``bytes.translate`` (one C pass), it is three substring searches."""

    _DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)

    def search(self, text: str, /) -> bool | None:
        digits = text.encode("utf-8", "surrogatepass").translate(self._DIGITS_TO_ZERO)
        if b"00000000" in digits or b"0000 0000" in digits or b"0000-0000" in digits:
            return True
        return None


_CARD_TRIGGER = _DigitRuns()
_GITHUB_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
_GITLAB_KINDS = ("pat", "dt", "rt", "ptt", "ft", "cbt", "imt", "soat", "oas", "agent")


def _grouped_card_regex() -> str:
    # The groupings networks print on cards, with one kind of separator. Spelling out each
    # grouping keeps the expression free of back-references and of the ambiguity that would
    # let "<card> 5" swallow the trailing number.
    groupings = []
    for sep in (" ", "-"):
        groupings.append(
            rf"[0-9]{{4}}{sep}[0-9]{{4}}{sep}[0-9]{{4}}{sep}[0-9]{{4}}(?:{sep}[0-9]{{3}})?"
        )
        groupings.append(rf"[0-9]{{4}}{sep}[0-9]{{6}}{sep}[0-9]{{4,5}}")
    return rf"(?<![A-Za-z0-9_.-])(?:{'|'.join(groupings)})(?![A-Za-z0-9_])"


#: Words that make a plain run of digits a card number: without one of them shortly before
#: it, a 13-19 digit run is an ID (an order number, a snowflake ID), even when it passes Luhn.
CARD_CONTEXT_WORDS = (
    "card",
    "cc",
    "ccn",
    "pan",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "mc",
    "amex",
    "discover",
    "jcb",
    "unionpay",
    "diners",
    "maestro",
    "payment",
    "pay",
    "paid",
    "charge",
    "charged",
    "billing",
    "checkout",
)


def _plain_card_regex() -> str:
    # A context word (any suffix: cardNumber, payment_method), then up to three short words
    # ("paid with", "card number is"), then the digit run.
    words = "|".join(CARD_CONTEXT_WORDS)
    return (
        rf"(?i:(?<![A-Za-z0-9])(?:{words})[A-Za-z_]{{0,16}}+)[^A-Za-z0-9]{{1,8}}+"
        r"(?:[A-Za-z]{1,16}+[^A-Za-z0-9]{1,8}+){0,3}?"
        r"(?<![0-9])(?P<card_number>[0-9]{13,19}+)(?![A-Za-z0-9_])"
    )


_NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_ALNUM_AFTER = r"(?![A-Za-z0-9])"

EMAIL_PATTERN = SecretPattern(
    "email",
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}+)"
    r"(?:\.[A-Za-z0-9-]{1,63}+){1,8}+",
    triggers=("@",),
)

#: The built-in patterns, most specific first: where two could match at the same position,
#: the earlier one names the secret.
BUILTIN_PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern(
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]{1,16}+ ){0,4}PRIVATE KEY-----"
        r"(?:[A-Za-z0-9+/=\s:,.\\]|-(?!----)){0,16384}+"
        r"(?:-----END (?:[A-Z0-9]{1,16}+ ){0,4}PRIVATE KEY-----)?",
        triggers=("-----BEGIN",),
    ),
    SecretPattern(
        "slack_webhook",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{1,300}+",
        triggers=("hooks.slack.com",),
    ),
    SecretPattern(
        "slack_token",
        _NOT_ALNUM_BEFORE + r"(?:xox[abcdeoprs](?:\.xox[abpe])?|xapp)-[A-Za-z0-9-]{8,255}+",
        triggers=("xox", "xapp-"),
    ),
    SecretPattern(
        "aws_credentials",
        _NOT_ALNUM_BEFORE + r"(?P<aws_access_key_id>(?:AKIA|ASIA)[A-Z0-9]{16})"
        r"[^A-Za-z0-9/+]{1,16}+"
        r"(?P<aws_secret_access_key>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        _valid_aws_secret,
        triggers=("AKIA", "ASIA"),
    ),
    SecretPattern(
        "aws_access_key_id",
        _NOT_ALNUM_BEFORE + r"(?:AKIA|ASIA)[A-Z0-9]{16}" + _NOT_ALNUM_AFTER,
        triggers=("AKIA", "ASIA"),
    ),
    SecretPattern(
        "aws_secret_access_key",
        r"(?i:aws_?secret(?:_?access)?_?key|secret_?access_?key)[\"']?\s{0,4}+[:=]\s{0,4}+[\"']?"
        r"(?P<aws_secret_access_key>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        _valid_aws_secret,
        triggers=("secret",),
        ignore_case_triggers=True,
    ),
    SecretPattern(
        "github_token",
        _NOT_ALNUM_BEFORE + r"(?:gh[pousr]_[A-Za-z0-9]{36,251}+|github_pat_[A-Za-z0-9_]{22,251}+)",
        triggers=_GITHUB_PREFIXES,
    ),
    SecretPattern(
        "gitlab_token",
        _NOT_ALNUM_BEFORE + r"gl(?:" + "|".join(_GITLAB_KINDS) + r")-[A-Za-z0-9_.-]{20,255}+",
        triggers=tuple(f"gl{kind}-" for kind in _GITLAB_KINDS),
    ),
    SecretPattern(
        "stripe_key",
        _NOT_ALNUM_BEFORE + r"(?:sk|rk)_live_[A-Za-z0-9]{10,247}+",
        triggers=("_live_",),
    ),
    SecretPattern(
        "google_api_key",
        _NOT_ALNUM_BEFORE + r"AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
        triggers=("AIza",),
    ),
    SecretPattern(
        "jwt",
        _NOT_ALNUM_BEFORE + r"eyJ[A-Za-z0-9_-]{4,4096}+\.eyJ[A-Za-z0-9_-]{2,16384}+"
        r"\.[A-Za-z0-9_-]{0,4096}+",
        triggers=("eyJ",),
    ),
    SecretPattern(
        "url_password",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}+://[^\s:/?#@\[\]]{0,256}+:"
        r"(?P<url_password>[^\s/?#@]{1,256}+)@",
        triggers=("://",),
    ),
    SecretPattern(
        "bearer_token",
        r"(?i:\bbearer)\s{1,4}+(?P<bearer_token>[A-Za-z0-9._~+/-]{8,4096}+={0,2}+)",
        _valid_bearer,
        triggers=("bearer",),
        ignore_case_triggers=True,
    ),
    SecretPattern(
        "basic_credentials",
        r"(?i:\bbasic)\s{1,4}+(?P<basic_credentials>[" + _B64 + r"]{4,4096}+={0,2}+)",
        _valid_basic,
        triggers=("basic",),
        ignore_case_triggers=True,
    ),
    SecretPattern("card_number", _grouped_card_regex(), _valid_card, triggers=(_CARD_TRIGGER,)),
    SecretPattern("card_number", _plain_card_regex(), _valid_card, triggers=(_CARD_TRIGGER,)),
)
