"""What one setting is (:class:`Setting`), and the parsers that turn its input into a value.

A parser is called with the input (a ``configure()`` argument, or the text of an environment
variable) and the name to blame: the argument's or the variable's. Input it cannot use raises
:class:`ConfigurationError` naming that source and what is allowed, never the input itself (a
secret pasted into the wrong variable must not reach a terminal or a log), and never chained to
an exception that would show it. Each parser also says in words what it accepts
(:attr:`Parser.allowed`), for the README's configuration table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Generic, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

from pavedroad.observability.errors import ConfigurationError

__all__ = [
    "Boolean",
    "ByteCount",
    "Choice",
    "Given",
    "KeyValues",
    "Milliseconds",
    "Parser",
    "Ratio",
    "SampleRates",
    "Setting",
    "Text",
    "Url",
    "WholeNumber",
    "parse_key_value_list",
]

T_co = TypeVar("T_co", covariant=True)

_NOT_SHOWN: Final = "(the value is not shown)"
_BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class Parser(Protocol[T_co]):
    """Turns the input of ``source`` (an argument or a variable name) into a value."""

    @property
    def allowed(self) -> str:
        """What the parser accepts, as Markdown ("" when a setting's text says it all)."""
        ...

    def __call__(self, value: object, source: str) -> T_co: ...


@dataclass(frozen=True)
class Setting(Generic[T_co]):
    """One row of the settings table: where a setting comes from, how it is read, its default.

    An argument beats the environment; among ``variables`` the first one set (and not blank)
    wins, so signal-specific OpenTelemetry variables are listed before generic ones.
    """

    #: The setting's name (the :class:`ObservabilitySettings` field, where there is one).
    name: str
    #: What it does, as Markdown for the README.
    doc: str
    parse: Parser[T_co]
    default: T_co
    #: The argument that sets it, of :attr:`function`; ``None`` when only variables do.
    argument: str | None = None
    #: Environment variables, highest precedence first.
    variables: tuple[str, ...] = ()
    #: How the README shows the default, when ``default`` itself would not say it well.
    default_doc: str | None = None
    #: How a variable's text is read, when not like the argument (``OTEL_SDK_DISABLED``).
    environment_parse: Parser[T_co] | None = None
    #: The functions that take :attr:`argument`, comma-separated.
    function: str = "configure"

    def from_argument(self, value: object) -> T_co | None:
        """The argument's value, checked; ``None`` when it was not given."""
        if value is None:
            return None
        return self.parse(value, self.argument or self.name)

    def from_environment(self, environ: Mapping[str, str]) -> tuple[T_co, str] | None:
        """The value of the first variable set, and that variable's name; else ``None``."""
        for variable in self.variables:
            raw = environ.get(variable)
            if raw is not None and raw.strip():
                return (self.environment_parse or self.parse)(raw, variable), variable
        return None

    def lookup(self, argument: object, environ: Mapping[str, str]) -> tuple[T_co, str] | None:
        """The value and its source (the argument's name or a variable's), else ``None``."""
        given = self.from_argument(argument)
        if given is not None:
            return given, self.argument or self.name
        return self.from_environment(environ)

    def resolve(self, argument: object, environ: Mapping[str, str]) -> T_co:
        """The argument, else the first variable set, else the default."""
        found = self.lookup(argument, environ)
        return self.default if found is None else found[0]

    def layers(self, environ: Mapping[str, str]) -> list[T_co]:
        """Every variable's value, lowest precedence first, for settings that merge them."""
        return [
            (self.environment_parse or self.parse)(environ[variable], variable)
            for variable in reversed(self.variables)
            if environ.get(variable, "").strip()
        ]


def parse_key_value_list(raw: str, *, variable: str) -> dict[str, str]:
    """Parse ``key1=value1,key2=value2`` as OpenTelemetry specifies for resource attributes and
    OTLP headers: values are percent-decoded, surrounding spaces are dropped, and any item
    without a key or an ``=`` is an error rather than skipped.
    """
    result: dict[str, str] = {}
    if not raw.strip():
        return result
    items = raw.split(",")
    for position, item in enumerate(items, start=1):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigurationError(
                f"{variable} is malformed at item {position} of {len(items)} (values are not "
                "shown): expected comma-separated key=value pairs, e.g. "
                "'deployment.environment.name=prod,team=payments'."
            )
        try:
            result[key] = unquote(value.strip(), errors="strict")
        except UnicodeDecodeError:
            raise ConfigurationError(
                f"{variable}: the value of item {position} of {len(items)} is not valid "
                "percent-encoded UTF-8 (values are not shown)."
            ) from None
    return result


@dataclass(frozen=True)
class Given:
    """An argument taken as it is (it has no variable, and its type says what it is)."""

    @property
    def allowed(self) -> str:
        return ""

    def __call__(self, value: object, source: str) -> object:
        return value


@dataclass(frozen=True)
class Text:
    """Text with surrounding spaces dropped; ``empty_hint`` makes blank text an error."""

    empty_hint: str | None = None

    @property
    def allowed(self) -> str:
        return ""

    def __call__(self, value: object, source: str) -> str:
        text = str(value).strip()
        if not text and self.empty_hint is not None:
            raise ConfigurationError(f"{source} is empty; give {self.empty_hint}.")
        return text


@dataclass(frozen=True)
class Choice:
    """One of ``options``, compared in lower case (upper case with ``upper``)."""

    options: tuple[str, ...]
    upper: bool = False

    @property
    def allowed(self) -> str:
        return "One of " + ", ".join(f"`{option}`" for option in self.options) + "."

    def __call__(self, value: object, source: str) -> str:
        text = str(value).strip()
        text = text.upper() if self.upper else text.lower()
        if text not in self.options:
            raise ConfigurationError(
                f"{source} is not supported {_NOT_SHOWN}; use one of: {', '.join(self.options)}."
            )
        return text


@dataclass(frozen=True)
class Boolean:
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``); ``negate`` inverts it."""

    negate: bool = False

    @property
    def allowed(self) -> str:
        return "A boolean: `true` or `false`."

    def __call__(self, value: object, source: str) -> bool:
        parsed = value if isinstance(value, bool) else _BOOLEANS.get(str(value).strip().lower())
        if parsed is None:
            raise ConfigurationError(
                f"{source} is not a boolean {_NOT_SHOWN}; use 'true' or 'false'."
            )
        return parsed is not self.negate


@dataclass(frozen=True)
class Ratio:
    """A number from 0 to 1."""

    @property
    def allowed(self) -> str:
        return "A number from 0 to 1."

    def __call__(self, value: object, source: str) -> float:
        hint = "use a sampling ratio between 0 and 1, e.g. 0.25."
        try:
            ratio = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            # "from None": float()'s own message would quote the value.
            raise ConfigurationError(f"{source} is not a number {_NOT_SHOWN}; {hint}") from None
        if math.isnan(ratio) or not 0.0 <= ratio <= 1.0:
            raise ConfigurationError(f"{source} is outside 0..1 {_NOT_SHOWN}; {hint}")
        return ratio


@dataclass(frozen=True)
class Url:
    """An http(s) URL with a host."""

    @property
    def allowed(self) -> str:
        return "An `http://` or `https://` URL."

    def __call__(self, value: object, source: str) -> str:
        text = value.strip() if isinstance(value, str) else ""
        parts = urlsplit(text)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigurationError(
                f"{source} is not an http(s) URL {_NOT_SHOWN}; use e.g. "
                "'http://otel-collector:4318'."
            )
        return text


@dataclass(frozen=True)
class Milliseconds:
    """A positive number of milliseconds, returned in seconds."""

    @property
    def allowed(self) -> str:
        return "Milliseconds, as the specification says."

    def __call__(self, value: object, source: str) -> float:
        try:
            millis = float(str(value))
        except ValueError:
            millis = -1.0
        if not millis > 0 or math.isinf(millis):
            raise ConfigurationError(
                f"{source} is not a positive number of milliseconds {_NOT_SHOWN}; use e.g. "
                "10000 for ten seconds."
            )
        return millis / 1000.0


@dataclass(frozen=True)
class ByteCount:
    """A whole number of bytes of at least ``minimum``."""

    minimum: int

    @property
    def allowed(self) -> str:
        return f"Bytes, at least {self.minimum}."

    def __call__(self, value: object, source: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ConfigurationError(
                f"{source} is not a whole number of bytes {_NOT_SHOWN}; use e.g. 65536."
            )
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) < self.minimum:
            raise ConfigurationError(
                f"{source} must be a whole number of bytes of at least {self.minimum} (the value "
                "is not shown); use e.g. 65536."
            )
        return int(text)


@dataclass(frozen=True)
class WholeNumber:
    """A whole number, 0 or more; ``hint`` says what it counts."""

    hint: str

    @property
    def allowed(self) -> str:
        return "A whole number."

    def __call__(self, value: object, source: str) -> int:
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[0-9]+", text):
            raise ConfigurationError(f"{source} is not a whole number {_NOT_SHOWN}; {self.hint}")
        return int(text)


@dataclass(frozen=True)
class KeyValues:
    """``k=v,k2=v2`` text (percent-decoded, strict), or a mapping of strings to strings."""

    @property
    def allowed(self) -> str:
        return "`key=value,key2=value2`, percent-decoded; an item without `=` is an error."

    def __call__(self, value: object, source: str) -> dict[str, str]:
        if isinstance(value, str):
            return parse_key_value_list(value, variable=source)
        if not isinstance(value, Mapping):
            raise ConfigurationError(
                f"{source} must be a mapping of strings to strings, not a {type(value).__name__}."
            )
        for key, item in value.items():
            if not isinstance(key, str) or not key or not isinstance(item, str):
                raise ConfigurationError(
                    f"{source}: keys and values must be non-empty strings; an entry "
                    f"has a {type(key).__name__} key and a {type(item).__name__} value."
                )
        return dict(value)


@dataclass(frozen=True)
class SampleRates:
    """``logger=rate`` pairs; ``*`` (or ``root``) is every other logger, stored under ``""``."""

    @property
    def allowed(self) -> str:
        return "`logger=rate` pairs, rates from 0 to 1, `*` for every other logger."

    def __call__(self, value: object, source: str) -> dict[str, float]:
        rates: dict[str, float] = {}
        for key, rate in KeyValues()(value, source).items():
            rates["" if key in {"*", "root"} else key] = Ratio()(rate, f"{source}[{key}]")
        return rates
