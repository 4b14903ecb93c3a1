"""Setting resolution: argument beats environment beats default, and bad values are errors."""

from __future__ import annotations

import importlib.util
import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from pavedroad.observability import (
    ConfigurationError,
    LogSamplingPolicy,
    Redactor,
    configure,
    resolve_settings,
)
from pavedroad.observability.setting_kinds import Setting
from pavedroad.observability.settings import SAMPLERS, SETTINGS, parse_key_value_list
from pavedroad.observability.tracing import build_sampler


def test_defaults_without_arguments_or_environment() -> None:
    settings = resolve_settings(environ={})
    assert settings.service_name == "unknown_service"
    assert settings.environment == "production"
    assert settings.tracing_enabled is True
    assert settings.sampler == "parentbased_traceidratio"
    assert settings.sample_ratio == 1.0
    assert settings.otlp_protocol == "http/protobuf"
    assert settings.otlp_traces_endpoint is None
    assert settings.log_level == "INFO"
    assert settings.log_format == "auto"
    assert settings.redact_emails is True
    assert settings.log_sampling == LogSamplingPolicy()


def test_environment_beats_default() -> None:
    settings = resolve_settings(
        environ={
            "OTEL_SERVICE_NAME": "billing",
            "OTEL_RESOURCE_ATTRIBUTES": "service.version=1.2.3,deployment.environment.name=staging",
            "OTEL_TRACES_SAMPLER": "traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
            "PAVEDROAD_LOG_LEVEL": "debug",
            "PAVEDROAD_REDACT_EMAILS": "false",
        }
    )
    assert settings.service_name == "billing"
    assert settings.service_version == "1.2.3"
    assert settings.environment == "staging"
    assert settings.sampler == "traceidratio"
    assert settings.sample_ratio == 0.25
    assert settings.otlp_traces_endpoint == "http://collector:4318/v1/traces"
    assert settings.log_level == "DEBUG"
    assert settings.redact_emails is False


def test_argument_beats_environment() -> None:
    environ = {
        "OTEL_SERVICE_NAME": "from-env",
        "OTEL_TRACES_SAMPLER": "always_off",
        "OTEL_TRACES_SAMPLER_ARG": "0.9",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318",
        "OTEL_SDK_DISABLED": "true",
        "PAVEDROAD_ENVIRONMENT": "staging",
        "PAVEDROAD_LOG_FORMAT": "console",
    }
    settings = resolve_settings(
        service_name="from-arg",
        sampler="parentbased_traceidratio",
        sample_ratio=0.1,
        otlp_endpoint="http://arg:4318",
        tracing_enabled=True,
        environment="development",
        log_format="json",
        environ=environ,
    )
    assert settings.service_name == "from-arg"
    assert settings.resource_attributes["service.name"] == "from-arg"
    assert settings.sampler == "parentbased_traceidratio"
    assert settings.sample_ratio == 0.1
    assert settings.otlp_traces_endpoint == "http://arg:4318/v1/traces"
    assert settings.tracing_enabled is True
    assert settings.environment == "development"
    assert settings.resource_attributes["deployment.environment.name"] == "development"
    assert settings.log_format == "json"


def test_otel_service_name_beats_resource_attribute() -> None:
    settings = resolve_settings(
        environ={"OTEL_RESOURCE_ATTRIBUTES": "service.name=a", "OTEL_SERVICE_NAME": "b"}
    )
    assert settings.service_name == "b"


def test_signal_specific_endpoint_is_used_as_is() -> None:
    settings = resolve_settings(
        environ={
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://base:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/custom/path",
        }
    )
    assert settings.otlp_traces_endpoint == "http://traces:4318/custom/path"


def test_grpc_endpoint_has_no_signal_path() -> None:
    settings = resolve_settings(
        environ={
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317",
        }
    )
    assert settings.otlp_protocol == "grpc"
    assert settings.otlp_traces_endpoint == "http://collector:4317"


def test_headers_timeout_and_compression_are_read() -> None:
    settings = resolve_settings(
        environ={
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc,x-tenant=acme",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=payments",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
        }
    )
    assert dict(settings.otlp_headers) == {
        "authorization": "Bearer abc",
        "x-tenant": "payments",
    }
    assert settings.otlp_timeout_seconds == 2.5
    assert settings.otlp_compression == "gzip"


def test_sdk_disabled() -> None:
    assert resolve_settings(environ={"OTEL_SDK_DISABLED": "TRUE"}).tracing_enabled is False
    assert resolve_settings(environ={"OTEL_SDK_DISABLED": "false"}).tracing_enabled is True


def test_sample_rates_from_environment() -> None:
    settings = resolve_settings(
        environ={
            "PAVEDROAD_LOG_SAMPLE_RATES": "sqlalchemy.engine=0.1,*=0.5",
            "PAVEDROAD_LOG_REPEAT_LIMIT": "0",
        }
    )
    assert dict(settings.log_sampling.rates) == {"sqlalchemy.engine": 0.1}
    assert settings.log_sampling.default_rate == 0.5
    assert settings.log_sampling.repeat_limit is None


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_every_standard_sampler_is_accepted(sampler: str) -> None:
    assert resolve_settings(environ={"OTEL_TRACES_SAMPLER": sampler}).sampler == sampler


@pytest.mark.parametrize(
    ("environ", "fragments"),
    [
        (
            {"OTEL_TRACES_SAMPLER": "jaeger_remote"},
            ["OTEL_TRACES_SAMPLER", "parentbased_traceidratio"],
        ),
        ({"OTEL_TRACES_SAMPLER_ARG": "1.5"}, ["OTEL_TRACES_SAMPLER_ARG", "0..1"]),
        ({"OTEL_TRACES_SAMPLER_ARG": "-0.1"}, ["OTEL_TRACES_SAMPLER_ARG", "0..1"]),
        (
            {"OTEL_TRACES_SAMPLER_ARG": "half"},
            ["OTEL_TRACES_SAMPLER_ARG", "between 0 and 1"],
        ),
        ({"OTEL_TRACES_SAMPLER_ARG": "nan"}, ["OTEL_TRACES_SAMPLER_ARG", "0..1"]),
        (
            {"OTEL_RESOURCE_ATTRIBUTES": "team=payments,broken"},
            ["OTEL_RESOURCE_ATTRIBUTES", "item 2 of 2", "key=value"],
        ),
        ({"OTEL_RESOURCE_ATTRIBUTES": "=value"}, ["OTEL_RESOURCE_ATTRIBUTES", "key=value"]),
        ({"OTEL_RESOURCE_ATTRIBUTES": "a=%ff"}, ["OTEL_RESOURCE_ATTRIBUTES", "percent-encoded"]),
        ({"OTEL_SDK_DISABLED": "maybe"}, ["OTEL_SDK_DISABLED", "'true' or 'false'"]),
        (
            {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
            ["OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf, grpc"],
        ),
        (
            {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "udp"},
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf, grpc"],
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
            ["OTEL_EXPORTER_OTLP_ENDPOINT", "http(s) URL"],
        ),
        ({"OTEL_EXPORTER_OTLP_HEADERS": "novalue"}, ["OTEL_EXPORTER_OTLP_HEADERS", "item 1 of 1"]),
        ({"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, ["OTEL_EXPORTER_OTLP_TIMEOUT", "milliseconds"]),
        ({"OTEL_EXPORTER_OTLP_TIMEOUT": "-5"}, ["OTEL_EXPORTER_OTLP_TIMEOUT", "positive"]),
        (
            {"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"},
            ["OTEL_EXPORTER_OTLP_COMPRESSION", "gzip, none"],
        ),
        ({"PAVEDROAD_LOG_LEVEL": "verbose"}, ["PAVEDROAD_LOG_LEVEL", "DEBUG"]),
        ({"PAVEDROAD_LOG_FORMAT": "xml"}, ["PAVEDROAD_LOG_FORMAT", "auto, json, console"]),
        ({"PAVEDROAD_REDACT_EMAILS": "sometimes"}, ["PAVEDROAD_REDACT_EMAILS", "boolean"]),
        ({"PAVEDROAD_LOG_SAMPLE_RATES": "sqlalchemy=2"}, ["PAVEDROAD_LOG_SAMPLE_RATES", "0..1"]),
        ({"PAVEDROAD_LOG_REPEAT_LIMIT": "many"}, ["PAVEDROAD_LOG_REPEAT_LIMIT", "whole number"]),
    ],
)
def test_bad_environment_is_an_error_naming_variable_and_fix(
    environ: dict[str, str], fragments: list[str]
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_settings(environ=environ)
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message


def test_bad_arguments_are_errors_naming_the_argument() -> None:
    with pytest.raises(ConfigurationError, match=r"^sampler is not supported"):
        resolve_settings(sampler="sometimes", environ={})
    with pytest.raises(ConfigurationError, match=r"^sample_ratio is outside 0..1"):
        resolve_settings(sample_ratio=2, environ={})
    with pytest.raises(ConfigurationError, match=r"sample_ratio has no effect"):
        resolve_settings(sampler="always_on", sample_ratio=0.5, environ={})
    with pytest.raises(ConfigurationError, match=r"^otlp_endpoint is not an http"):
        resolve_settings(otlp_endpoint="ftp://x", environ={})
    with pytest.raises(ConfigurationError, match=r"^log_level is not supported"):
        resolve_settings(log_level="loud", environ={})


def test_sampler_argument_is_ignored_for_non_ratio_sampler_from_environment() -> None:
    # The spec says OTEL_TRACES_SAMPLER_ARG is ignored by samplers that take no argument.
    settings = resolve_settings(
        environ={"OTEL_TRACES_SAMPLER": "always_on", "OTEL_TRACES_SAMPLER_ARG": "0.5"}
    )
    assert settings.sampler == "always_on"


def test_parse_key_value_list_decodes_and_strips() -> None:
    assert parse_key_value_list(" a = 1 , b=x%2Cy ", variable="V") == {"a": "1", "b": "x,y"}
    assert parse_key_value_list("", variable="V") == {}


def test_sampling_policy_validates_its_fields() -> None:
    with pytest.raises(ConfigurationError, match=r"rates\['x'\] is outside"):
        LogSamplingPolicy(rates={"x": 1.5})
    with pytest.raises(ConfigurationError, match="repeat_limit must be"):
        LogSamplingPolicy(repeat_limit=0)
    with pytest.raises(ConfigurationError, match="repeat_window_seconds"):
        LogSamplingPolicy(repeat_window_seconds=0)


# A secret pasted into the wrong setting, as an operator might. Assembled at run time.
PASTED = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def _full_text(error: BaseException) -> str:
    """Everything a traceback of ``error`` would print, its causes and context included."""
    return "".join(traceback.format_exception(error)) + repr(error)


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_TRACES_SAMPLER": PASTED},
        {"OTEL_TRACES_SAMPLER_ARG": PASTED},
        {"OTEL_RESOURCE_ATTRIBUTES": f"team=payments,{PASTED}"},
        {"OTEL_RESOURCE_ATTRIBUTES": f"token={PASTED}%ff"},
        {"OTEL_SDK_DISABLED": PASTED},
        {"OTEL_EXPORTER_OTLP_PROTOCOL": PASTED},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": PASTED},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"ftp://user:{PASTED}@collector"},
        {"OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {PASTED},{PASTED}"},
        {"OTEL_EXPORTER_OTLP_TRACES_HEADERS": f"x-api-key={PASTED}%fe"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT": PASTED},
        {"OTEL_EXPORTER_OTLP_COMPRESSION": PASTED},
        {"PAVEDROAD_LOG_LEVEL": PASTED},
        {"PAVEDROAD_LOG_FORMAT": PASTED},
        {"PAVEDROAD_REDACT_EMAILS": PASTED},
        {"PAVEDROAD_LOG_SAMPLE_RATES": f"sqlalchemy={PASTED}"},
        {"PAVEDROAD_LOG_REPEAT_LIMIT": PASTED},
        {"PAVEDROAD_LOG_MAX_FIELD_BYTES": PASTED},
        {"PAVEDROAD_LOG_MAX_LINE_BYTES": PASTED},
    ],
    ids=lambda environ: next(iter(environ)),
)
def test_no_settings_error_shows_the_value(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_settings(environ=environ)
    text = _full_text(raised.value)
    assert next(iter(environ)) in text  # the variable is named...
    assert PASTED not in text  # ...its value is not, in the message or its cause chain
    assert PASTED[8:20] not in text


@pytest.mark.parametrize(
    "call",
    [
        lambda: resolve_settings(sampler=PASTED, environ={}),
        lambda: resolve_settings(sample_ratio=PASTED, environ={}),  # type: ignore[arg-type]
        lambda: resolve_settings(otlp_endpoint=PASTED, environ={}),
        lambda: resolve_settings(otlp_protocol=PASTED, environ={}),
        lambda: resolve_settings(log_level=PASTED, environ={}),
        lambda: resolve_settings(log_format=PASTED, environ={}),
        lambda: resolve_settings(redact_emails=PASTED, environ={}),  # type: ignore[arg-type]
        lambda: resolve_settings(resource_attributes={"team": 7, "x": PASTED}, environ={}),  # type: ignore[dict-item]
        lambda: LogSamplingPolicy(rates={"x": PASTED}),  # type: ignore[dict-item]
        lambda: LogSamplingPolicy(repeat_limit=PASTED),  # type: ignore[arg-type]
        lambda: LogSamplingPolicy(repeat_window_seconds=PASTED),  # type: ignore[arg-type]
        lambda: Redactor(extra_keys=["", PASTED], safe_keys=[PASTED + " "]),
        lambda: Redactor(extra_patterns={"kind": PASTED + "(" + PASTED}),
        lambda: Redactor(extra_patterns={PASTED + "-x": "x{1,3}"}),
        lambda: Redactor(extra_patterns={"kind": PASTED + "\\w*"}),
        lambda: build_sampler(PASTED, 1.0),
    ],
)
def test_no_argument_error_shows_the_value(call: Callable[[], object]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        call()
    text = _full_text(raised.value)
    assert PASTED not in text
    assert PASTED[8:20] not in text


def _readme_tool() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "tools" / "settings_readme.py"
    spec = importlib.util.spec_from_file_location("settings_readme", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_configuration_table_is_generated_from_the_settings_table() -> None:
    tool = _readme_tool()
    readme = tool.README.read_text(encoding="utf-8")
    assert tool.updated_readme(readme) == readme, f"README table is stale; run `{tool.COMMAND}`"
    for setting in SETTINGS:
        for variable in setting.variables:
            assert f"`{variable}`" in readme
    for sampler in SAMPLERS:
        assert f"`{sampler}`" in readme


def test_a_stale_readme_table_is_found(tmp_path: Path) -> None:
    tool = _readme_tool()
    readme = tool.README.read_text(encoding="utf-8").replace("`PAVEDROAD_LOG_LEVEL`", "`X`", 1)
    assert tool.updated_readme(readme) != readme
    stale = tmp_path / "README.md"
    stale.write_text(readme, encoding="utf-8")
    tool.README = stale
    assert tool.main(["--check"]) == 1
    assert tool.main([]) == 0
    assert tool.main(["--check"]) == 0


def test_every_configure_argument_has_a_row() -> None:
    table = {s.argument for s in SETTINGS if s.function == "configure" and s.argument}
    assert table == set(inspect.signature(configure).parameters)
    variables = [v for s in SETTINGS for v in s.variables]
    assert len(variables) == len(set(variables)), "a variable belongs to one setting"


@pytest.mark.parametrize(
    ("setting", "variable"),
    [(s, v) for s in SETTINGS for v in s.variables],
    ids=[v for s in SETTINGS for v in s.variables],
)
def test_no_variable_of_the_table_shows_a_rejected_value(
    setting: Setting[object], variable: str
) -> None:
    try:
        setting.resolve(None, {variable: f"x={PASTED}%ff,{PASTED}"})
    except ConfigurationError as error:
        text = _full_text(error)
        assert variable in text
        assert PASTED[8:20].lower() not in text.lower()  # parsers fold case
