"""Time to evaluate every policy over the default render's manifests.

Renders the default example, renders its chart with the default values (`helm template`), then
times `conftest test --combine --all-namespaces` over those manifests, as `make chart-policy` runs
it for one values set. Reports the median and maximum of repeated runs, end to end (process
start, parsing and evaluation of every rule). Target: under 5 s.

Run: `.venv/bin/python benchmarks/policy/bench.py [--repeat N] [--project DIR]` with the pinned
toolchain on PATH (`make bootstrap`); --project reuses an existing render of the default example.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import harness

TARGET_SECONDS = 5.0


def render_default(work: Path) -> Path:
    src = harness.snapshot_working_tree(work / "template")
    return harness.render(
        "copier", harness.load_example("default"), work / "default", src=src, vcs_ref="HEAD"
    )


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed conftest runs")
    parser.add_argument("--project", type=Path, help="an existing render of the default example")
    args = parser.parse_args()
    env = harness.toolchain_env()
    with tempfile.TemporaryDirectory(prefix="pavedroad-policy-bench-") as tmp:
        work = Path(tmp)
        project = args.project or render_default(work)
        (chart,) = (project / "charts").iterdir()
        manifests = work / "default.yaml"
        rendered = run(
            ["helm", "template", chart.name, str(chart), "--kube-version", "1.35.4"], project, env
        )
        if rendered.returncode != 0:
            print(rendered.stderr, file=sys.stderr)
            return 1
        manifests.write_text(rendered.stdout)
        objects = sum(1 for doc in rendered.stdout.split("\n---") if "\nkind: " in doc)
        policies = [
            p
            for p in (project / "policy").glob("*/*.rego")
            if not p.name.endswith("_test.rego") and p.parent.name not in ("lib", "gatekeeper")
        ]
        cmd = [
            "conftest",
            "test",
            "--combine",
            "--all-namespaces",
            "--no-color",
            "--output",
            "json",
            "--policy",
            "policy",
            str(manifests),
        ]
        timings = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            result = run(cmd, project, env)
            timings.append(time.perf_counter() - start)
            if result.returncode != 0:
                print(result.stdout + result.stderr, file=sys.stderr)
                return 1
        timings = timings[1:]  # the first run warms the page cache
        results = json.loads(result.stdout)
        checks = sum(
            r.get("successes", 0) + len(r.get("failures") or []) + len(r.get("warnings") or [])
            for r in results
        )
        median = statistics.median(timings)
        print(f"policies: {len(policies)} rules, {checks} rule evaluations, over {objects} objects")
        print(
            f"conftest test (all policies, default render): median {median:.3f} s, "
            f"max {max(timings):.3f} s over {len(timings)} runs; target < {TARGET_SECONDS:.0f} s"
        )
        verify = run(["conftest", "verify", "--no-color", "--policy", "policy"], project, env)
        summary = (verify.stdout or verify.stderr).strip().splitlines()[-1]
        print(f"conftest verify (unit tests): {summary}")
        return 0 if max(timings) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
