"""Questions and validators of copier.yml, usable outside copier.

copier.yml is the single source of truth for the template's questions. This module reads it so
that cookiecutter's config can be generated from it and cookiecutter's pre-generation hook can
apply the very same validators that copier applies.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

from hooks.jinja_filters import regex_replace, regex_search

COPIER_YML = Path(__file__).resolve().parent.parent / "copier.yml"

_TRUE = {"y", "yes", "true", "on", "1"}
_FALSE = {"n", "no", "false", "off", "0"}


class AnswerError(ValueError):
    """An answer was rejected; the message names the answer and the fix."""


@dataclass(frozen=True)
class Question:
    """One question of copier.yml."""

    name: str
    type: str
    help: str
    default: Any
    choices: tuple[Any, ...]
    validator: str | None
    computed: bool


@dataclass(frozen=True)
class TemplateConfig:
    """The parsed copier.yml: engine settings and the questions in order."""

    settings: Mapping[str, Any]
    questions: tuple[Question, ...]

    @property
    def envops(self) -> dict[str, Any]:
        return dict(self.settings.get("_envops", {}))

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)

    def asked(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.computed)

    @functools.cached_property
    def validators(self) -> dict[str, Template]:
        """Each question's validator, compiled once per config (validation of many answer sets,
        as in the tests' combination matrix, would otherwise compile them again every time)."""
        env = self.jinja_env()
        return {q.name: env.from_string(q.validator) for q in self.asked() if q.validator}

    def jinja_env(self) -> Environment:
        """A Jinja environment with the template's delimiters and regex filters."""
        envops = {k: v for k, v in self.envops.items() if k != "keep_trailing_newline"}
        env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, **envops)
        env.filters.setdefault("regex_search", regex_search)
        env.filters.setdefault("regex_replace", regex_replace)
        return env


def load(path: Path = COPIER_YML) -> TemplateConfig:
    """Parse copier.yml into settings and questions."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings = {k: v for k, v in raw.items() if k.startswith("_")}
    questions = []
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        questions.append(
            Question(
                name=name,
                type=spec.get("type", "str"),
                help=spec.get("help", ""),
                default=spec.get("default"),
                choices=tuple(spec.get("choices", ())),
                validator=spec.get("validator"),
                computed=spec.get("when") is False,
            )
        )
    return TemplateConfig(settings=settings, questions=tuple(questions))


def cast(question: Question, value: Any) -> Any:
    """Convert a raw answer (often a string from cookiecutter) to the question's type."""
    kind = question.type
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if kind == "int":
            return int(str(value).strip())
        if kind == "float":
            return float(str(value).strip())
    except ValueError:
        raise AnswerError(
            f"{question.name} {value!r} is not a valid {kind}; {question.help}"
        ) from None
    return value if value is None else str(value)


def validate(answers: Mapping[str, Any], config: TemplateConfig | None = None) -> list[str]:
    """Cast and validate every answer; return the error messages (empty when all are valid)."""
    config = config or load()
    context: dict[str, Any] = {}
    errors: list[str] = []
    for question in config.asked():
        if question.name not in answers:
            errors.append(f"{question.name} is missing; answer it or accept its default.")
            continue
        try:
            context[question.name] = cast(question, answers[question.name])
        except AnswerError as exc:
            errors.append(str(exc))
            context[question.name] = answers[question.name]
    for question in config.asked():
        if not question.validator or question.name not in context:
            continue
        try:
            message = config.validators[question.name].render(**context).strip()
        except Exception as exc:  # a value of the wrong type can break a validator
            message = f"{question.name} {context[question.name]!r} could not be checked: {exc}"
        if message:
            errors.append(message)
    return errors
