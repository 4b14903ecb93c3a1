"""SecretValue never shows the secret by accident."""

from __future__ import annotations

import logging
import pickle

import pytest
from pavedroad.secrets import SecretValue

PLAIN = "hunter2-correct-horse"


def test_repr_str_and_format_are_masked() -> None:
    value = SecretValue(PLAIN)
    for rendered in (
        repr(value),
        str(value),
        f"{value}",
        f"{value!r}",
        f"{value:>30}",
        "%s" % (value,),  # noqa: UP031 - the %-operator path is what logging uses
    ):
        assert PLAIN not in rendered
    assert PLAIN not in repr([value, {"token": value}])


def test_logging_a_value_shows_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token is %s (%r)", SecretValue(PLAIN), SecretValue(PLAIN))
    assert PLAIN not in caplog.text
    assert "**********" in caplog.text


def test_reveal_and_json() -> None:
    assert SecretValue(PLAIN).reveal() == PLAIN
    assert SecretValue('{"a": 1}').reveal_json() == {"a": 1}
    with pytest.raises(ValueError, match="not valid JSON") as caught:
        SecretValue("{nope " + PLAIN).reveal_json()
    assert PLAIN not in str(caught.value)


def test_equality_and_no_hash() -> None:
    assert SecretValue("a") == SecretValue("a")
    assert SecretValue("a") != SecretValue("b")
    assert SecretValue("a") != "a"
    with pytest.raises(TypeError):
        hash(SecretValue("a"))


def test_pickling_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(SecretValue(PLAIN))


def test_only_str_is_wrapped() -> None:
    with pytest.raises(TypeError, match="decode bytes first"):
        SecretValue(b"bytes")  # type: ignore[arg-type]
