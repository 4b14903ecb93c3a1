"""Rotation policy: the maximum age of each class of secret, and a check of actual ages.

A policy file is TOML::

    [classes]                       # optional: overrides DEFAULT_MAX_AGES, adds classes
    database-password = "30d"

    [[secrets]]
    ref = "aws-sm:prod/app/db"
    class = "database-password"

    [[secrets]]
    ref = "file:/var/run/secrets/app/tls/tls.crt"
    class = "mtls-certificate"

Durations are numbers with a unit, combinable: ``90d``, ``12h``, ``1d12h``, ``30m``, ``45s``,
``2w``. The age of a secret is measured from when its current version was created (AWS), its
current version was written (Vault KV) or its file was last modified.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pavedroad.secrets.errors import PolicyError, ReferenceSyntaxError, SecretError
from pavedroad.secrets.resolver import Resolver

#: The documented cadence: the longest a secret of each class may live (see the README).
DEFAULT_MAX_AGES: Mapping[str, timedelta] = {
    "slack-token": timedelta(days=90),
    "signing-secret": timedelta(days=90),
    "database-password": timedelta(days=30),
    "api-key": timedelta(days=90),
    "mtls-certificate": timedelta(days=90),
}

_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
# No rotation period is longer; also keeps timedelta and datetime arithmetic in range.
_MAX_DURATION = timedelta(days=100 * 365)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, *, field: str = "duration") -> timedelta:
    """Parse ``90d``, ``1d12h``, ``30m`` ... into a timedelta; PolicyError names the field."""
    stripped = text.strip() if isinstance(text, str) else ""
    pieces = _DURATION_RE.findall(stripped)
    if not stripped or "".join(n + u for n, u in pieces) != stripped:
        raise PolicyError(
            f"{field} is not a duration; write a number with a unit s, m, h, d or w, "
            "e.g. '30d' or '1d12h'"
        )
    seconds = sum(float(number) * _UNITS[unit] for number, unit in pieces)
    if seconds <= 0:
        raise PolicyError(f"{field} must be longer than zero")
    if seconds > _MAX_DURATION.total_seconds():
        raise PolicyError(
            f"{field} is longer than {_MAX_DURATION.days // 365} years; a rotation period is "
            "days or months, e.g. '90d'"
        )
    return timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    """One secret the policy covers."""

    reference: str
    secret_class: str


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    """Maximum ages by class and the secrets they apply to."""

    max_ages: Mapping[str, timedelta]
    secrets: tuple[PolicyEntry, ...]

    @classmethod
    def load(cls, path: str | Path) -> RotationPolicy:
        """Read a policy file; PolicyError names the file and the field at fault."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"policy file {path}: cannot read it ({exc.strerror})") from None
        return cls.loads(text, source=str(path))

    @classmethod
    def loads(cls, text: str, *, source: str = "<policy>") -> RotationPolicy:
        """Parse policy TOML ``text``; ``source`` names it in errors."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file {source}: not valid TOML ({exc})") from None
        unknown = sorted(set(data) - {"classes", "secrets"})
        if unknown:
            raise PolicyError(
                f"policy file {source}: unknown table(s) {', '.join(unknown)}; "
                "use [classes] and [[secrets]]"
            )
        classes = data.get("classes", {})
        if not isinstance(classes, dict):
            raise PolicyError(f"policy file {source}: [classes] must be a table of durations")
        max_ages = dict(DEFAULT_MAX_AGES)
        for name, value in classes.items():
            max_ages[name] = parse_duration(value, field=f"{source}: classes.{name}")
        entries = data.get("secrets", [])
        if not isinstance(entries, list) or not entries:
            raise PolicyError(
                f"policy file {source}: list the secrets to check as [[secrets]] tables with "
                "'ref' and 'class'"
            )
        secrets = []
        for index, entry in enumerate(entries):
            where = f"{source}: secrets[{index}]"
            if not isinstance(entry, dict):
                raise PolicyError(f"{where} must be a table with 'ref' and 'class'")
            extra = sorted(set(entry) - {"ref", "class"})
            if extra:
                raise PolicyError(f"{where}: unknown field(s) {', '.join(extra)}")
            ref, secret_class = entry.get("ref"), entry.get("class")
            if not isinstance(ref, str) or not ref:
                raise PolicyError(f"{where}.ref must be a secret reference such as 'env:NAME'")
            if secret_class not in max_ages:
                raise PolicyError(
                    f"{where}.class is not a known class; use one of "
                    f"{', '.join(sorted(max_ages))} or define it under [classes]"
                )
            secrets.append(PolicyEntry(ref, secret_class))
        return cls(max_ages=max_ages, secrets=tuple(secrets))


@dataclass(frozen=True, slots=True)
class AgeReport:
    """The result of checking one secret: ``status`` is ``ok``, ``overdue`` or ``error``.

    ``entry`` names the policy entry (``secrets[3]``). ``reference`` is the entry's reference in
    canonical form, or empty when the entry's text is not a reference: such text may be a secret
    value written where its reference belongs, so it is never shown.
    """

    reference: str
    secret_class: str
    max_age: timedelta
    age: timedelta | None
    status: str
    detail: str = ""
    entry: str = ""


def check_policy(
    policy: RotationPolicy, resolver: Resolver, *, now: datetime | None = None
) -> list[AgeReport]:
    """Measure every secret in ``policy`` against its class's maximum age.

    A failure with one entry (a malformed reference, an unreadable secret, any exception of a
    provider) is reported as that entry's ``error`` and the other entries are still checked.
    """
    moment = now or datetime.now(UTC)
    return [
        _check_entry(
            f"secrets[{index}]", entry, policy.max_ages[entry.secret_class], resolver, moment
        )
        for index, entry in enumerate(policy.secrets)
    ]


def _check_entry(
    where: str, entry: PolicyEntry, max_age: timedelta, resolver: Resolver, moment: datetime
) -> AgeReport:
    def report(status: str, reference: str, age: timedelta | None, detail: str = "") -> AgeReport:
        return AgeReport(reference, entry.secret_class, max_age, age, status, detail, where)

    try:
        reference = str(resolver.parse(entry.reference))
    except ReferenceSyntaxError as exc:
        return report(
            "error",
            "",
            None,
            f"{where}.ref looks like a value, not a secret reference, or is a malformed one; "
            f"it is not shown: {exc}",
        )
    try:
        metadata = resolver.describe(reference)
    except (SecretError, ImportError) as exc:  # ImportError: the message names the extra
        return report("error", reference, None, str(exc))
    except Exception as exc:  # one broken provider must not end the whole report
        return report("error", reference, None, f"reading it failed with {type(exc).__name__}")
    if metadata.last_changed is None:
        return report(
            "error",
            reference,
            None,
            f"{reference.partition(':')[0]}: references carry no age; "
            "check a file or store that holds the same secret",
        )
    age = max(moment - metadata.last_changed, timedelta(0))
    return report("overdue" if age > max_age else "ok", reference, age)
