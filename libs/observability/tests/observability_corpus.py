"""The redaction corpus: secret kinds placed in the contexts a service logs them in, and
look-alikes that must be kept. Shared by the recall test and
``benchmarks/observability/bench_redaction.py``, which prints the table the README publishes.

Every secret is assembled at run time from harmless pieces and a seeded generator, so no file
holds a string a secret scanner would flag, and every run measures the same corpus. A secret
counts as found when its random part survives in no form (as is, JSON-escaped, or
percent-encoded) in the redacted value rendered as JSON.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import json
import random
import string
import traceback
import types
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


@dataclasses.dataclass(frozen=True)
class SecretKind:
    """A kind of secret: its name, the key it is usually logged under, and a factory that
    returns ``(secret, random part)``."""

    name: str
    key: str
    make: Callable[[random.Random], tuple[str, str]]


def _chars(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _prefixed(prefix: str, alphabet: str, length: int) -> Callable[[random.Random], Any]:
    def make(rng: random.Random) -> tuple[str, str]:
        part = _chars(rng, alphabet, length)
        return prefix + part, part

    return make


def _luhn_complete(digits: str) -> str:
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _card(prefix: str, length: int, groups: tuple[int, ...], sep: str) -> Any:
    def make(rng: random.Random) -> tuple[str, str]:
        number = _luhn_complete(prefix + _chars(rng, "0123456789", length - len(prefix) - 1))
        parts, start = [], 0
        for size in groups:
            parts.append(number[start : start + size])
            start += size
        return sep.join(parts), number[-8:].replace(sep, "")

    return make


def _aws_secret(rng: random.Random) -> tuple[str, str]:
    secret = _chars(rng, string.ascii_lowercase, 10) + _chars(rng, string.ascii_uppercase, 10)
    secret += "/" + _chars(rng, ALNUM, 19)
    return secret, secret


def _jwt(rng: random.Random) -> tuple[str, str]:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"U0123ABCD","iat":1700000000}').rstrip(b"=")
    signature = _chars(rng, ALNUM + "_-", 43)
    return f"{header}.{payload.decode()}.{signature}", signature


def _pem(kind: str) -> Any:
    def make(rng: random.Random) -> tuple[str, str]:
        body = "\n".join(_chars(rng, ALNUM + "+/", 64) for _ in range(4))
        label = kind + "PRIVATE" + " KEY"
        return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----", body[70:110]

    return make


def _bearer(rng: random.Random) -> tuple[str, str]:
    token = _chars(rng, ALNUM, 12) + "." + _chars(rng, ALNUM, 20)
    return "Bearer " + token, token


def _basic(rng: random.Random) -> tuple[str, str]:
    encoded = base64.b64encode(b"svc-user:" + _chars(rng, ALNUM, 16).encode()).decode()
    return "Basic " + encoded, encoded


def _url_password(scheme: str, user: str) -> Any:
    def make(rng: random.Random) -> tuple[str, str]:
        password = _chars(rng, ALNUM, 14)
        return f"{scheme}://{user}:{password}@db.internal:5432/app", password

    return make


def _email(rng: random.Random) -> tuple[str, str]:
    local = "alice." + _chars(rng, string.ascii_lowercase, 8)
    return f"{local}@example.co.uk", local


def _password(rng: random.Random) -> tuple[str, str]:
    secret = _chars(rng, ALNUM, 10) + "!" + _chars(rng, ALNUM, 3)
    return secret, secret


SECRET_KINDS: list[SecretKind] = [
    SecretKind(
        "slack bot token",
        "slack_bot_token",
        _prefixed("xox" + "b-1234567890-1234567890123-", ALNUM, 24),
    ),
    SecretKind(
        "slack user token",
        "slack_user_token",
        _prefixed("xox" + "p-1234567890-1234567890-", HEX, 32),
    ),
    SecretKind("slack app token", "app_token", _prefixed("xa" + "pp-1-A0123ABCDEF-1234-", HEX, 64)),
    SecretKind(
        "slack webhook URL",
        "webhook_url",
        _prefixed("https://hooks." + "slack.com/services/T0123ABCD/B0123ABCD/", ALNUM, 24),
    ),
    SecretKind(
        "AWS access key ID",
        "aws_access_key_id",
        _prefixed("AK" + "IA", string.ascii_uppercase + string.digits, 16),
    ),
    SecretKind("AWS secret access key", "aws_secret_access_key", _aws_secret),
    SecretKind("GitHub classic token", "github_token", _prefixed("gh" + "p_", ALNUM, 36)),
    SecretKind("GitHub OAuth token", "oauth_token", _prefixed("gh" + "o_", ALNUM, 36)),
    SecretKind(
        "GitHub fine-grained token", "gh_token", _prefixed("github" + "_pat_11ABCDEFG0", ALNUM, 70)
    ),
    SecretKind("GitLab token", "gitlab_token", _prefixed("gl" + "pat-", ALNUM, 20)),
    SecretKind("Stripe secret key", "stripe_key", _prefixed("sk" + "_live_", ALNUM, 24)),
    SecretKind("Stripe restricted key", "stripe_key", _prefixed("rk" + "_live_", ALNUM, 24)),
    SecretKind("Google API key", "google_api_key", _prefixed("AI" + "za", ALNUM + "_-", 35)),
    SecretKind("JWT", "id_token", _jwt),
    SecretKind("RSA private key", "private_key", _pem("RSA ")),
    SecretKind("OpenSSH private key", "ssh_private_key", _pem("OPENSSH ")),
    SecretKind("Bearer credential", "authorization", _bearer),
    SecretKind("Basic credential", "authorization", _basic),
    SecretKind("PostgreSQL URL password", "database_url", _url_password("postgresql", "app")),
    SecretKind("Redis URL password", "redis_url", _url_password("redis", "")),
    SecretKind("Visa card", "card_number", _card("4", 16, (4, 4, 4, 4), " ")),
    SecretKind("Mastercard", "card_number", _card("55", 16, (4, 4, 4, 4), "-")),
    SecretKind("American Express card", "card_number", _card("37", 15, (4, 6, 5), " ")),
    SecretKind("e-mail address", "email", _email),
    SecretKind("password", "password", _password),
    SecretKind("generic API key", "api_key", _prefixed("", HEX, 32)),
    SecretKind("session cookie", "session", _prefixed("", ALNUM, 40)),
    SecretKind("OAuth client secret", "client_secret", _prefixed("", ALNUM + "-_", 40)),
]


@dataclasses.dataclass
class _Note:
    text: str
    attempt: int = 1


_Row = collections.namedtuple("_Row", ["id", "detail"])


def _nested(secret: str, index: int) -> Any:
    """The secret under neutral keys, inside a different container kind each time."""
    shapes: list[Callable[[str], Any]] = [
        lambda s: {"request": {"items": [{"note": s}]}},
        lambda s: types.MappingProxyType({"items": [types.SimpleNamespace(note=s)]}),
        lambda s: [_Note(text=f"retry {s}")],
        lambda s: {"rows": (_Row(id=1, detail=s),)},
        lambda s: collections.UserDict({"payload": {"text": s}}),
        lambda s: [("x-note", s)],
    ]
    return shapes[index % len(shapes)](secret)


def _key_value_text(key: str, secret: str, index: int) -> str:
    styles = ["{k}={s}", "{k}: {s}", "{K}: {s}", "config {k}={s} loaded", "{k} = '{s}'"]
    header_case = "-".join(word.capitalize() for word in key.split("_"))
    return styles[index % len(styles)].format(k=key, K=header_case, s=secret)


def _exception(key: str, secret: str, index: int) -> BaseException:
    if index % 2:
        error = ValueError({key: secret, "attempt": 2})
    else:
        error = RuntimeError("upload rejected")
        error.add_note(f"sent with {key}={secret}")
    return error


def _traceback(secret: str) -> str:
    try:
        raise ConnectionError(f"connect failed using {secret}")
    except ConnectionError as error:
        return "".join(traceback.format_exception(error))


#: Context name -> how a secret of a kind appears there (kind's key, secret, kind's index).
CONTEXTS: dict[str, Callable[[str, str, int], Any]] = {
    "value": lambda key, secret, index: secret,
    "nested value": lambda key, secret, index: _nested(secret, index),
    "sentence": lambda key, secret, index: f"retrying the upload with {secret} after a timeout",
    "key=value text": _key_value_text,
    "JSON in text": lambda key, secret, index: (
        "request body: " + json.dumps({"user": "U0123ABCD", key: secret})
    ),
    "URL-encoded (keyed)": lambda key, secret, index: (
        "GET /callback?" + urlencode({"state": "s-1", key: secret})
    ),
    "URL-encoded (text)": lambda key, secret, index: (
        "POST form "
        + (urlencode if index % 2 else lambda d: quote(d["note"]))({"note": f"use {secret} now"})
    ),
    "exception message": _exception,
    "traceback": lambda key, secret, index: _traceback(secret),
}


def cases(seed: int = 18) -> list[tuple[str, str, str, Any]]:
    """Every (kind, context) pair: ``(kind name, context name, random part, value)``."""
    rng = random.Random(seed)
    out = []
    for index, kind in enumerate(SECRET_KINDS):
        for context, place in CONTEXTS.items():
            secret, part = kind.make(rng)
            out.append((kind.name, context, part, place(kind.key, secret, index)))
    return out


def rendered(value: Any) -> str:
    """A redacted value as a log line would carry it."""
    return json.dumps(value, default=repr, ensure_ascii=False)


def leaked(part: str, text: str) -> bool:
    """Whether ``part`` survives in ``text`` in any form a log line could carry it."""
    forms = {part, json.dumps(part)[1:-1], quote_plus(part), quote(part, safe="")}
    return any(form in text for form in forms)


def recall(redact: Callable[[Any], Any], seed: int = 18) -> dict[str, tuple[int, int, list[str]]]:
    """Per context: (secrets removed, secrets placed, kinds that leaked)."""
    table: dict[str, tuple[int, int, list[str]]] = {c: (0, 0, []) for c in CONTEXTS}
    for kind, context, part, value in cases(seed):
        found, total, missed = table[context]
        if leaked(part, rendered(redact(value))):
            missed.append(kind)
        else:
            found += 1
        table[context] = (found, total + 1, missed)
    return table


#: Values that look like secrets, or sit under secret-sounding keys, and must be kept as they
#: are: correlation data, counts, IDs, prose.
LOOKALIKES: list[Any] = [
    "team T0123ABCD channel C0123ABCDEF user U0123ABCD org E0123ABCD",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "request 123e4567-e89b-12d3-a456-426614174000 handled",
    "deployed 3f786850e387550fdab836ed7e6dc881de23001b (3f78685)",
    "at 1700000000 / 1700000000123 / 2024-01-15T10:30:00.123456Z",
    "order 4539578763621486 shipped to the warehouse",  # Luhn-valid, Visa prefix, an ID
    "snowflake id 1234567890123456789 created",
    {"order_id": "4539578763621486", "invoice": "5555555555554444"},
    {"tokens_used": 1234, "active_sessions": 17, "session_count": 3},
    {"max_tokens": 4096, "prompt_tokens": 812, "secrets_loaded": 4},
    "tokens_used=1234 active_sessions=17",
    '{"tokens_used": 1234, "session_ttl_seconds": 3600}',
    "token refreshed for user U0123ABCD",
    "password reset email sent",
    "session expired after 30 minutes",
    "basic configuration loaded; bearer authentication enabled",
    "GET https://api.example.com:8443/v1/users?page=2&sort=name",
    "GET /search?q=hello%20world&page=2",
    "POST form name=Jane+Doe&city=S%C3%A3o+Paulo",
    "phone +1 415 555 0100, amount 1234567890123 cents",
    "/api/teams/{team_id}/users/{user_id}",
    "sqlalchemy.engine.Engine",
    "xoxo kisses; the xapp package",
    {"password": None, "password_set": True, "secret_name": "prod/db"},
    {"token_type": "bearer", "expires_in": 3600},
    "cache_key=user:42 hit",
    "retry 3 of 5 after 250 ms",
    "version 1.2.3 (build 2024.01.15)",
    "ip 10.0.0.12:5432 reachable",
    {"headers": [("accept", "application/json"), ("content-length", "42")]},
    "a password: is required",  # a key word with a separator and no value
]


def false_positives(redact: Callable[[Any], Any]) -> list[Any]:
    """The look-alikes that redaction changed."""
    return [value for value in LOOKALIKES if rendered(redact(value)) != rendered(value)]
