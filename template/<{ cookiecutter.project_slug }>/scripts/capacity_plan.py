"""Capacity plan: from the load-test baseline and the expected peak to replicas and HPA targets.

Reads docs/capacity/baseline.json (`make loadtest`) and the rendered chart of one environment
(`out/chart/<env>.manifests`, parsed with `conftest parse`), and computes:

  cost per request    = baseline cpu_seconds_per_request (CPU seconds of one request)
  rps per pod         = HPA CPU target x CPU request / cost per request
  replicas at peak    = ceil(expected peak rps / rps per pod)
  recommended maximum = ceil(replicas at peak x (1 + HEADROOM)), at least minReplicas

The expected peak is the HPA's pavedroad.io/expected-peak-rps annotation (values
autoscaling.expectedPeakRps), or --peak-rps. It fails (exit 1) when the chart disagrees by more
than --margin (default 25%): maxReplicas below the replicas needed at peak, maxReplicas above the
recommended maximum by more than the margin, or a requests-per-second target off by more than
the margin. Exit 2 on unusable input. docs/capacity.md explains when to re-run it.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HEADROOM = 0.25
MAX_ERROR_RATE = 0.01
PEAK_ANNOTATION = "pavedroad.io/expected-peak-rps"


class PlanError(ValueError):
    """Unusable input; the message names it and the fix."""


def cpu_cores(quantity: Any) -> float:
    text = str(quantity)
    if match := re.fullmatch(r"([0-9.]+)m", text):
        return float(match.group(1)) / 1000
    try:
        return float(text)
    except ValueError:
        raise PlanError(f"CPU quantity {text!r}: use millicores (250m) or cores (1)") from None


def objects(parsed: Any) -> list[dict[str, Any]]:
    """Every Kubernetes object in conftest's parse output, whatever its nesting."""
    found: list[dict[str, Any]] = []
    if isinstance(parsed, dict):
        if "kind" in parsed and "metadata" in parsed:
            return [parsed]
        for value in parsed.values():
            found += objects(value)
    elif isinstance(parsed, list):
        for value in parsed:
            found += objects(value)
    return found


def load_manifests(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise PlanError(f"{path}: not found; render the chart first (make chart-render)")
    result = subprocess.run(
        ["conftest", "parse", "--parser", "yaml", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PlanError(f"conftest parse {path}: {result.stderr.strip()}")
    return objects(json.loads(result.stdout))


def chart_settings(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    hpas = [o for o in manifests if o.get("kind") == "HorizontalPodAutoscaler"]
    if len(hpas) != 1:
        raise PlanError(
            f"expected one HorizontalPodAutoscaler in the render, found {len(hpas)} "
            "(autoscaling.enabled?)"
        )
    hpa = hpas[0]
    target = hpa["spec"]["scaleTargetRef"]
    workloads = [
        o
        for o in manifests
        if o.get("kind") == target["kind"] and o["metadata"]["name"] == target["name"]
    ]
    if not workloads:
        raise PlanError(
            f"the HPA targets {target['kind']}/{target['name']}, which the render lacks"
        )
    containers = workloads[0]["spec"]["template"]["spec"]["containers"]
    cpu_request = sum(cpu_cores(c["resources"]["requests"]["cpu"]) for c in containers)
    settings: dict[str, Any] = {
        "hpa": hpa["metadata"]["name"],
        "min_replicas": int(hpa["spec"].get("minReplicas", 1)),
        "max_replicas": int(hpa["spec"]["maxReplicas"]),
        "cpu_request_cores": cpu_request,
        "target_cpu_percent": None,
        "target_rps_per_pod": None,
        "expected_peak_rps": None,
    }
    for metric in hpa["spec"].get("metrics", []):
        if metric.get("type") == "Resource" and metric["resource"]["name"] == "cpu":
            settings["target_cpu_percent"] = int(metric["resource"]["target"]["averageUtilization"])
        if metric.get("type") == "Pods":
            settings["target_rps_per_pod"] = cpu_cores(metric["pods"]["target"]["averageValue"])
    if settings["target_cpu_percent"] is None:
        raise PlanError("the HPA has no CPU utilisation target")
    peak = (hpa["metadata"].get("annotations") or {}).get(PEAK_ANNOTATION)
    if peak is not None:
        settings["expected_peak_rps"] = float(peak)
    return settings


def plan(
    baseline: dict[str, Any], chart: dict[str, Any], peak_rps: float, margin: float
) -> dict[str, Any]:
    cost = baseline.get("cpu_seconds_per_request")
    if not cost or cost <= 0:
        raise PlanError(
            "baseline has no cpu_seconds_per_request: run `make loadtest` against a local instance"
        )
    if baseline.get("error_rate", 1.0) > MAX_ERROR_RATE:
        raise PlanError(
            f"baseline error rate {baseline['error_rate']:.2%} is above {MAX_ERROR_RATE:.0%}: "
            "fix the errors before planning on it"
        )
    utilisation = chart["target_cpu_percent"] / 100
    rps_per_pod = utilisation * chart["cpu_request_cores"] / cost
    at_peak = max(1, math.ceil(peak_rps / rps_per_pod))
    recommended_max = max(chart["min_replicas"], math.ceil(at_peak * (1 + HEADROOM)))
    problems = []
    if chart["max_replicas"] < at_peak:
        problems.append(
            f"maxReplicas {chart['max_replicas']} cannot serve the peak of {peak_rps:g} rps: "
            f"it needs {at_peak} replicas at {rps_per_pod:.1f} rps each; "
            "raise autoscaling.maxReplicas "
            f"to {recommended_max}"
        )
    elif chart["max_replicas"] > recommended_max * (1 + margin):
        problems.append(
            f"maxReplicas {chart['max_replicas']} is more than {margin:.0%} above the recommended "
            f"{recommended_max} for a peak of {peak_rps:g} rps (quota and cost follow it); lower it"
        )
    if chart["target_rps_per_pod"] is not None:
        off = abs(chart["target_rps_per_pod"] - rps_per_pod) / rps_per_pod
        if off > margin:
            problems.append(
                f"requests-per-second target {chart['target_rps_per_pod']:g} per pod is "
                f"{off:.0%} away from the measured {rps_per_pod:.1f}; "
                "set autoscaling.requestsPerSecond.targetAverageValue"
            )
    return {
        "expected_peak_rps": peak_rps,
        "cpu_seconds_per_request": cost,
        "rps_per_pod_at_target": round(rps_per_pod, 2),
        "replicas_at_peak": at_peak,
        "recommended": {
            "maxReplicas": recommended_max,
            "minReplicas": chart["min_replicas"],
            "targetCPUUtilizationPercentage": chart["target_cpu_percent"],
            "cpu_request": f"{round(chart['cpu_request_cores'] * 1000)}m",
            "requestsPerSecond.targetAverageValue": f"{math.floor(rps_per_pod)}",
        },
        "chart": chart,
        "margin": margin,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, default=Path("docs/capacity/baseline.json"))
    parser.add_argument(
        "--manifests", type=Path, required=True, help="rendered chart (out/chart/<env>.manifests)"
    )
    parser.add_argument(
        "--peak-rps", type=float, help=f"expected peak; default: the HPA's {PEAK_ANNOTATION}"
    )
    parser.add_argument(
        "--margin", type=float, default=0.25, help="allowed disagreement (0.25 = 25%%)"
    )
    parser.add_argument("--output", type=Path, help="write the plan as JSON here")
    args = parser.parse_args(argv)
    try:
        try:
            baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise PlanError(f"baseline {args.baseline}: {error}; run `make loadtest`") from None
        chart = chart_settings(load_manifests(args.manifests))
        peak = args.peak_rps if args.peak_rps is not None else chart["expected_peak_rps"]
        if peak is None or peak <= 0:
            raise PlanError("no expected peak: set autoscaling.expectedPeakRps or pass --peak-rps")
        result = plan(baseline, chart, peak, args.margin)
    except PlanError as error:
        print(f"capacity-plan: {error}", file=sys.stderr)
        return 2
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"capacity-plan {args.manifests}: peak {peak:g} rps, "
        f"{result['rps_per_pod_at_target']} rps per pod at {chart['target_cpu_percent']}% "
        f"of {chart['cpu_request_cores']:g} CPU -> {result['replicas_at_peak']} "
        f"replicas at peak; recommended maxReplicas {result['recommended']['maxReplicas']} "
        f"(chart: {chart['max_replicas']})"
    )
    for problem in result["problems"]:
        print(f"capacity-plan: {problem}", file=sys.stderr)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
