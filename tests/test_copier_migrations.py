"""The template's copier migrations (hooks/copier_migrations.py) on a service's files; the update
tier (test_update.py) runs them through a real `copier update`."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks import copier_migrations
from tests import harness

VALUES_PROD = """\
environment: prod
app:
  # our overrides
  extraConfig:
    APP_LOG_LEVEL: WARNING  # quieter in prod
    APP_FEATURE_X: "on"
autoscaling:
  enabled: true
"""
VALUES_DEV = """\
app:
  logLevel: DEBUG
  extraConfig:
    APP_LOG_LEVEL: ERROR
env:
  - name: APP_LOG_LEVEL
    value: INFO
"""


@pytest.fixture
def service(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    chart = root / "charts" / "svc"
    chart.mkdir(parents=True)
    (chart / "values-prod.yaml").write_text(VALUES_PROD)
    (chart / "values-dev.yaml").write_text(VALUES_DEV)
    (chart / "values-staging.yaml").write_text("app:\n  extraConfig: {APP_LOG_LEVEL: INFO}\n")
    (root / "docs").mkdir()
    (root / "docs" / "oncall.md").write_text("Debug with `APP_LOG_LEVEL=DEBUG make run`.\n")
    (root / "logo.bin").write_bytes(b"\xff\xfeAPP_LOG_LEVEL\x00")
    harness.git(root, "init", "-q")
    harness.git(root, "add", "-A")
    return root


def test_log_level_moves_to_pavedroad_log_level(service: Path) -> None:
    done = copier_migrations.pavedroad_log_level(service)
    chart = service / "charts" / "svc"
    assert (chart / "values-prod.yaml").read_text() == VALUES_PROD.replace(
        "  extraConfig:\n    APP_LOG_LEVEL: WARNING  # quieter in prod\n",
        "  logLevel: WARNING\n  extraConfig:\n",
    )
    assert (chart / "values-dev.yaml").read_text() == (
        "app:\n  logLevel: ERROR\n  extraConfig: {}\n"
        "env:\n  - name: PAVEDROAD_LOG_LEVEL\n    value: INFO\n"
    )
    assert "`PAVEDROAD_LOG_LEVEL=DEBUG make run`" in (service / "docs/oncall.md").read_text()
    # What it cannot move safely it leaves, and says where and what to do instead.
    assert "{APP_LOG_LEVEL: INFO}" in (chart / "values-staging.yaml").read_text()
    assert any(
        line.startswith("charts/svc/values-staging.yaml:2:") and "set app.logLevel" in line
        for line in done
    ), done
    assert (service / "logo.bin").read_bytes() == b"\xff\xfeAPP_LOG_LEVEL\x00"
    again = copier_migrations.pavedroad_log_level(service)
    assert [line for line in again if "values-staging" not in line] == [], "idempotent"


def test_outside_git_the_migration_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(copier_migrations.MigrationError, match="needs the service under git"):
        copier_migrations.pavedroad_log_level(tmp_path)
