"""SecretValue never shows the secret by accident."""

from __future__ import annotations

import copy
import copyreg
import dataclasses
import json
import logging
import pickle
import string
from collections.abc import Callable

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


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_pickle_protocol_is_refused(protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps({"token": SecretValue(PLAIN)}, protocol=protocol)


@pytest.mark.parametrize(
    "serialise",
    [
        pytest.param(lambda v: v.__getstate__(), id="__getstate__"),
        pytest.param(lambda v: v.__reduce__(), id="__reduce__"),
        pytest.param(lambda v: v.__reduce_ex__(2), id="__reduce_ex__(2)"),
        pytest.param(lambda v: v.__reduce_ex__(4), id="__reduce_ex__(4)"),
        pytest.param(lambda v: copyreg._reduce_ex(v, 1), id="copyreg._reduce_ex"),  # type: ignore[attr-defined]
        pytest.param(lambda v: json.dumps(v), id="json.dumps"),
        pytest.param(lambda v: json.dumps({"token": v}), id="json.dumps nested"),
        pytest.param(lambda v: vars(v), id="vars"),
        pytest.param(lambda v: v.__dict__, id="__dict__"),
    ],
)
def test_serialisation_paths_never_return_the_plain_text(
    serialise: Callable[[SecretValue], object],
) -> None:
    # Python 3.11 gives every object a default __getstate__ that returns its slots, here the
    # plain text; each path either refuses or yields something without the value.
    value = SecretValue(PLAIN)
    try:
        result = serialise(value)
    except (TypeError, AttributeError) as exc:
        assert PLAIN not in str(exc)
        return
    assert PLAIN not in repr(result)


@dataclasses.dataclass
class Settings:
    token: SecretValue
    name: str = "app"


def test_copies_and_dataclass_conversion_keep_the_mask() -> None:
    value = SecretValue(PLAIN)
    # Immutable: a copy is the same object, never a plain str.
    assert copy.copy(value) is value
    assert copy.deepcopy({"token": value})["token"] is value
    settings = Settings(value)
    as_dict = dataclasses.asdict(settings)
    assert as_dict["token"] is value
    assert PLAIN not in repr(as_dict)
    assert PLAIN not in repr(dataclasses.astuple(settings))
    assert PLAIN not in repr(dataclasses.replace(settings, name="x"))
    rendered = f"{settings} {settings!r} {as_dict} {value!s} {value!a}"
    rendered += string.Formatter().format("{0} {0!r} {0!s} {0:>40}", value)
    assert PLAIN not in rendered


def test_only_str_is_wrapped() -> None:
    with pytest.raises(TypeError, match="decode bytes first"):
        SecretValue(b"bytes")  # type: ignore[arg-type]
