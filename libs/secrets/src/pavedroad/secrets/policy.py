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
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, *, field: str = "duration") -> timedelta:
    """Parse ``90d``, ``1d12h``, ``30m`` ... into a timedelta; PolicyError names the field."""
    stripped = text.strip() if isinstance(text, str) else ""
    pieces = _DURATION_RE.findall(stripped)
    if not stripped or "".join(n + u for n, u in pieces) != stripped:
        raise PolicyError(
            f"{field}: {text!r} is not a duration; write a number with a unit s, m, h, d or w, "
            "e.g. '30d' or '1d12h'"
        )
    seconds = sum(float(number) * _UNITS[unit] for number, unit in pieces)
    if seconds <= 0:
        raise PolicyError(f"{field}: {text!r} must be longer than zero")
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
                    f"{where}.class: {secret_class!r} is not a class; use one of "
                    f"{', '.join(sorted(max_ages))} or define it under [classes]"
                )
            secrets.append(PolicyEntry(ref, secret_class))
        return cls(max_ages=max_ages, secrets=tuple(secrets))


@dataclass(frozen=True, slots=True)
class AgeReport:
    """The result of checking one secret: ``status`` is ``ok``, ``overdue`` or ``error``."""

    reference: str
    secret_class: str
    max_age: timedelta
    age: timedelta | None
    status: str
    detail: str = ""


def check_policy(
    policy: RotationPolicy, resolver: Resolver, *, now: datetime | None = None
) -> list[AgeReport]:
    """Measure every secret in ``policy`` against its class's maximum age."""
    moment = now or datetime.now(UTC)
    reports = []
    for entry in policy.secrets:
        max_age = policy.max_ages[entry.secret_class]
        try:
            metadata = resolver.describe(entry.reference)
        except (SecretError, ReferenceSyntaxError) as exc:
            reports.append(
                AgeReport(entry.reference, entry.secret_class, max_age, None, "error", str(exc))
            )
            continue
        if metadata.last_changed is None:
            reports.append(
                AgeReport(
                    entry.reference,
                    entry.secret_class,
                    max_age,
                    None,
                    "error",
                    f"{entry.reference.partition(':')[0]}: references carry no age; "
                    "check a file or store that holds the same secret",
                )
            )
            continue
        age = max(moment - metadata.last_changed, timedelta(0))
        status = "overdue" if age > max_age else "ok"
        reports.append(AgeReport(entry.reference, entry.secret_class, max_age, age, status))
    return reports
