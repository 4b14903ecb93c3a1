"""Secret references: the text a setting holds instead of a secret value.

Grammar (``%23``, ``%3F`` and ``%25`` stand for ``#``, ``?`` and ``%`` inside a path or key)::

    env:NAME[#key]
    file:/absolute/path[#key]
    aws-sm:<secret id or ARN>[?stage=LABEL][#key]
    vault:<mount>/<path>#key                 (KV version 2)
    vault-db:<mount>/<role>[#key]            (dynamic database credentials)

``?query`` and ``#key`` may come in either order. ``#key`` picks one key out of JSON content.

Errors never quote the text: a setting that should hold a reference may hold a secret value by
mistake. They name the scheme (when it is a known one) and say what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from pavedroad.secrets.errors import ReferenceSyntaxError, UnknownSchemeError

BUILTIN_SCHEMES: tuple[str, ...] = ("env", "file", "aws-sm", "vault", "vault-db")

_SCHEME_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LABEL_RE = re.compile(r"[A-Za-z0-9_.-]{1,256}\Z")
_ALLOWED_PARAMS: Mapping[str, frozenset[str]] = {
    "aws-sm": frozenset({"stage", "version-id"}),
    "vault": frozenset({"version"}),
}
# Linux's PATH_MAX less the terminating NUL: no longer file: path can be opened.
_MAX_PATH_BYTES = 4095
# Characters that would end the body early; quoted when a reference is rendered.
_RESERVED = "%#?"


@dataclass(frozen=True, slots=True)
class SecretReference:
    """A parsed reference. ``str(ref)`` renders the canonical text that parses back to it."""

    scheme: str
    body: str
    key: str | None = None
    params: tuple[tuple[str, str], ...] = field(default=())

    def param(self, name: str) -> str | None:
        """Return the value of query parameter ``name`` (e.g. ``stage``), or None."""
        for param_name, value in self.params:
            if param_name == name:
                return value
        return None

    def without_key(self) -> SecretReference:
        """The same reference without its ``#key``: the whole document."""
        return SecretReference(self.scheme, self.body, None, self.params)

    def __str__(self) -> str:
        text = f"{self.scheme}:{_encode(self.body)}"
        if self.params:
            text += "?" + "&".join(
                f"{name}={_encode(value, extra_reserved='&=')}" for name, value in self.params
            )
        if self.key is not None:
            text += "#" + _encode(self.key)
        return text


def _encode(text: str, *, extra_reserved: str = "") -> str:
    reserved = _RESERVED + extra_reserved
    return quote(text, safe="".join(chr(c) for c in range(33, 127) if chr(c) not in reserved))


def _decode(text: str) -> str:
    return unquote(text, errors="strict")


def parse_reference(text: str, *, schemes: Iterable[str] = BUILTIN_SCHEMES) -> SecretReference:
    """Parse reference ``text``; raise :class:`ReferenceSyntaxError` naming what is wrong.

    ``schemes`` is the set of schemes the caller can resolve. The built-in schemes get their
    body checked; any other scheme in ``schemes`` is accepted as an opaque body.
    """
    known = tuple(schemes)
    if not isinstance(text, str):
        raise ReferenceSyntaxError(
            f"a secret reference is a str such as 'env:NAME', got {type(text).__name__}"
        )
    scheme, sep, rest = text.partition(":")
    if not sep or not _SCHEME_RE.match(scheme):
        # The text is not echoed: a setting that should hold a reference may hold a value.
        raise ReferenceSyntaxError(
            "a secret reference must start with a scheme such as 'env:' or 'file:' "
            f"(known: {', '.join(s + ':' for s in sorted(known))}); the text is not shown "
            "in case it is a secret value put where its reference belongs"
        )
    if scheme not in known:
        raise UnknownSchemeError(scheme, known)
    if scheme == "file" and len(rest.encode("utf-8", "surrogatepass")) > _MAX_PATH_BYTES:
        raise ReferenceSyntaxError(
            f"a file: secret reference is longer than {_MAX_PATH_BYTES} bytes, more than a "
            "path may be; give the path of the mounted secret file"
        )
    body, query, key = _split(rest, scheme)
    if not body:
        raise ReferenceSyntaxError(f"{scheme}: secret reference has nothing after '{scheme}:'")
    try:
        body = _decode(body)
        key = None if key is None else _decode(key)
        params = _parse_query(query, scheme)
    except UnicodeDecodeError:
        raise ReferenceSyntaxError(
            f"{scheme}: secret reference has a %-escape that is not UTF-8"
        ) from None
    if key == "":
        raise ReferenceSyntaxError(
            f"{scheme}: secret reference ends in an empty '#': name a key or drop the '#'"
        )
    _check_body(scheme, body, key)
    return SecretReference(scheme, body, key, params)


def _split(rest: str, scheme: str) -> tuple[str, str | None, str | None]:
    """Split ``body[?query][#key]`` (or ``body#key?query``) into its three parts."""
    body_end = len(rest)
    for marker in "?#":
        index = rest.find(marker)
        if index != -1:
            body_end = min(body_end, index)
    body, tail = rest[:body_end], rest[body_end:]
    query: str | None = None
    key: str | None = None
    while tail:
        marker, tail = tail[0], tail[1:]
        ends = [i for i in (tail.find("?"), tail.find("#")) if i != -1]
        next_index = min(ends, default=len(tail))
        part, tail = tail[:next_index], tail[next_index:]
        if marker == "?":
            if query is not None:
                raise ReferenceSyntaxError(f"{scheme}: secret reference has two '?' query parts")
            query = part
        else:
            if key is not None:
                raise ReferenceSyntaxError(
                    f"{scheme}: secret reference has two '#' keys: a reference picks one key"
                )
            key = part
    return body, query, key


def _parse_query(query: str | None, scheme: str) -> tuple[tuple[str, str], ...]:
    if query is None:
        return ()
    allowed = _ALLOWED_PARAMS.get(scheme, frozenset())
    params: dict[str, str] = {}
    for item in query.split("&"):
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise ReferenceSyntaxError(
                f"{scheme}: secret reference has a query item that is not name=value"
            )
        if name not in allowed:
            hint = f"allowed: {', '.join(sorted(allowed))}" if allowed else f"{scheme}: takes none"
            raise ReferenceSyntaxError(
                f"{scheme}: secret reference has an unknown query parameter ({hint})"
            )
        if name in params:
            raise ReferenceSyntaxError(f"{scheme}: secret reference gives {name} twice")
        params[name] = _decode(value)
    for name in ("stage", "version-id"):
        if name in params and not _LABEL_RE.match(params[name]):
            raise ReferenceSyntaxError(
                f"{scheme}: secret reference's {name} may hold only letters, "
                "digits, '_', '.' and '-' (e.g. stage=AWSCURRENT or stage=AWSPREVIOUS)"
            )
    if "version" in params and not params["version"].isdigit():
        raise ReferenceSyntaxError(
            f"{scheme}: secret reference's version must be a positive integer"
        )
    return tuple(sorted(params.items()))


def _check_body(scheme: str, body: str, key: str | None) -> None:
    if scheme == "env" and not _ENV_NAME_RE.match(body):
        raise ReferenceSyntaxError(
            "an env: secret reference must name an environment variable "
            "(letters, digits and '_', not starting with a digit)"
        )
    if scheme == "file" and not body.startswith("/"):
        raise ReferenceSyntaxError(
            "a file: secret reference must give an absolute path, e.g. "
            "'file:/var/run/secrets/app/token'"
        )
    if scheme in ("aws-sm", "vault", "vault-db") and any(c.isspace() for c in body):
        raise ReferenceSyntaxError(f"{scheme}: secret reference must not contain whitespace")
    if scheme == "vault":
        mount, _, path = body.strip("/").partition("/")
        if not mount or not path:
            raise ReferenceSyntaxError(
                "a vault: secret reference has the form 'vault:<mount>/<path>#key', "
                "e.g. 'vault:secret/app/slack#bot_token'"
            )
        if key is None:
            raise ReferenceSyntaxError(
                "a vault: secret reference needs a '#key' (a KV v2 secret holds several), "
                "e.g. 'vault:secret/app/slack#bot_token'"
            )
    if scheme == "vault-db":
        mount, _, role = body.strip("/").rpartition("/")
        if not mount or not role:
            raise ReferenceSyntaxError(
                "a vault-db: secret reference has the form 'vault-db:<mount>/<role>', "
                "e.g. 'vault-db:database/app'"
            )


def split_vault_kv(ref: SecretReference) -> tuple[str, str]:
    """Return ``(mount, path)`` of a ``vault:`` reference: the mount is the first segment."""
    mount, _, path = ref.body.strip("/").partition("/")
    return mount, path


def split_vault_db(ref: SecretReference) -> tuple[str, str]:
    """Return ``(mount, role)`` of a ``vault-db:`` reference: the role is the last segment."""
    mount, _, role = ref.body.strip("/").rpartition("/")
    return mount, role
