"""Log calls that never raise and never write their raw arguments.

A ``%``-style log call whose arguments do not fit its template (``log.info("%s %s", x)``)
raises in structlog, in the caller's code, and in stdlib logging prints the record's arguments
(secrets included) to stderr. Here both are turned into an error record that says which call
failed (logger, level, template, call site, the error's type, the number of arguments) and goes
through the pipeline, so it is redacted like any other; the arguments themselves are dropped.

:func:`safe_bound_logger_class` is structlog's filtering bound logger with the interpolation
guarded, as cheap as the original on the common path.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

import structlog

__all__ = ["FAILED_EVENT", "failure_details", "interpolate", "safe_bound_logger_class"]

#: The event of the record that replaces a log call whose message could not be formatted.
FAILED_EVENT: Final = "log message could not be formatted"
#: The field of that record that describes the failed call.
FAILURE_KEY: Final = "log_error"
_LEVELS: Final = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}
_ALIASES: Final = {"warn": "warning", "fatal": "critical", "msg": "info"}


def interpolate(event: Any, args: tuple[Any, ...]) -> Any:
    """Format ``event % args`` as structlog does (one non-empty mapping: by name)."""
    if len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
        return event % args[0]
    return event % args


def failure_details(
    template: object, level: str, args_count: int, error: BaseException, callsite: str
) -> dict[str, Any]:
    """What the error record says about a failed call: never the arguments."""
    return {
        "template": template if isinstance(template, str) else type(template).__name__,
        "level": level,
        "error": type(error).__name__,
        "arguments": args_count,
        "callsite": callsite,
    }


def _callsite() -> str:
    """``module:line`` of the application code that made the log call."""
    frame = sys._getframe(2)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", "?"))
        if module != __name__ and module != "structlog" and not module.startswith("structlog."):
            return f"{module}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return "unknown"  # pragma: no cover - no caller outside structlog


def _failed(name: str, event: Any, args: tuple[Any, ...], error: Exception, kw: Any) -> Any:
    kw[FAILURE_KEY] = failure_details(event, name, len(args), error, _callsite())
    return FAILED_EVENT, kw


def _sync_method(name: str) -> Callable[..., Any]:
    def method(self: Any, event: Any, *args: Any, **kw: Any) -> Any:
        level = name
        if args:
            try:
                event = interpolate(event, args)
            except Exception as error:
                event, kw = _failed(name, event, args, error, kw)
                level = "error"
        # Outside the except block, so that exc_info=True still means the caller's exception.
        return self._proxy_to_logger(level, event, **kw)

    method.__name__ = name
    return method


def _async_method(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    async def method(self: Any, event: Any, *args: Any, **kw: Any) -> Any:
        failed = False
        if args:
            try:
                event = interpolate(event, args)
            except Exception as error:
                event, kw = _failed(name, event, args, error, kw)
                failed = True
        if failed:
            return await self.aerror(event, **kw)
        return await original(self, event, **kw)

    method.__name__ = f"a{name}"
    return method


def safe_bound_logger_class(min_level: int) -> type[Any]:
    """Return structlog's filtering bound logger for ``min_level``, with every enabled level
    method (sync and async, ``log``/``alog`` and the aliases) turned from raising on a bad
    ``%`` template into emitting the error record at level ``error``."""
    base: type[Any] = structlog.make_filtering_bound_logger(min_level)
    methods: dict[str, Any] = {}
    for number, name in _LEVELS.items():
        if number < min_level:
            continue
        methods[name] = _sync_method(name)
        methods[f"a{name}"] = _async_method(name, getattr(base, f"a{name}"))
    for alias, name in _ALIASES.items():
        if name in methods:
            methods[alias] = methods[name]
            methods[f"a{alias}"] = methods[f"a{name}"]

    def log(self: Any, level: int, event: Any, *args: Any, **kw: Any) -> Any:
        name = _LEVELS.get(level)
        if level < min_level or name is None:
            return base.log(self, level, event, *args, **kw)
        return methods[name](self, event, *args, **kw)

    async def alog(self: Any, level: int, event: Any, *args: Any, **kw: Any) -> Any:
        name = _LEVELS.get(level)
        if level < min_level or name is None:
            return await base.alog(self, level, event, *args, **kw)
        return await methods[f"a{name}"](self, event, *args, **kw)

    methods["log"] = log
    methods["alog"] = alog
    return type(f"Safe{base.__name__}", (base,), methods)
