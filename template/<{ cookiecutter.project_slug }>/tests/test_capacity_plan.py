"""scripts/capacity_plan.py: the arithmetic and the verdicts, on a fixed baseline and chart."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scripts import load_script

capacity_plan = load_script("scripts/capacity_plan.py")

# 5 ms of CPU per request; 70% of 250m per pod is 175 ms/s, so 35 rps per pod.
BASELINE = {"cpu_seconds_per_request": 0.005, "error_rate": 0.0}


def chart(**overrides: Any) -> dict[str, Any]:
    return {
        "hpa": "svc",
        "min_replicas": 2,
        "max_replicas": 8,
        "cpu_request_cores": 0.25,
        "target_cpu_percent": 70,
        "target_rps_per_pod": None,
        "expected_peak_rps": 200.0,
        **overrides,
    }


def test_plan_derives_replicas_from_the_baseline() -> None:
    result = capacity_plan.plan(BASELINE, chart(), 200.0, 0.25)
    assert result["rps_per_pod_at_target"] == 35.0
    assert result["replicas_at_peak"] == 6  # ceil(200 / 35)
    assert result["recommended"]["maxReplicas"] == 8  # ceil(6 x 1.25)
    assert result["problems"] == []


def test_plan_fails_when_the_maximum_cannot_serve_the_peak() -> None:
    (problem,) = capacity_plan.plan(BASELINE, chart(max_replicas=4), 200.0, 0.25)["problems"]
    assert "maxReplicas 4 cannot serve the peak of 200 rps: it needs 6 replicas" in problem


def test_plan_fails_when_the_maximum_is_far_above_the_need() -> None:
    (problem,) = capacity_plan.plan(BASELINE, chart(max_replicas=11), 200.0, 0.25)["problems"]
    assert "more than 25% above the recommended 8" in problem


def test_plan_checks_the_requests_per_second_target() -> None:
    assert (
        capacity_plan.plan(BASELINE, chart(target_rps_per_pod=30.0), 200.0, 0.25)["problems"] == []
    )
    (problem,) = capacity_plan.plan(BASELINE, chart(target_rps_per_pod=80.0), 200.0, 0.25)[
        "problems"
    ]
    assert "requests-per-second target 80 per pod" in problem


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ({"error_rate": 0.0}, "no cpu_seconds_per_request"),
        ({"cpu_seconds_per_request": 0.005, "error_rate": 0.2}, "error rate 20.00%"),
    ],
)
def test_plan_rejects_an_unusable_baseline(baseline: dict[str, Any], message: str) -> None:
    with pytest.raises(capacity_plan.PlanError, match=message):
        capacity_plan.plan(baseline, chart(), 200.0, 0.25)


def test_chart_settings_reads_the_rendered_objects() -> None:
    hpa = {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "svc", "annotations": {"pavedroad.io/expected-peak-rps": "40"}},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "svc"},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"averageUtilization": 70}},
                },
                {"type": "Pods", "pods": {"target": {"averageValue": "20"}}},
            ],
        },
    }
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "svc"},
        "spec": {
            "template": {"spec": {"containers": [{"resources": {"requests": {"cpu": "100m"}}}]}}
        },
    }
    nested = {"out.manifests": [hpa, deployment]}
    settings = capacity_plan.chart_settings(capacity_plan.objects(nested))
    assert settings == chart(
        max_replicas=6, cpu_request_cores=0.1, target_rps_per_pod=20.0, expected_peak_rps=40.0
    )
