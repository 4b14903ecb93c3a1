"""Loads the repository's stand-alone scripts (scripts/*.py, charts/*/files/*.py) as modules, so
tests call their functions directly. They are run as files in CI and in Jobs, not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_script(pattern: str) -> ModuleType:
    """The script at `pattern` (a path relative to the repository root; a glob must match one
    file), imported under its file name and registered in sys.modules (dataclasses need that)."""
    (path,) = ROOT.glob(pattern)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None, f"cannot load {path}"
    assert spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
