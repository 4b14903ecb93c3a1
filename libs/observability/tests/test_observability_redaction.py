"""Redaction: a corpus of secrets that must go and correlation data that must stay, the key
denylist, no mutation, no exceptions on hostile input, and linear running time."""

from __future__ import annotations

import copy
import re
import string
import time
from collections.abc import Callable
from typing import Any

import observability_samples as samples
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from observability_support import LogCapture
from pavedroad.observability import (
    ConfigurationError,
    Redactor,
    SecretPattern,
    configure,
    current,
    get_logger,
    redact,
    shutdown,
)
from pavedroad.observability.pattern_scanner import (
    MAX_PATTERN_WIDTH,
    is_plain_identifier,
    pattern_width,
)
from pavedroad.observability.redaction import builtin_redactor, default_redactor
from pavedroad.observability.secret_patterns import BUILTIN_PATTERNS, EMAIL_PATTERN, luhn_valid

REDACTOR = Redactor()

# (kind, secret factory, template that embeds the secret)
POSITIVE: list[tuple[str, Callable[[], str], str]] = [
    ("slack_token", samples.slack_bot_token, "posting with {} now"),
    ("slack_token", samples.slack_user_token, "user token={}"),
    ("slack_token", samples.slack_app_token, "socket mode {}"),
    ("slack_webhook", samples.slack_webhook, "webhook {} failed"),
    ("aws_access_key_id", samples.aws_access_key_id, "key id {}"),
    ("github_token", samples.github_token, "GITHUB_TOKEN={}"),
    ("github_token", samples.github_fine_grained_token, "pat {}"),
    ("gitlab_token", samples.gitlab_token, "token: {}"),
    ("stripe_key", samples.stripe_live_key, "stripe {}"),
    ("google_api_key", samples.google_api_key, "maps key={}&q=x"),
    ("jwt", samples.jwt, "session {} expired"),
    ("private_key", samples.private_key, "loaded {} from disk"),
    ("private_key", samples.openssh_private_key, "{}"),
    ("bearer_token", samples.bearer_token, "Authorization: Bearer {}"),
    ("bearer_token", samples.bearer_token, "authorization: bearer {}"),
    ("basic_credentials", samples.basic_credentials, "Authorization: Basic {}"),
    ("card_number", samples.visa_number, "paid with {}"),
    ("card_number", lambda: samples.visa_number(" "), "card {} ok"),
    ("card_number", lambda: samples.visa_number("-"), "card {}"),
    ("card_number", samples.amex_number, "amex {}"),
    ("card_number", samples.mastercard_number, "mc:{}"),
    ("email", lambda: "alice.smith+tag@example.co.uk", "invite sent to {}"),
]


@pytest.mark.parametrize(("kind", "make", "template"), POSITIVE)
def test_secret_is_replaced_by_its_kind_and_nothing_of_it_survives(
    kind: str, make: Callable[[], str], template: str
) -> None:
    secret = make()
    text = template.format(secret)
    redacted = REDACTOR.redact_text(text)
    assert f"[REDACTED:{kind}]" in redacted
    assert secret not in redacted
    # No fragment of the secret longer than a few characters survives.
    for start in range(0, max(1, len(secret) - 8), 4):
        assert secret[start : start + 8] not in redacted.replace(f"[REDACTED:{kind}]", "")


def test_url_password_is_replaced_and_the_rest_of_the_url_kept() -> None:
    password = "s3cr" + "et-pw"
    redacted = REDACTOR.redact_text(
        f"connecting to postgresql+psycopg://app:{password}@db:5432/app"
    )
    assert redacted == "connecting to postgresql+psycopg://app:[REDACTED:url_password]@db:5432/app"


def test_aws_secret_next_to_its_key_id_is_replaced() -> None:
    key_id, secret = samples.aws_access_key_id(), samples.aws_secret_access_key()
    assert REDACTOR.redact_text(f"aws configure {key_id} {secret}") == (
        "aws configure [REDACTED:aws_access_key_id] [REDACTED:aws_secret_access_key]"
    )
    labelled = REDACTOR.redact_text(f"AWS_SECRET_ACCESS_KEY={secret}")
    assert labelled == "AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_access_key]"


NEGATIVE = [
    # Slack IDs: workspace, channel, user, enterprise, bot, app.
    "team T0123ABCD channel C0123ABCDEF user U0123ABCD org E0123ABCD bot B0123ABCD app A0123ABCD",
    # trace and span IDs.
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    # UUIDs, including ones whose digit groups could look like a card number.
    "request 123e4567-e89b-12d3-a456-426614174000 and 4111-411111111111-4aaa-bbbb",
    "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    # git SHAs, short and long, and a SHA beside an access-key-shaped string is not a pair.
    "deployed 3f786850e387550fdab836ed7e6dc881de23001b (3f78685)",
    # timestamps: epoch seconds, milliseconds, microseconds, ISO-8601.
    "at 1700000000 / 1700000000123 / 1700000000123456 / 2024-01-15T10:30:00.123456Z",
    "2024-01-15 10:30:00,123",
    # numbers that fail the Luhn check or are not card-shaped.
    "order 4111111111111112 and phone +1 415 555 0100 and amount 1234567890123",
    # ordinary prose that mentions credentials.
    "basic configuration loaded; bearer authentication enabled; token refreshed",
    "Basic auth is disabled",
    # URLs without passwords.
    "GET https://api.example.com:8443/v1/users?page=2",
    # Slack-looking words that are not tokens.
    "xoxo kisses; the xapp package",
    # A route template, a logger name, a level.
    "/api/teams/{team_id}/users/{user_id}",
    "sqlalchemy.engine.Engine",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_correlation_data_and_lookalikes_are_kept(text: str) -> None:
    assert REDACTOR.redact_text(text) == text


def test_email_redaction_can_be_switched_off() -> None:
    text = "invite sent to alice@example.com"
    assert Redactor(redact_emails=False).redact_text(text) == text
    assert Redactor().redact_text(text) == "invite sent to [REDACTED:email]"


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("password", "password"),
        ("DB_PASSWORD", "password"),
        ("db-password", "password"),
        ("slackSigningSecret", "secret"),
        ("client_secret", "secret"),
        ("X-Api-Key", "api_key"),
        ("apiKey", "api_key"),
        ("Authorization", "authorization"),
        ("Cookie", "cookie"),
        ("set-cookie", "cookie"),
        ("session_id", "session"),
        ("refresh_token", "token"),
        ("private.key", "private_key"),
        ("AWS_ACCESS_KEY", "access_key"),
        ("credentials", "credential"),
        ("auth", "auth"),
        ("PWD", "pwd"),
    ],
)
def test_denylisted_keys_are_redacted_case_and_separator_insensitively(
    key: str, label: str
) -> None:
    assert Redactor().key_label(key) == label
    assert redact({key: "value-123"}) == {key: f"[REDACTED:{label}]"}


@pytest.mark.parametrize(
    "key",
    [
        "max_tokens",
        "token_count",
        "secret_name",
        "user_id",
        "team_id",
        "trace_id",
        "author",
        "path",
    ],
)
def test_safe_and_ordinary_keys_are_not_key_redacted(key: str) -> None:
    assert redact({key: "value"}) == {key: "value"}


def test_safe_keys_still_have_their_values_scanned() -> None:
    token = samples.slack_bot_token()
    assert redact({"secret_name": token}) == {"secret_name": "[REDACTED:slack_token]"}


def test_none_and_booleans_under_denylisted_keys_are_kept() -> None:
    assert redact({"password": None, "password_set": True}) == {
        "password": None,
        "password_set": True,
    }


def test_user_keys_and_safe_keys_extend_the_defaults() -> None:
    redactor = Redactor(extra_keys=["ssn_hash", "pin_code"], safe_keys=["session_count"])
    assert redactor.redact({"ssn_hash": "x", "pin_code": 1, "session_count": 3}) == {
        "ssn_hash": "[REDACTED:ssn_hash]",
        "pin_code": "[REDACTED:pin_code]",
        "session_count": 3,
    }


def test_user_patterns_are_applied_and_named() -> None:
    patterns: dict[str, str | re.Pattern[str]] = {
        "employee_id": r"EMP-[0-9]{6}",
        "internal_key": re.compile(r"ik_(?P<internal_key>[a-z0-9]{8,64})", re.IGNORECASE),
    }
    redactor = Redactor(extra_patterns=patterns)
    assert redactor.redact_text("EMP-123456 used ik_ABCDEF123") == (
        "[REDACTED:employee_id] used ik_[REDACTED:internal_key]"
    )
    redactor = Redactor(extra_patterns=[SecretPattern("ticket", r"TCK[0-9]{4}", triggers=("TCK",))])
    assert redactor.redact_text("see TCK1234") == "see [REDACTED:ticket]"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"secret-\w+", "unbounded"),
        (r"(a|b)*", "empty string"),
        (r"[unclosed", "not a valid regex"),
    ],
)
def test_unusable_user_patterns_are_configuration_errors(pattern: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        Redactor(extra_patterns={"mine": pattern})
    assert "redact_patterns['mine']" in str(raised.value)


def test_nested_structures_are_redacted_and_the_input_is_not_mutated() -> None:
    token = samples.slack_bot_token()
    value: dict[str, Any] = {
        "headers": [(b"authorization", b"Bearer abc.def.123456"), ("accept", "json")],
        "body": {"items": [token, {"password": "pw"}], "meta": (1, 2.5, None, True)},
        "raw": f"token {token}".encode(),
    }
    original = copy.deepcopy(value)
    result = redact(value)
    assert value == original
    assert result == {
        "headers": [(b"authorization", "[REDACTED:authorization]"), ("accept", "json")],
        "body": {
            "items": ["[REDACTED:slack_token]", {"password": "[REDACTED:password]"}],
            "meta": (1, 2.5, None, True),
        },
        "raw": b"token [REDACTED:slack_token]",
    }
    assert result["body"] is not value["body"]


def test_str_bytes_list_and_tuple_keep_their_types() -> None:
    token = samples.github_token()
    assert redact(token) == "[REDACTED:github_token]"
    assert redact(token.encode()) == b"[REDACTED:github_token]"
    assert redact([token]) == ["[REDACTED:github_token]"]
    assert redact((token,)) == ("[REDACTED:github_token]",)
    assert redact(bytearray(token.encode())) == bytearray(b"[REDACTED:github_token]")
    assert redact(42) == 42


def test_bytes_that_are_not_utf8_are_kept_byte_for_byte_around_the_secret() -> None:
    token = samples.slack_bot_token().encode()
    data = b"\xff\xfe " + token + b" \x80"
    assert redact(data) == b"\xff\xfe [REDACTED:slack_token] \x80"


def test_cycles_and_deep_nesting_are_truncated_not_fatal() -> None:
    cyclic: list[Any] = ["a"]
    cyclic.append(cyclic)
    assert redact(cyclic) == ["a", "[TRUNCATED:cycle]"]
    cyclic_dict: dict[str, Any] = {}
    cyclic_dict["self"] = cyclic_dict
    assert redact(cyclic_dict) == {"self": "[TRUNCATED:cycle]"}

    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    result = redact(deep)
    depth = 0
    while isinstance(result, list):
        result = result[0]
        depth += 1
    assert result == "[TRUNCATED:depth]"
    assert depth == Redactor().max_depth

    shared = ["x"]
    assert redact([shared, shared]) == [["x"], ["x"]]  # a DAG is not a cycle


def test_a_value_that_breaks_the_walk_is_replaced_whole() -> None:
    class Exploding(dict[str, str]):
        def items(self) -> Any:
            raise RuntimeError("boom")

    result: object = redact(Exploding(a="b"))
    assert result == "[REDACTED:unprocessable]"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_redact_never_raises_and_never_mutates(value: Any) -> None:
    before = repr(value)
    redact(value)
    assert repr(value) == before


secret_cases = st.sampled_from([(make, template) for _, make, template in POSITIVE])


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=40), suffix=st.text(max_size=40), case=secret_cases)
def test_a_secret_between_arbitrary_separated_text_never_survives(
    prefix: str, suffix: str, case: tuple[Callable[[], str], str]
) -> None:
    make, template = case
    secret = make()
    redacted = REDACTOR.redact_text(f"{prefix}\n{template.format(secret)}\n{suffix}")
    assert secret not in redacted


@pytest.mark.parametrize("pattern", [*BUILTIN_PATTERNS, EMAIL_PATTERN], ids=lambda p: p.kind)
def test_every_builtin_pattern_has_bounded_width(pattern: SecretPattern) -> None:
    """The linear-time argument, by construction: a match attempt from any position reads at
    most ``high`` characters, so scanning n characters costs at most n * high steps. With a
    bounded width and a fixed number of patterns, redaction is linear in its input."""
    width = pattern_width(pattern.regex, pattern.flags)
    assert width is not None
    low, high = width
    assert 1 <= low <= high <= MAX_PATTERN_WIDTH


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def _best_time(function: Callable[[], object], repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "a" * 64,  # long runs feed greedy character classes
        "4111 " * 16,  # digit groups: card-number candidates everywhere
        "x@" * 32,  # '@' everywhere: e-mail candidates
        "eyJ" + "a" * 61,  # JWT prefix without the dots
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 33,  # unterminated PEM
        "https://u:" * 6 + "p",  # URL-password candidates without '@'
        "Bearer " * 9,  # scheme words without tokens
        "password=" * 7,  # denylisted keys whose values are more keys
        '{"token": "' * 5,  # unterminated quoted values
        "%2B+%41" * 9,  # percent escapes and pluses: every run is decoded
    ],
    ids=[
        "letters",
        "digits",
        "at-signs",
        "jwt-prefix",
        "pem-prefix",
        "url-prefix",
        "bearer",
        "key-value",
        "quoted-value",
        "percent",
    ],
)
def test_redaction_time_grows_linearly_with_input_size(unit: str) -> None:
    """Measured at n and 8n on adversarial inputs: quadratic growth would be 64x, linear 8x.

    The bound allows 24x, so scheduling noise on a busy machine cannot fail a linear scanner
    while a quadratic one fails by a wide margin. Best-of-five CPU time damps the noise.
    """
    redactor = Redactor(cache_size=0)
    small = unit * 40
    large = unit * 320
    small_time = _best_time(lambda: redactor.redact_text(small))
    large_time = _best_time(lambda: redactor.redact_text(large))
    assert large_time <= max(small_time, 1e-4) * 24, (small_time, large_time)


# -- fast paths: each must never let a secret through ---------------------------------------

AWS_CASES: list[tuple[str, Callable[[], str], str]] = [
    ("aws_credentials", samples.aws_access_key_id, "{} " + samples.aws_secret_access_key()),
    ("aws_secret_access_key", samples.aws_secret_access_key, "AWS_SECRET_ACCESS_KEY={}"),
    ("url_password", lambda: "s3cr" + "et-pw", "postgresql://app:{}@db/app"),
]
ALL_CASES = [*POSITIVE, *AWS_CASES]
PATTERNS = [*BUILTIN_PATTERNS, EMAIL_PATTERN]  # card_number has two: grouped, and in context


@pytest.mark.parametrize(("kind", "make", "template"), ALL_CASES)
def test_the_trigger_prefilter_fires_for_every_secret_in_the_corpus(
    kind: str, make: Callable[[], str], template: str
) -> None:
    """A pattern runs only where one of its triggers occurs: for every secret of the corpus,
    the triggers of its kind occur in the match itself (so in any text around it)."""
    scanner = REDACTOR._scanner
    text = template.format(make())
    matches = [re.compile(p.regex, p.flags).search(text) for p in PATTERNS if p.kind == kind]
    match = next((m for m in matches if m is not None), None)
    assert match is not None
    assert kind in scanner.triggered(text)
    assert kind in scanner.triggered(match.group(0))


secret_texts = st.builds(
    lambda case, prefix, suffix: f"{prefix}{case[2].format(case[1]())}{suffix}",
    st.sampled_from(ALL_CASES),
    st.text(max_size=30),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(secret_texts, st.text(max_size=200)))
def test_no_pattern_matches_where_its_triggers_do_not_fire(text: str) -> None:
    """The prefilter is sound: wherever a built-in pattern matches, its triggers fire."""
    triggered = set(REDACTOR._scanner.triggered(text))
    for pattern in PATTERNS:
        if re.compile(pattern.regex, pattern.flags).search(text) is not None:
            assert pattern.kind in triggered, (pattern.kind, text)


identifier_texts = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF-", min_size=36, max_size=36),
    st.uuids().map(str),
    st.uuids().map(lambda value: str(value).upper()),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=45),
    st.text(alphabet="0123456789", min_size=10, max_size=24),
    st.builds(lambda case: case[1](), st.sampled_from(ALL_CASES)),
)


@settings(max_examples=500, deadline=None)
@given(text=identifier_texts)
def test_strings_taken_for_identifiers_hold_no_secret(text: str) -> None:
    """The identifier fast path (skip scanning) only ever skips text no pattern can match."""
    redactor = Redactor()
    is_identifier = redactor._is_identifier(text)
    assert is_identifier == is_plain_identifier(text)
    assert redactor._is_identifier(text) == is_identifier  # the UUID cache agrees with itself
    if is_identifier:
        for pattern in PATTERNS:
            assert re.compile(pattern.regex, pattern.flags).search(text) is None, pattern.kind


def test_aws_key_ids_and_card_numbers_are_not_taken_for_identifiers() -> None:
    for secret in (samples.aws_access_key_id(), samples.visa_number(), samples.amex_number()):
        plain = secret.replace(" ", "")
        assert not is_plain_identifier(plain)
        assert REDACTOR.redact_text(f"card {plain}") != f"card {plain}"


def test_strings_with_secrets_are_never_cached() -> None:
    redactor = Redactor()
    token = samples.slack_bot_token()
    text = f"posting with {token}"
    for _ in range(3):
        assert token not in redactor.redact_text(text)
    assert text not in redactor._clean
    redactor.redact_text("a clean line of text")
    assert "a clean line of text" in redactor._clean


def test_the_clean_cache_is_bounded_and_keeps_recently_used_strings() -> None:
    redactor = Redactor(cache_size=8)
    hot = "an event logged all the time"
    for index in range(100):
        redactor.redact_text(hot)
        redactor.redact_text(f"a one-off line number {index} here")
        assert len(redactor._clean) <= 8
    assert hot in redactor._clean
    assert Redactor(cache_size=0).redact_text(hot) == hot


def test_redact_event_covers_every_key_and_the_processor_skips_pipeline_fields() -> None:
    token = samples.github_token()
    event = {"event": f"push {token}", "timestamp": token, "password": "pw", "count": 3}
    REDACTOR.redact_event(event)
    assert event == {
        "event": "push [REDACTED:github_token]",
        "timestamp": "[REDACTED:github_token]",  # a user field: the pipeline sets it later
        "password": "[REDACTED:password]",
        "count": 3,
    }
    processed = REDACTOR(None, "info", {"event": f"push {token}", "trace_id": "abc"})
    assert processed == {"event": "push [REDACTED:github_token]", "trace_id": "abc"}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("api_token", "abc", "[REDACTED:token]"),
        ("api_token", None, None),
        ("password_set", True, True),
        (
            "request_id",
            "3f1c0e1a-9c4b-4c1e-9a5e-1f2b3c4d5e6f",
            "3f1c0e1a-9c4b-4c1e-9a5e-1f2b3c4d5e6f",
        ),
        ("note", "with " + "gh" + "p_" + "a" * 36, "with [REDACTED:github_token]"),
        ("tags", {"password": "pw"}, {"password": "[REDACTED:password]"}),
        ("attempt", 2, 2),
    ],
)
def test_redact_field_is_the_per_field_rule_of_an_event(
    key: str, value: Any, expected: Any
) -> None:
    assert REDACTOR.redact_field(key, value) == expected


def test_redact_uses_the_redactor_the_configure_handle_owns(capture: LogCapture) -> None:
    """The handle configure() returns owns the redactor: redact() and the log pipeline use it
    while it is active; before configure() and after shutdown() the built-in rules apply."""
    assert default_redactor() is builtin_redactor()
    assert redact({"iban": "DE89"}) == {"iban": "DE89"}
    handle = configure(log_stream=capture.stream, log_format="json", redact_keys=["iban"])
    assert default_redactor() is handle.redactor
    assert redact({"iban": "DE89"}) == {"iban": "[REDACTED:iban]"}
    get_logger("test").info("payment", iban="DE89")
    assert capture.events("payment")[0]["iban"] == "[REDACTED:iban]"
    again = configure(log_stream=capture.stream, log_format="json", safe_keys=["session_id"])
    assert current() is again and default_redactor() is again.redactor
    assert redact({"iban": "DE89", "session_id": "s-1"}) == {"iban": "DE89", "session_id": "s-1"}
    shutdown()
    assert default_redactor() is builtin_redactor()
    assert redact({"session_id": "s-1"}) == {"session_id": "[REDACTED:session]"}
