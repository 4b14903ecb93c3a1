"""Redaction throughput on a mixed corpus, against logfire's scrubber when it is installed.

    python benchmarks/observability/bench_redaction.py [--texts 5000] [--repeats 7]

The corpus: unique log-like strings of 3-30 words, a fifth of them with a secret of one of the
built-in kinds. Each round redacts every string once with each redactor; figures are medians
over rounds, in CPU time (``time.process_time``: on a shared machine wall time also counts
waiting for a CPU). ``pavedroad (no cache)`` disables the clean-string cache, so every string
is fully scanned every round; ``pavedroad`` is the default (a 4096-entry cache of strings
found clean), which meets most strings again in later rounds, as a service meets repeated
values.
logfire's scrubber is compared through ``scrub_value``, the entry point logfire uses for
attribute values; it is optional (``pip install logfire``) and skipped when absent.

Then it measures recall on the corpus the test suite shares
(``libs/observability/tests/observability_corpus.py``: every secret kind in every context) and
counts the look-alikes redaction changed: the table ``libs/observability/README.md`` publishes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpus import secrets, text_corpus
from pavedroad.observability import Redactor

# The recall corpus lives with the tests that assert its floor.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "libs" / "observability" / "tests"))
import observability_corpus


def _logfire_scrubber() -> Callable[[str], object] | None:
    try:
        from logfire._internal.scrubbing import Scrubber
    except ImportError:
        return None
    scrubber = Scrubber(patterns=None)
    return lambda text: scrubber.scrub_value(("attributes", "message"), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    texts = text_corpus(args.texts)
    megabytes = sum(len(text.encode()) for text in texts) / 1e6
    redactors: dict[str, Callable[[str], object]] = {
        "pavedroad (no cache)": Redactor(cache_size=0).redact_text,
        "pavedroad": Redactor().redact_text,
    }
    logfire = _logfire_scrubber()
    if logfire is not None:
        redactors["logfire Scrubber"] = logfire

    pool = secrets(random.Random(3))
    found = {
        name: sum(1 for s in pool if s not in str(fn(f"x {s} y"))) for name, fn in redactors.items()
    }

    timings: dict[str, list[float]] = {name: [] for name in redactors}
    for _ in range(args.repeats):
        for name, redact in redactors.items():
            start = time.process_time()
            for text in texts:
                redact(text)
            timings[name].append(time.process_time() - start)

    print(f"corpus: {len(texts)} strings, {megabytes:.2f} MB, rounds: {args.repeats}")
    base = statistics.median(timings["pavedroad (no cache)"])
    print(
        f"{'redactor':<22}{'median s':>10}{'MB/s':>9}{'strings/s':>12}{'vs pavedroad':>14}"
        f"{'secrets removed':>17}"
    )
    for name, values in timings.items():
        median = statistics.median(values)
        print(
            f"{name:<22}{median:>10.3f}{megabytes / median:>9.2f}{len(texts) / median:>12.0f}"
            f"{median / base:>13.2f}x{found[name]:>11}/{len(pool)}"
        )
    if logfire is None:
        print("logfire is not installed: pip install logfire to compare against its scrubber")
    print_recall(Redactor().redact)


def print_recall(redact: Callable[[object], object]) -> None:
    """The recall table: per context, secrets removed of those placed, and what leaked."""
    table = observability_corpus.recall(redact)
    kinds, contexts = len(observability_corpus.SECRET_KINDS), len(table)
    print(f"\nrecall: {kinds} secret kinds x {contexts} contexts")
    print(f"{'context':<22}{'removed':>9}{'recall':>8}  leaked kinds")
    found_all = total_all = 0
    for context, (found, total, missed) in table.items():
        found_all, total_all = found_all + found, total_all + total
        print(f"{context:<22}{found:>5}/{total:<3}{found / total:>8.1%}  {', '.join(missed)}")
    print(f"{'all':<22}{found_all:>5}/{total_all:<3}{found_all / total_all:>8.1%}")
    false_positives = observability_corpus.false_positives(redact)
    print(f"false positives: {len(false_positives)} of {len(observability_corpus.LOOKALIKES)}")
    for value in false_positives:
        print(f"  {value!r}")


if __name__ == "__main__":
    main()
