"""Parsing secret references: grammar, round trips (Hypothesis) and error messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pavedroad.secrets import (
    BUILTIN_SCHEMES,
    ReferenceSyntaxError,
    SecretReference,
    UnknownSchemeError,
    parse_reference,
)
from pavedroad.secrets.reference import split_vault_db, split_vault_kv


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("env:SLACK_BOT_TOKEN", SecretReference("env", "SLACK_BOT_TOKEN")),
        ("file:/var/run/secrets/app/token", SecretReference("file", "/var/run/secrets/app/token")),
        (
            "file:/etc/app/creds.json#password",
            SecretReference("file", "/etc/app/creds.json", "password"),
        ),
        ("aws-sm:prod/app/db", SecretReference("aws-sm", "prod/app/db")),
        (
            "aws-sm:prod/app/db#password?stage=AWSPREVIOUS",
            SecretReference("aws-sm", "prod/app/db", "password", (("stage", "AWSPREVIOUS"),)),
        ),
        (
            "aws-sm:prod/app/db?stage=AWSCURRENT#password",
            SecretReference("aws-sm", "prod/app/db", "password", (("stage", "AWSCURRENT"),)),
        ),
        (
            "aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
            SecretReference(
                "aws-sm", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
            ),
        ),
        (
            "vault:secret/app/slack#bot_token",
            SecretReference("vault", "secret/app/slack", "bot_token"),
        ),
        ("vault-db:database/app", SecretReference("vault-db", "database/app")),
        ("file:/odd%23name%3F#k%23ey", SecretReference("file", "/odd#name?", "k#ey")),
    ],
)
def test_parses_documented_forms(text: str, expected: SecretReference) -> None:
    assert parse_reference(text) == expected


def test_vault_paths_split_on_mount_and_role() -> None:
    assert split_vault_kv(parse_reference("vault:secret/team/app#k")) == ("secret", "team/app")
    assert split_vault_db(parse_reference("vault-db:team/database/app")) == ("team/database", "app")


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSchemeError) as caught:
        parse_reference("gcp-sm:projects/x/secrets/y")
    message = str(caught.value)
    assert caught.value.scheme == "gcp-sm"
    assert "gcp-sm" not in message  # the text before ':' may be part of a value
    for scheme in BUILTIN_SCHEMES:
        assert f"{scheme}:" in message


def test_text_without_scheme_is_not_echoed() -> None:
    # A setting meant to hold a reference may hold the secret itself by mistake.
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference("xoxb-1234-very-secret-token")
    assert "very-secret" not in str(caught.value)
    assert "env:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("env:1BAD", "environment variable"),
        ("file:relative/path", "absolute"),
        ("vault:secret/app", "needs a '#key'"),
        ("vault:secret#key", "vault:<mount>/<path>#key"),
        ("vault-db:database", "vault-db:<mount>/<role>"),
        ("aws-sm:prod/db?stage=", "name=value"),
        ("aws-sm:prod/db?colour=blue", "unknown query parameter"),
        ("aws-sm:prod/db?stage=AWS CURRENT", "may hold only"),
        ("env:NAME?stage=AWSCURRENT", "takes none"),
        ("aws-sm:prod/db#a#b", "two '#' keys"),
        ("aws-sm:prod/db#", "empty '#'"),
        ("env:", "nothing after"),
        ("vault:secret/app#k?version=x", "positive integer"),
    ],
)
def test_malformed_references_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(ReferenceSyntaxError, match=None) as caught:
        parse_reference(text)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "env:hunter2-Very-Secret",
        "env:hunter2 Very Secret",
        "file:hunter2VerySecret",
        "file:/" + "hunter2VerySecret" * 300,
        "aws-sm:hunter2 VerySecret",
        "aws-sm:prod/db?stage=hunter2 VerySecret",
        "aws-sm:prod/db?hunter2VerySecret=1",
        "aws-sm:prod/db?hunter2VerySecret",
        "vault:hunter2VerySecret",
        "vault:secret/app#k?version=hunter2VerySecret",
        "vault-db:hunter2VerySecret",
        "hunter2VerySecret:more",
        "postgres://app:hunter2VerySecret@db:5432/app",
        "env:%ffhunter2VerySecret",
    ],
)
def test_errors_never_echo_the_text(text: str) -> None:
    # A value put where its reference belongs must not reach logs through the error message.
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference(text)
    assert "VerySecret" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_custom_schemes_are_accepted_when_declared() -> None:
    ref = parse_reference("gcp-sm:projects/p/secrets/s", schemes=(*BUILTIN_SCHEMES, "gcp-sm"))
    assert ref == SecretReference("gcp-sm", "projects/p/secrets/s")


# -- properties ----------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
_label = st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True)
_segment = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)


@st.composite
def references(draw: st.DrawFn) -> SecretReference:
    scheme = draw(st.sampled_from(BUILTIN_SCHEMES))
    key = draw(st.none() | _text)
    params: tuple[tuple[str, str], ...] = ()
    if scheme == "env":
        body = draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True))
    elif scheme == "file":
        body = "/" + draw(_text)
    elif scheme == "aws-sm":
        body = draw(st.from_regex(r"[A-Za-z0-9/_+=.@:-]{1,40}", fullmatch=True))
        stage = draw(st.none() | _label)
        params = () if stage is None else (("stage", stage),)
    elif scheme == "vault":
        body = "/".join(draw(st.lists(_segment, min_size=2, max_size=4)))
        key = draw(_text)
    else:
        body = "/".join(draw(st.lists(_segment, min_size=2, max_size=3)))
    return SecretReference(scheme, body, key, params)


@given(references())
def test_rendering_parses_back_to_the_same_reference(ref: SecretReference) -> None:
    assert parse_reference(str(ref)) == ref


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_a_reference_error(text: str) -> None:
    try:
        ref = parse_reference(text)
    except ReferenceSyntaxError:
        return
    assert ref.scheme in BUILTIN_SCHEMES
    assert parse_reference(str(ref)) == ref


@given(st.sampled_from(["xoxb-", "ghp_", "AKIA", "sk_live_"]), st.text(min_size=8, max_size=30))
def test_values_mistaken_for_references_never_appear_in_errors(prefix: str, rest: str) -> None:
    secret = prefix + rest.replace(":", "")
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference(secret)
    assert secret not in str(caught.value)
