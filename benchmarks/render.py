"""Render time of every example with both engines: medians of repeated runs, side by side.

Run: `.venv/bin/python benchmarks/render.py [--repeat N]`. Target: under 5 s per render.
Each engine renders a clean git snapshot of the working tree, as users render a released tag.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import harness

TARGET_SECONDS = 5.0


def time_render(engine: harness.Engine, name: str, src: Path, work: Path, run: int) -> float:
    dest = work / f"{engine}-{name}-{run}"
    kwargs = {"src": src, "vcs_ref": "HEAD"} if engine == "copier" else {"src": src}
    start = time.perf_counter()
    harness.render(engine, harness.load_example(name), dest, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="renders per example and engine")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pavedroad-bench-") as tmp:
        work = Path(tmp)
        src = harness.snapshot_working_tree(work / "template")
        rows = []
        for name in harness.example_names():
            medians = {}
            for engine in harness.ENGINES:
                times = [time_render(engine, name, src, work, run) for run in range(args.repeat)]
                medians[engine] = statistics.median(times)
            rows.append((name, medians["copier"], medians["cookiecutter"]))
    print(f"render time, median of {args.repeat} runs (target < {TARGET_SECONDS:.0f} s each)")
    print(f"{'example':<14} {'copier s':>9} {'cookiecutter s':>15} {'copier/cc':>10}  verdict")
    worst = 0.0
    for name, copier_s, cc_s in rows:
        worst = max(worst, copier_s, cc_s)
        verdict = "ok" if max(copier_s, cc_s) < TARGET_SECONDS else "SLOW"
        print(f"{name:<14} {copier_s:>9.2f} {cc_s:>15.2f} {copier_s / cc_s:>10.2f}  {verdict}")
    print(f"slowest median: {worst:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
