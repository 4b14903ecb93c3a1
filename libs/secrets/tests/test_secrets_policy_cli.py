"""Rotation policy files and the pavedroad-secrets CLI (exit codes, output, refusals)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pavedroad.secrets import PolicyError
from pavedroad.secrets.cli import main
from pavedroad.secrets.policy import DEFAULT_MAX_AGES, RotationPolicy, parse_duration
from pavedroad.secrets.testing import MotoServer

DAY = 86400


def write_policy(path: Path, body: str) -> str:
    path.write_text(body, encoding="utf-8")
    return str(path)


def aged_file(path: Path, days: float, content: str = "value") -> str:
    path.write_text(content)
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))
    return f"file:{path}"


# -- policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90d", 90 * DAY), ("12h", 43200), ("1d12h", 1.5 * DAY), ("30m", 1800), ("2w", 14 * DAY)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "90", "d", "1x", "1d 2h", "-1d", "0s"])
def test_bad_durations_name_the_field(text: str) -> None:
    with pytest.raises(PolicyError, match=r"classes\.api-key"):
        parse_duration(text, field="classes.api-key")


def test_every_documented_class_has_a_default() -> None:
    assert set(DEFAULT_MAX_AGES) == {
        "slack-token",
        "signing-secret",
        "database-password",
        "api-key",
        "mtls-certificate",
    }


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[[secrets]]\nref = 'env:X'\nclass = 'nope'\n", "secrets[0].class is not a known class"),
        ("[[secrets]]\nclass = 'api-key'\n", "secrets[0].ref"),
        ("[[secrets]]\nref = 'env:X'\nclass = 'api-key'\nowner = 'me'\n", "unknown field"),
        (
            "[classes]\napi-key = 'soon'\n[[secrets]]\nref='env:X'\nclass='api-key'\n",
            "classes.api-key",
        ),
        ("[rules]\n", "unknown table"),
        ("[classes]\n", "list the secrets"),
        ("not toml = = 1", "not valid TOML"),
    ],
)
def test_bad_policy_files_name_file_and_field(tmp_path: Path, body: str, fragment: str) -> None:
    path = write_policy(tmp_path / "policy.toml", body)
    with pytest.raises(PolicyError) as caught:
        RotationPolicy.load(path)
    assert path in str(caught.value)
    assert fragment in str(caught.value)


# -- CLI: check ----------------------------------------------------------------------------------


def test_check_reports_ages_and_exits_1_when_overdue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = aged_file(tmp_path / "fresh", days=1)
    old = aged_file(tmp_path / "old", days=40)
    policy = write_policy(
        tmp_path / "policy.toml",
        f"[classes]\nshort = '1d12h'\n\n"
        f"[[secrets]]\nref = '{fresh}'\nclass = 'database-password'\n\n"
        f"[[secrets]]\nref = '{old}'\nclass = 'database-password'\n",
    )
    assert main(["check", "--policy", policy]) == 1
    out = capsys.readouterr().out
    assert f"OK       {fresh}" in out
    assert f"OVERDUE  {old}" in out
    assert "max=30d" in out

    assert main(["check", "--policy", policy, "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [row["status"] for row in rows] == ["ok", "overdue"]
    assert rows[1]["age_seconds"] >= 40 * DAY - 5


def test_check_exits_0_when_all_within_policy(tmp_path: Path) -> None:
    ref = aged_file(tmp_path / "key", days=10)
    policy = write_policy(tmp_path / "p.toml", f"[[secrets]]\nref = '{ref}'\nclass = 'api-key'\n")
    assert main(["check", "--policy", policy]) == 0


def test_check_exits_3_when_an_age_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOME_TOKEN", "x")
    missing = f"file:{tmp_path}/missing"
    policy = write_policy(
        tmp_path / "p.toml",
        f"[[secrets]]\nref = 'env:SOME_TOKEN'\nclass = 'api-key'\n\n"
        f"[[secrets]]\nref = '{missing}'\nclass = 'api-key'\n",
    )
    assert main(["check", "--policy", policy]) == 3
    out = capsys.readouterr().out
    assert "ERROR    env:SOME_TOKEN" in out and "carry no age" in out
    assert f"ERROR    {missing}" in out


def test_check_with_a_bad_policy_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--policy", str(tmp_path / "absent.toml")]) == 2
    assert "cannot read it" in capsys.readouterr().err


def test_check_never_prints_a_value_written_where_a_reference_belongs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = aged_file(tmp_path / "good", days=1)
    policy = write_policy(
        tmp_path / "p.toml",
        "[[secrets]]\nref = 'xoxb-1234-hunter2VerySecret'\nclass = 'slack-token'\n\n"
        "[[secrets]]\nref = 'hunter2VerySecret:x'\nclass = 'api-key'\n\n"
        "[[secrets]]\nref = 'env:hunter2 VerySecret'\nclass = 'api-key'\n\n"
        f"[[secrets]]\nref = '{good}'\nclass = 'api-key'\n",
    )
    assert main(["check", "--policy", policy]) == 3
    captured = capsys.readouterr()
    assert "VerySecret" not in captured.out + captured.err
    for index in range(3):
        assert f"ERROR    secrets[{index}]" in captured.out
    assert "looks like a value, not a secret reference" in captured.out
    assert f"OK       {good}" in captured.out

    assert main(["check", "--policy", policy, "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert "VerySecret" not in captured.out + captured.err
    rows = json.loads(captured.out)
    assert [(row["entry"], row["ref"], row["status"]) for row in rows] == [
        ("secrets[0]", None, "error"),
        ("secrets[1]", None, "error"),
        ("secrets[2]", None, "error"),
        ("secrets[3]", good, "ok"),
    ]


def test_check_reports_every_entry_when_some_are_hostile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    os.mkfifo(tmp_path / "fifo")
    good = aged_file(tmp_path / "good", days=1)
    old = aged_file(tmp_path / "old", days=100)
    refs = [
        f"file:{tmp_path}/a",
        "file:/" + "x" * 5000,
        f"file:{tmp_path}/{'n' * 300}",
        f"file:{tmp_path}/fifo",
        good,
        old,
    ]
    policy = write_policy(
        tmp_path / "p.toml",
        "".join(f"[[secrets]]\nref = '{ref}'\nclass = 'api-key'\n\n" for ref in refs),
    )
    assert main(["check", "--policy", policy]) == 1  # overdue wins over unreadable
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == len(refs)
    assert lines[0].startswith("ERROR") and "loop" in lines[0]
    assert lines[1].startswith("ERROR    secrets[1]") and "longer than 4095 bytes" in lines[1]
    assert lines[2].startswith("ERROR") and "longer than the file system allows" in lines[2]
    assert lines[3].startswith("ERROR") and "FIFO" in lines[3]
    assert lines[4].startswith(f"OK       {good}")
    assert lines[5].startswith(f"OVERDUE  {old}")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("duration", ["99999999999999999d", "9" * 400 + "w", "1000000w"])
def test_an_absurd_duration_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], duration: str
) -> None:
    policy = write_policy(
        tmp_path / "p.toml",
        f"[classes]\napi-key = '{duration}'\n[[secrets]]\nref = 'env:X'\nclass = 'api-key'\n",
    )
    assert main(["check", "--policy", policy]) == 2
    err = capsys.readouterr().err
    assert "classes.api-key is longer than" in err
    assert duration not in err


# -- CLI: get ----------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_get_prints_to_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLI_TOKEN", "pipe-me")
    assert main(["get", "env:CLI_TOKEN"]) == 0
    assert capsys.readouterr().out == "pipe-me"


def test_get_refuses_a_terminal_without_reveal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLI_TOKEN", "do-not-show")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["get", "env:CLI_TOKEN"]) == 2
    assert "do-not-show" not in terminal.getvalue()
    assert main(["get", "--reveal", "env:CLI_TOKEN"]) == 0
    assert terminal.getvalue() == "do-not-show\n"


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["get", "nope:thing"], 2, "not a known secret reference scheme"),
        (["get", "file:/" + "x" * 5000], 2, "longer than 4095 bytes"),
        (["get", "hunter2VerySecret"], 2, "not shown"),
        (["get", "env:hunter2 VerySecret"], 2, "environment variable"),
        (["rotate", "hunter2VerySecret", "--strategy", "generate"], 2, "not shown"),
        (["get", "env:PAVEDROAD_SURELY_UNSET"], 3, "environment variable"),
        (["rotate", "env:X", "--strategy", "generate"], 2, "aws-sm:<secret id or ARN>"),
        (["rotate", "aws-sm:x#k", "--strategy", "generate"], 2, "without #key"),
        (
            ["rotate", "aws-sm:x", "--strategy", "postgres-alternating-users"],
            2,
            "needs --admin-ref",
        ),
    ],
)
def test_error_exit_codes(
    argv: list[str], code: int, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert fragment in err
    assert "VerySecret" not in err


def test_get_of_a_symlink_loop_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert main(["get", f"file:{tmp_path}/a"]) == 3
    err = capsys.readouterr().err
    assert "symlinks form a loop" in err and "Traceback" not in err


def test_unknown_subcommand_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


# -- CLI: rotate, as a CronJob runs it -------------------------------------------------------------


@pytest.mark.integration
def test_rotate_and_get_through_the_installed_command(sm_client: Any, aws: MotoServer) -> None:
    command = shutil.which("pavedroad-secrets", path=os.path.dirname(sys.executable))
    assert command is not None, "the pavedroad-secrets console script is not installed"
    sm_client.create_secret(Name="prod/app/webhook", SecretString=json.dumps({"key": "k0"}))
    env = {**os.environ, **aws.env()}
    rotated = subprocess.run(
        [command, "rotate", "aws-sm:prod/app/webhook", "--strategy", "generate", "--key", "key"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert rotated.returncode == 0, rotated.stderr
    report = json.loads(rotated.stdout)
    assert report["status"] == "rotated"
    got = subprocess.run(
        [command, "get", "aws-sm:prod/app/webhook#key"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout not in ("", "k0")
    previous = subprocess.run(
        [command, "get", "aws-sm:prod/app/webhook?stage=AWSPREVIOUS#key"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert previous.stdout == "k0"
    missing = subprocess.run(
        [command, "rotate", "aws-sm:prod/absent", "--strategy", "generate", "--attempts", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 4
    assert "createSecret" in missing.stderr and "--token" in missing.stderr
