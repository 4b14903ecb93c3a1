"""Per-line cost of the full log pipeline against a bare structlog JSON setup and against
python-json-logger, on the same records, in one run.

    python benchmarks/observability/bench_logging.py [--records 2000] [--repeats 15]

Setups (all write to os.devnull, all inside an active span with correlation fields bound):

* ``bare structlog``: contextvars, level, ISO timestamp, orjson JSON renderer: structlog's
  performance-guide production setup, without redaction, trace IDs or sampling.
* ``pavedroad (structlog)``: the full pipeline from ``configure()``: contextvars, level,
  logger name, trace and span IDs, timestamp, structured exceptions, redaction, orjson; the
  sampling policy keeps everything (``repeat_limit=None``), so the sampler is left out.
* ``pavedroad (structlog, sampler)``: the same with the sampler running (a repeat limit too
  high to drop anything), i.e. the cost of the default policy's bookkeeping.
* ``python-json-logger``: stdlib logging with ``pythonjsonlogger``'s JsonFormatter.
* ``pavedroad (stdlib)``: stdlib logging through the same pipeline via the root handler.

Each round times every setup once, in turn, so machine noise hits all of them alike, and the
order rotates from round to round, so no setup always runs first or last; the figures are
medians over rounds. Time is the process's CPU time (``time.process_time``), not
wall-clock time: on a shared machine, wall time also counts the time the process waited for
a CPU, which swings with the other load; wall-clock medians are printed for reference. The
target is at most 1.5x bare structlog per line.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from corpus import log_records
from opentelemetry import trace
from pavedroad.observability import LogSamplingPolicy, bound_correlation, configure, shutdown
from pythonjsonlogger.json import JsonFormatter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    records = [(r.pop("event"), r) for r in log_records(args.records)]
    devnull = open(os.devnull, "w")  # noqa: SIM115 - kept open for the whole run

    def pavedroad_config(repeat_limit: int | None) -> dict[str, Any]:
        """configure()'s structlog setup, with or without the repeat limiter running."""
        configure(
            service_name="bench",
            log_stream=devnull,
            log_format="json",
            log_sampling=LogSamplingPolicy(repeat_limit=repeat_limit),
            capture_loggers=(),
        )
        return structlog.get_config()

    with_sampler = pavedroad_config(10**9)
    full = pavedroad_config(None)  # also the stdlib path's setup for the whole run

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.BytesLoggerFactory(devnull.buffer),
        cache_logger_on_first_use=True,
    )
    bare = structlog.get_config()

    pjl_logger = logging.getLogger("bench.python_json_logger")
    pjl_logger.propagate = False
    pjl_handler = logging.StreamHandler(devnull)
    pjl_handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True))
    pjl_logger.addHandler(pjl_handler)
    stdlib_logger = logging.getLogger("bench.stdlib")

    def structlog_run(config: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            structlog.configure(**config)
            log = structlog.get_logger("bench")
            for event, fields in records:
                log.info(event, **fields)

        return run

    def stdlib_run(logger: logging.Logger) -> Callable[[], None]:
        def run() -> None:
            for event, fields in records:
                logger.info(event, extra=fields)

        return run

    setups: dict[str, Callable[[], None]] = {
        "bare structlog": structlog_run(bare),
        "pavedroad (structlog)": structlog_run(full),
        "pavedroad (structlog, sampler)": structlog_run(with_sampler),
        "python-json-logger": stdlib_run(pjl_logger),
        "pavedroad (stdlib)": stdlib_run(stdlib_logger),
    }
    timings: dict[str, list[float]] = {name: [] for name in setups}
    wall: dict[str, list[float]] = {name: [] for name in setups}
    tracer = trace.get_tracer("bench")
    with (
        tracer.start_as_current_span("bench"),
        bound_correlation(
            request_id="3f1c0e1a-9c4b-4c1e-9a5e-1f2b3c4d5e6f",
            team_id="T0123ABCD",
            enterprise_id="E0123ABCD",
            user_id="U0123ABCD",
        ),
    ):
        for run in setups.values():  # warm-up: caches, first-use logger binding
            run()
        names = list(setups)
        for index in range(args.repeats):
            # Rotate the order every round, so that each setup runs in each position (first,
            # right after another, last) equally often: on a loaded machine the position in
            # the round alone moves the figures by a third.
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                run = setups[name]
                start_wall, start = time.perf_counter(), time.process_time()
                run()
                timings[name].append((time.process_time() - start) / len(records) * 1e6)
                wall[name].append((time.perf_counter() - start_wall) / len(records) * 1e6)
    shutdown()

    medians = {name: statistics.median(values) for name, values in timings.items()}
    wall_medians = {name: statistics.median(values) for name, values in wall.items()}
    base = medians["bare structlog"]
    pjl = medians["python-json-logger"]
    print(
        f"records per round: {len(records)}, rounds: {args.repeats}, load average: "
        + " ".join(f"{value:.1f}" for value in os.getloadavg())
    )
    print(
        f"{'setup':<32}{'CPU us/line':>12}{'vs bare':>9}{'vs pjl':>8}"
        f"{'wall us/line':>14}{'vs bare':>9}"
    )
    for name, median in medians.items():
        wall_median = wall_medians[name]
        print(
            f"{name:<32}{median:>12.2f}{median / base:>8.2f}x{median / pjl:>7.2f}x"
            f"{wall_median:>14.2f}{wall_median / wall_medians['bare structlog']:>8.2f}x"
        )
    ratio = medians["pavedroad (structlog)"] / base
    verdict = "meets" if ratio <= 1.5 else "misses"
    print(f"full pipeline / bare structlog = {ratio:.2f}x CPU time ({verdict} the 1.5x target)")


if __name__ == "__main__":
    main()
