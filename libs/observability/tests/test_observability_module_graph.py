"""The package's own imports: no cycle between its modules (imports inside functions count),
no leading-underscore name taken from another of its modules, and ``asgi`` importable without
``fastapi``. Read from the source with ``ast``; the checker is itself tested on small
made-up packages that break each rule."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pavedroad.observability as package
import pytest

PACKAGE = package.__name__
SOURCE = Path(package.__file__).parent


def _parse(sources: dict[str, str]) -> dict[str, ast.Module]:
    return {name: ast.parse(text) for name, text in sources.items()}


@functools.cache
def _package_modules() -> dict[str, ast.Module]:
    return _parse({path.stem: path.read_text("utf-8") for path in sorted(SOURCE.glob("*.py"))})


def _target(module: str | None, level: int, name: str | None, modules: set[str]) -> str | None:
    """The package module an import refers to (``__init__`` for the package itself), or None
    for an import from outside the package."""
    if level == 1 and module is None:  # from . import x
        return name if name in modules else "__init__"
    if level == 1 and module is not None:  # from .x import y
        return module.split(".")[0]
    if module == PACKAGE:  # from pavedroad.observability import x
        return name if name in modules else "__init__"
    if module is not None and module.startswith(PACKAGE + "."):
        return module[len(PACKAGE) + 1 :].split(".")[0]
    return None


def _edges(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module -> the package modules it imports, at module level or inside functions."""
    names = set(modules)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    target = _target(node.module, node.level, alias.name, names)
                    if target is not None and target != name:
                        edges[name].add(target)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    target = _target(alias.name, 0, None, names)
                    if target is not None and target != name:
                        edges[name].add(target)
    return edges


def _cycles(modules: dict[str, ast.Module]) -> list[list[str]]:
    edges = _edges(modules)
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(edges.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for start in sorted(edges):
        visit(start, [])
    return found


def _private_imports(modules: dict[str, ast.Module]) -> list[str]:
    """``module: name`` for each leading-underscore name one module takes from another, by
    ``from ... import _name`` or as ``other._name`` on an imported module."""
    names = set(modules)
    found: list[str] = []
    for name, tree in modules.items():
        imported_modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    target = _target(node.module, node.level, alias.name, names)
                    if target is None or target == name:
                        continue
                    if target == alias.name:  # a module: watch its attributes
                        imported_modules.add(alias.asname or alias.name)
                    elif alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{name}: {target}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and _target(alias.name, 0, None, names) is not None:
                        imported_modules.add(alias.asname)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported_modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{name}: {node.value.id}.{node.attr}")
    return found


def test_the_package_has_no_import_cycle() -> None:
    assert _cycles(_package_modules()) == []


def test_no_module_takes_a_private_name_from_another() -> None:
    assert _private_imports(_package_modules()) == []


def test_fastapi_does_not_import_asgi() -> None:
    """``asgi`` hands FastAPI apps to ``fastapi`` (inside a function); never the reverse."""
    assert "asgi" not in _edges(_package_modules())["fastapi"]


def test_asgi_imports_without_the_fastapi_module() -> None:
    code = (
        "import sys\n"
        "import pavedroad.observability.asgi\n"
        f"sys.exit(int('{PACKAGE}.fastapi' in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr or "importing asgi loaded fastapi.py"


@pytest.mark.parametrize(
    ("sources", "cycle"),
    [
        (
            {
                "a": "from pavedroad.observability.b import x",
                "b": "import pavedroad.observability.a",
            },
            ["a", "b", "a"],
        ),
        (
            {"a": "def f():\n    from .b import x", "b": "from . import a"},
            ["a", "b", "a"],
        ),
        (
            {"__init__": "from pavedroad.observability.a import x", "a": "from . import y"},
            ["__init__", "a", "__init__"],
        ),
    ],
)
def test_the_cycle_check_finds_a_cycle(sources: dict[str, str], cycle: list[str]) -> None:
    assert cycle in _cycles(_parse(sources))


@pytest.mark.parametrize(
    ("sources", "found"),
    [
        ({"a": "from pavedroad.observability.b import _x", "b": ""}, ["a: b._x"]),
        ({"a": "from .b import y, _z", "b": ""}, ["a: b._z"]),
        ({"a": "from pavedroad.observability import b\nb._x()", "b": ""}, ["a: b._x"]),
        ({"a": "import pavedroad.observability.b as bee\nbee._y", "b": ""}, ["a: bee._y"]),
        ({"a": "from re import _parser\nfrom .b import __all__", "b": ""}, []),
    ],
)
def test_the_private_name_check_finds_each_form(sources: dict[str, str], found: list[str]) -> None:
    assert _private_imports(_parse(sources)) == found


#: The module state the package keeps, each with why it cannot belong to the configure()
#: handle. Everything else a module binds at its top level must be a constant (UPPER_CASE),
#: a dunder (``__all__``), a type alias or type variable, a logger or a lock.
MODULE_STATE = {
    "lifecycle._state": "the one reference to the active handle",
    "database_spans._installed": "listeners on SQLAlchemy's Engine class, shared by the process",
    "http_client_spans._original_init": "a patch of aiohttp's ClientSession, process-wide",
    "metrics._defaults": "one HTTPMetrics per prometheus-client registry, process-wide",
}
_TYPE_FACTORIES = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple", "NewType"})
_ALLOWED_FACTORIES = frozenset({"getLogger", "get_logger", "Lock", "RLock"})


def _called_name(value: ast.expr) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _is_allowed_binding(name: str, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return True
    if name.lstrip("_").isupper():  # a constant (UPPER_CASE, _PRIVATE_CONSTANT, _T)
        return True
    annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
    if annotation is not None and ast.unparse(annotation).endswith("TypeAlias"):
        return True
    value = node.value
    if isinstance(node, ast.AugAssign) or value is None:
        return False
    if isinstance(value, ast.Subscript):  # Alias = tuple[int, str]
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):  # Alias = A | B
        return True
    called = _called_name(value)
    return called in _TYPE_FACTORIES or called in _ALLOWED_FACTORIES


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements a module runs at import, into ``if`` and ``try`` blocks."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.finalbody)


def _module_state(modules: dict[str, ast.Module]) -> list[str]:
    """``module.name`` for every name rebound with ``global`` and every module-level binding
    that is not a constant, a dunder, a type alias, a logger or a lock."""
    found: list[str] = []
    for module, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                found += [f"{module}.{name}" for name in node.names]
        for node in _top_level(tree.body):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
                found += [f"{module}.{n}" for n in names if not _is_allowed_binding(n, node)]
    return sorted(set(found))


def test_no_module_keeps_state_but_the_active_handle_and_named_exceptions() -> None:
    """The configure() handle owns the redactor, the log pipeline, the trace-ID reader and
    the span processors; a module may keep only the state listed in MODULE_STATE."""
    assert _module_state(_package_modules()) == sorted(MODULE_STATE)


def test_the_module_state_check_finds_each_form() -> None:
    bad = {
        "a": "_cache = {}\nseen: set[str] = set()\ncount = 0\ncount += 1\n",
        "b": "X = 1\ndef f():\n    global X\n",
        "c": "try:\n    import x\nexcept ImportError:\n    fallback = object()\n",
        "d": "reader, other = Reader(), 1\n",
    }
    assert _module_state(_parse(bad)) == [
        "a._cache",
        "a.count",
        "a.seen",
        "b.X",
        "c.fallback",
        "d.other",
        "d.reader",
    ]
    good = (
        "import logging, threading\nfrom typing import TypeAlias, TypeVar\n"
        "__all__ = ['x']\nLIMIT = 3\n_CACHE_MAX: Final = 10\nAlias = dict[str, int]\n"
        "Either = int | str\nOther: TypeAlias = 'Alias'\nT_co = TypeVar('T_co')\n"
        "log = logging.getLogger(__name__)\n_lock = threading.RLock()\n"
    )
    assert _module_state(_parse({"e": good})) == []
