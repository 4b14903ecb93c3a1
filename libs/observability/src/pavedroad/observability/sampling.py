"""Log sampling: keep what matters, thin out chatty debug and info output.

The policy, in the order it is applied to each event:

1. Warnings and above are always kept, and never rate-limited.
2. Every event logged inside a sampled trace is kept, so a sampled trace always has its logs.
3. Loggers listed in ``exempt_loggers`` (by default the access log) are kept.
4. Debug and info events are kept with the probability configured for their logger: the
   longest matching logger-name prefix in ``rates`` wins, ``default_rate`` otherwise.
5. Repeats of the same event key (logger name and event text) beyond ``repeat_limit`` within
   one ``repeat_window_seconds`` window are dropped.

Dropped events are counted, and every ``report_interval_seconds`` (and at shutdown) one info
event, ``log events dropped by sampling``, reports how many were dropped and for which keys.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Final

from opentelemetry import trace
from pavedroad.observability.errors import ConfigurationError
from structlog import DropEvent

__all__ = ["REPORT_EVENT", "LogSampler", "LogSamplingPolicy"]

REPORT_EVENT: Final = "log events dropped by sampling"
REPORT_LOGGER: Final = "pavedroad.observability.sampling"
#: Event-dict key that marks the sampler's own report so it is never sampled itself.
REPORT_MARKER: Final = "_pavedroad_sampling_report"
_SAMPLED_LEVELS: Final = frozenset({"debug", "info", "notset"})
_MAX_TRACKED_KEYS: Final = 10_000
_EXEMPT: Final = 2.0  # a keep "probability" above 1 marks an exempt logger
_REPORTED_KEYS: Final = 20


@dataclass(frozen=True)
class LogSamplingPolicy:
    """How debug and info events are sampled and rate-limited. See the module docstring.

    Args:
        rates: Logger-name prefix to keep probability (0..1) for debug and info events, e.g.
            ``{"sqlalchemy.engine": 0.1}``. The longest matching prefix applies.
        default_rate: Keep probability for loggers that no prefix in ``rates`` matches.
        repeat_limit: Most debug/info events kept per event key per window; ``None`` turns
            rate limiting off.
        repeat_window_seconds: Length of the rate-limit window.
        report_interval_seconds: How often the count of dropped events is logged.
        exempt_loggers: Logger-name prefixes whose events are never sampled or rate-limited.
    """

    rates: Mapping[str, float] = field(default_factory=dict)
    default_rate: float = 1.0
    repeat_limit: int | None = 100
    repeat_window_seconds: float = 1.0
    report_interval_seconds: float = 60.0
    exempt_loggers: tuple[str, ...] = ("pavedroad.observability.access",)

    def __post_init__(self) -> None:
        for name, rate in {**self.rates, "<default_rate>": self.default_rate}.items():
            if not isinstance(rate, int | float) or math.isnan(rate) or not 0.0 <= rate <= 1.0:
                where = "default_rate" if name == "<default_rate>" else f"rates[{name!r}]"
                raise ConfigurationError(
                    f"log sampling {where} is outside 0..1; use a keep probability "
                    "between 0 and 1, e.g. 0.1 to keep one event in ten."
                )
        if self.repeat_limit is not None and (
            not isinstance(self.repeat_limit, int) or self.repeat_limit < 1
        ):
            raise ConfigurationError(
                "log sampling repeat_limit must be a positive whole "
                "number, or None to turn rate limiting off."
            )
        for name in ("repeat_window_seconds", "report_interval_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value > 0 or math.isinf(value):
                raise ConfigurationError(
                    f"log sampling {name} must be a positive number of seconds."
                )


def _in_sampled_trace(known: bool | None) -> bool:
    if known is not None:
        return known
    return bool(trace.get_current_span().get_span_context().trace_flags.sampled)


class LogSampler:
    """A structlog processor that applies a :class:`LogSamplingPolicy`.

    It expects ``level`` and ``logger`` in the event dict (run it after ``add_log_level`` and
    ``add_logger_name``) and raises :class:`structlog.DropEvent` for dropped events. ``report``
    receives the periodic summary as keyword fields; :func:`configure` wires it to a logger.
    """

    def __init__(
        self,
        policy: LogSamplingPolicy,
        *,
        report: Callable[..., None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        random_source: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self._report = report
        self._clock = clock
        self._random = random_source
        self._rates = sorted(policy.rates.items(), key=lambda item: -len(item[0]))
        self._rate_cache: dict[str, float] = {}
        self._exempt = policy.exempt_loggers
        #: Per logger name: its keep probability, or _EXEMPT for exempt loggers.
        self._logger_rates: dict[str, float] = {}
        self._repeat_limit = policy.repeat_limit
        self._window = policy.repeat_window_seconds
        self._lock = threading.Lock()
        now = clock()
        self._window_start = now
        self._window_counts: dict[tuple[str, str], int] = {}
        self._next_report = now + policy.report_interval_seconds
        self._dropped: Counter[str] = Counter()
        self._sampled_out = 0
        self._rate_limited = 0
        self._reporting = threading.local()

    @property
    def keeps_everything(self) -> bool:
        """Whether the policy can never drop an event (then the pipeline leaves it out)."""
        policy = self.policy
        return (
            policy.repeat_limit is None
            and policy.default_rate >= 1.0
            and all(rate >= 1.0 for rate in policy.rates.values())
        )

    def rate_for(self, logger_name: str) -> float:
        """Return the keep probability for debug/info events of ``logger_name``."""
        rate = self._rate_cache.get(logger_name)
        if rate is None:
            rate = self.policy.default_rate
            for prefix, prefix_rate in self._rates:
                if logger_name == prefix or logger_name.startswith(prefix + "."):
                    rate = prefix_rate
                    break
            if len(self._rate_cache) < _MAX_TRACKED_KEYS:
                self._rate_cache[logger_name] = rate
        return rate

    def __call__(
        self, logger: object, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        level = event_dict.get("level", method_name)
        if event_dict.pop(REPORT_MARKER, False):
            return event_dict
        name = event_dict.get("logger") or ""
        if not isinstance(name, str):
            name = str(name)
        if not self.keep(level, name, event_dict.get("event", ""), None):
            raise DropEvent
        return event_dict

    def keep(self, level: str, name: str, event: object, in_sampled_trace: bool | None) -> bool:
        """Apply the policy to one event; return whether it is kept (drops are counted).

        ``in_sampled_trace`` is whether the event was logged inside a sampled trace, or
        ``None`` to look it up only when the answer matters (for events about to be dropped).
        The log pipeline passes what it already knows; the report event is never sampled and
        must not be passed in.
        """
        now = self._clock()
        if now >= self._next_report:
            self.flush()
        if level not in _SAMPLED_LEVELS:
            return True
        rate = self._logger_rates.get(name)
        if rate is None:
            rate = self._logger_rate(name)
        if rate > 1.0:  # an exempt logger
            return True
        # The sampled-trace check costs a context lookup, so it is made only for events that
        # would otherwise be dropped.
        if rate < 1.0 and self._random() >= rate:
            if _in_sampled_trace(in_sampled_trace):
                return True
            with self._lock:
                self._sampled_out += 1
                self._count(name, event)
            return False
        limit = self._repeat_limit
        if limit is not None:
            key = (name, event if type(event) is str else str(event))
            with self._lock:
                if now - self._window_start >= self._window:
                    self._window_counts.clear()
                    self._window_start = now
                count = self._window_counts.get(key, 0) + 1
                if count <= limit or len(self._window_counts) < _MAX_TRACKED_KEYS:
                    self._window_counts[key] = count
            if count > limit and not _in_sampled_trace(in_sampled_trace):
                with self._lock:
                    self._rate_limited += 1
                    self._count(name, event)
                return False
        return True

    def _logger_rate(self, name: str) -> float:
        exempt = any(name == prefix or name.startswith(prefix + ".") for prefix in self._exempt)
        rate = _EXEMPT if exempt else self.rate_for(name)
        if len(self._logger_rates) < _MAX_TRACKED_KEYS:
            self._logger_rates[name] = rate
        return rate

    def _count(self, name: str, event: object) -> None:
        key = f"{name}:{event}"
        if key in self._dropped or len(self._dropped) < _MAX_TRACKED_KEYS:
            self._dropped[key] += 1
        else:
            self._dropped["<other>"] += 1

    def flush(self) -> None:
        """Report the events dropped since the last report, if any, and start a new interval."""
        if getattr(self._reporting, "active", False):
            return
        with self._lock:
            self._next_report = self._clock() + self.policy.report_interval_seconds
            if not self._dropped:
                return
            dropped, self._dropped = self._dropped, Counter()
            sampled_out, self._sampled_out = self._sampled_out, 0
            rate_limited, self._rate_limited = self._rate_limited, 0
        if self._report is None:
            return
        self._reporting.active = True
        try:
            self._report(
                **{
                    REPORT_MARKER: True,
                    "dropped_total": sampled_out + rate_limited,
                    "sampled_out": sampled_out,
                    "rate_limited": rate_limited,
                    "top_dropped": dict(dropped.most_common(_REPORTED_KEYS)),
                    "interval_seconds": self.policy.report_interval_seconds,
                }
            )
        finally:
            self._reporting.active = False
