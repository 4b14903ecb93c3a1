"""How redaction sees a value of any type: which objects are mappings, records, ``(name,
value)`` pairs, numbers, or exceptions to be read as text.

Read without calling the objects' own serialisers (a model's ``model_dump``, a custom
``__repr__``), which could be slow, fail, or print what they hold.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, Final

__all__ = ["exception_text", "is_number", "is_pair", "mapping_items", "record_fields"]

_DECIMAL: Final = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,9})?")


def is_number(value: object) -> bool:
    """Whether ``value`` is an int or float (not a bool), or a plain str of a decimal."""
    if isinstance(value, str):
        return type(value) is str and _DECIMAL.fullmatch(value) is not None
    kind = type(value)
    return kind is int or kind is float


def is_pair(item: object) -> bool:
    """Whether ``item`` is a ``[name, value]`` list or tuple with a str or bytes name."""
    return (
        (type(item) is list or type(item) is tuple)
        and len(item) == 2
        and isinstance(item[0], str | bytes)
    )


def record_fields(value: Any) -> dict[str, Any] | None:
    """The fields of a record (dataclass, named tuple, SimpleNamespace, pydantic or attrs
    model) as a dict, read without calling the model's own serialisers; else ``None``."""
    kind = type(value)
    if isinstance(value, tuple):
        fields = getattr(kind, "_fields", None)
        return dict(zip(fields, value, strict=False)) if isinstance(fields, tuple) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, SimpleNamespace):
        return dict(vars(value))
    pydantic_fields = getattr(kind, "__pydantic_fields__", None)
    if isinstance(pydantic_fields, dict) and not isinstance(value, type):
        fields = {name: getattr(value, name) for name in pydantic_fields}
        extra = getattr(value, "__pydantic_extra__", None)
        if isinstance(extra, dict):
            fields.update(extra)
        return fields
    attrs_fields = getattr(kind, "__attrs_attrs__", None)
    if attrs_fields is not None and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in attrs_fields}
    return None


def mapping_items(value: Mapping[Any, Any]) -> dict[Any, Any]:
    """A mapping of any kind as a dict. Multi-dicts (Starlette and httpx headers, query
    parameters, forms) give every value: a key that repeats maps to the list of its values."""
    multi_items = getattr(value, "multi_items", None)
    if not callable(multi_items):
        return dict(value.items())
    out: dict[Any, Any] = {}
    repeated: set[Any] = set()
    for key, item in multi_items():
        if key not in out:
            out[key] = item
        elif key in repeated:
            out[key].append(item)
        else:
            out[key] = [out[key], item]
            repeated.add(key)
    return out


def exception_text(error: BaseException) -> str:
    """``Type: message`` and the exception's notes, as a traceback shows them."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = f"{type(error).__name__}: <unprintable>"
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list):
        text += "".join(f"\n{note}" for note in notes)
    return text
