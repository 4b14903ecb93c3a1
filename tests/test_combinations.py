"""Combination tier: every supported combination of the choice answers passes the static checks
of its own generated CI, and a pairwise covering set of combinations runs its whole `make ci`.

copier.yml is the one source of the choices and of the combinations it rejects (its validators,
applied through hooks.answers). Each combination is rendered once. Each static check runs once
per distinct content it reads, through the generated repository's own make target, so the many
combinations that share their Python, chart or Dockerfile cost one run each; the chart checks
render each chart with its defaults and prod values (every values set runs in the examples' and the
pairwise set's `make ci`). A failure names the check and every combination that shares the
failing content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import harness

# Every combination is rendered over these answers: the default service, with a slug that holds
# digits (in the middle of a label, and a label that starts with one after a hyphen).
BASE_ANSWERS: dict[str, Any] = {
    **harness.load_example("default"),
    "project_name": "Notes 2 Svc 24",
    "project_slug": "notes2-svc-24",
    "package_name": "notes2_svc_24",
}
COMBINATIONS = harness.supported_combinations(BASE_ANSWERS)
# Two renders at a time: the machine this runs on has two cores.
WORKERS = 2


def example_combinations() -> list[dict[str, Any]]:
    """The choice answers of each example, with copier.yml's defaults for those it leaves out."""
    from hooks import answers as template_answers

    config = template_answers.load()
    choices = harness.choice_values()
    combos = []
    for name in harness.example_names():
        example = harness.load_example(name)
        combos.append({q: example.get(q, config.question(q).default) for q in choices})
    return combos


# The examples already run their whole CI (test_generated_ci.py); these cover the other pairs.
PAIRWISE = harness.pairwise_cover(COMBINATIONS, covered=example_combinations())


# --- The static tier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaticCheck:
    """One check of the generated CI: its make targets and the files whose content it reads."""

    name: str
    targets: tuple[str, ...]
    # Relative paths or globs (`**/` recurses) of what it reads, the mk/<concern>.mk files that
    # define its targets among them (each concern keeps its targets in its own file, so another
    # concern's file, such as mk/database.mk, does not split its runs); the Makefile is added.
    inputs: tuple[str, ...]
    # Runs tools from the generated repository's virtualenv (built from its lock files).
    venv: bool = False
    # For a tool that judges each file alone (yamllint): the files it reads, left out of the
    # content key (which then holds only its configuration). The make target runs once per
    # configuration; then each distinct (path, content) is checked once by `per_file_command`,
    # in the first tree holding it.
    per_file: tuple[str, ...] = ()
    per_file_command: tuple[str, ...] = ()
    # Extra `make` arguments.
    args: tuple[str, ...] = ()


PYTHON_FILES = ("**/*.py", "mk/python.mk")
STATIC_CHECKS = (
    StaticCheck("ruff check and format (make lint-python)", ("lint-python",), PYTHON_FILES, True),
    StaticCheck("mypy --strict (make typecheck)", ("typecheck",), PYTHON_FILES, True),
    StaticCheck(
        "yamllint (make lint-yaml)",
        ("lint-yaml",),
        (".yamllint*", "mk/lint.mk"),
        per_file=("**/*.yml", "**/*.yaml"),
        per_file_command=("yamllint", "--strict", "-c", ".yamllint.yaml"),
    ),
    StaticCheck(
        "hadolint (make lint-dockerfile)",
        ("lint-dockerfile",),
        ("Dockerfile", ".hadolint.yaml", "mk/image.mk"),
    ),
    StaticCheck(
        "helm lint, helm template, kubeconform and conftest "
        "(make chart-lint chart-kubeconform chart-policy)",
        ("chart-lint", "chart-kubeconform", "chart-policy"),
        ("charts/**/*", "policy/**/*", "mk/helm.mk", "mk/policy.mk"),
        # Each distinct chart with its defaults and prod. The edge-case and environment values
        # sets meet every choice value in the examples' and the pairwise set's `make ci`
        # (test_every_choice_value_meets_every_values_set); all twelve here took ten minutes.
        args=harness.CHART_DEFAULT_AND_PROD,
    ),
)
# Files that never feed a check: build output and caches of earlier runs.
IGNORED_PARTS = {".git", ".venv", ".mypy_cache", ".ruff_cache", "out", "__pycache__"}
VENV_INPUTS = ("requirements-dev.lock", "requirements-internal.txt")


def _files(tree: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        for path in tree.glob(pattern):
            rel = path.relative_to(tree)
            if path.is_file() and not IGNORED_PARTS.intersection(rel.parts):
                found.add(path)
    return sorted(found)


def _digest(tree: Path, patterns: tuple[str, ...], extra: str = "") -> str:
    """One hash over the relative paths and contents of the files matching `patterns`."""
    digest = hashlib.sha256(extra.encode())
    for path in _files(tree, (*patterns, "Makefile")):
        digest.update(path.relative_to(tree).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tool_config(tree: Path) -> str:
    """pyproject.toml's [tool] tables and Python bound: the part ruff and mypy read (the license
    and description do not change what they report)."""
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    return json.dumps(
        [project.get("tool", {}), project["project"].get("requires-python")], sort_keys=True
    )


@dataclass
class Failure:
    check: str
    combinations: list[str]
    output: str

    def __str__(self) -> str:
        names = "\n  ".join(self.combinations)
        return f"{self.check} failed for:\n  {names}\n{self.output}"


@dataclass
class TierRun:
    """What one pass of the static tier did: per check, how many distinct runs it made."""

    combinations: int = 0
    runs: dict[str, int] = field(default_factory=dict)
    cached: dict[str, int] = field(default_factory=dict)
    venvs: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"static tier: {self.combinations} combinations in {self.seconds:.0f}s, "
            f"{self.venvs} virtualenvs built"
        ]
        for check in STATIC_CHECKS:
            lines.append(
                f"  {self.runs.get(check.name, 0):3d} runs "
                f"({self.cached.get(check.name, 0)} reused): {check.name}"
            )
        return "\n".join(lines)


class StaticTier:
    """Runs the static checks over rendered trees, once per distinct content, remembering results
    and virtualenvs for the session."""

    def __init__(self, workdir: Path, wheelhouse: Path) -> None:
        self.workdir = workdir
        self.wheelhouse = wheelhouse
        self._results: dict[tuple[str, str], subprocess.CompletedProcess[str]] = {}
        self._venvs: dict[str, Path] = {}
        self._venv_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _venv_key(self, tree: Path, python_version: str) -> str:
        return _digest(tree, VENV_INPUTS, python_version)[:16]

    def _venv(self, tree: Path, python_version: str, run: TierRun) -> Path:
        """A virtualenv from the tree's own lock files, shared by the trees with the same locks:
        dev lock with hashes and no builds, then the internal libraries, as `make venv` does."""
        key = self._venv_key(tree, python_version)
        with self._lock:
            lock = self._venv_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._venvs:
                return self._venvs[key]
            venv = self.workdir / f"venv-{key}"
            shutil.rmtree(venv, ignore_errors=True)
            steps = harness.lock_venv_steps(
                venv, tree, self.wheelhouse, harness.python_for(python_version)
            )
            for step in steps:
                result = subprocess.run(step, capture_output=True, text=True, check=False)
                if result.returncode != 0:
                    raise AssertionError(
                        f"building the virtualenv of {tree} failed:\n$ {' '.join(step)}\n"
                        f"{result.stdout}{result.stderr}"
                    )
            harness.touch_venv_stamps(venv)
            self._venvs[key] = venv
            run.venvs += 1
            return venv

    def _make(
        self, check: StaticCheck, tree: Path, python_version: str, run: TierRun
    ) -> subprocess.CompletedProcess[str]:
        args = [*check.targets[1:], *check.args]
        env: dict[str, str] = {}
        if check.venv:
            venv = self._venv(tree, python_version, run)
            # The shared virtualenv stands in for the tree's own `.venv`; `-o` keeps make from
            # rebuilding it because the tree's lock files are newer than its stamp.
            args += [f"VENV={venv}", "-o", str(venv / ".installed")]
            env["MYPY_CACHE_DIR"] = str(venv / ".mypy_cache")
            with self._venv_locks[self._venv_key(tree, python_version)]:
                return harness.run_make(tree, check.targets[0], args=args, env=env, timeout=900)
        return harness.run_make(tree, check.targets[0], args=args, env=env, timeout=900)

    def _per_file(
        self, check: StaticCheck, members: list[tuple[str, Path]]
    ) -> list[tuple[list[str], str]]:
        """Check each distinct (path, content) among the members' files once, in the first tree
        that holds it; return (combinations sharing a rejected file, output) per rejecting run."""
        holders: dict[tuple[str, str], list[str]] = {}
        todo: dict[Path, list[tuple[str, str]]] = {}
        for name, tree in members:
            for path in _files(tree, check.per_file):
                key = (
                    path.relative_to(tree).as_posix(),
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                )
                if key not in holders:
                    todo.setdefault(tree, []).append(key)
                holders.setdefault(key, []).append(name)
        rejected = []
        for tree, keys in todo.items():
            result = subprocess.run(
                [*check.per_file_command, *(rel for rel, _ in keys)],
                cwd=tree,
                env=harness.toolchain_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                continue
            output = f"{result.stdout}\n{result.stderr}"
            named = {n for key in keys if key[0] in output for n in holders[key]}
            rejected.append((sorted(named or {n for key in keys for n in holders[key]}), output))
        return rejected

    def run(self, trees: Mapping[str, tuple[Path, str]]) -> TierRun:
        """Run every static check over `trees` (combination name -> (render, python version))."""
        started = time.monotonic()
        run = TierRun(combinations=len(trees))
        by_name = {check.name: check for check in STATIC_CHECKS}
        # (check, content key) -> the combinations sharing that content, first one runs it.
        groups: dict[tuple[str, str], list[tuple[str, Path]]] = {}
        versions = {name: version for name, (_, version) in trees.items()}
        for name, (tree, python_version) in trees.items():
            for check in STATIC_CHECKS:
                extra = ""
                if check.venv:
                    extra = _tool_config(tree) + self._venv_key(tree, python_version)
                key = (check.name, _digest(tree, check.inputs, extra))
                groups.setdefault(key, []).append((name, tree))
        todo = [key for key in groups if key not in self._results]
        for key in groups:
            counter = run.cached if key in self._results else run.runs
            counter[key[0]] = counter.get(key[0], 0) + 1

        def execute(key: tuple[str, str]) -> None:
            name, tree = groups[key][0]
            self._results[key] = self._make(by_name[key[0]], tree, versions[name], run)

        # The Python checks first: they build virtualenvs, the longest steps.
        todo.sort(key=lambda key: not by_name[key[0]].venv)
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(execute, todo))
        for key, members in groups.items():
            result = self._results[key]
            if result.returncode != 0:
                output = f"{result.stdout}\n{result.stderr}"[-harness.OUTPUT_TAIL :]
                run.failures.append(Failure(key[0], sorted(n for n, _ in members), output))
            for names, output in self._per_file(by_name[key[0]], members):
                run.failures.append(Failure(key[0], names, output[-harness.OUTPUT_TAIL :]))
        run.seconds = time.monotonic() - started
        return run


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def combination_render(
    template_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., dict[str, Path]]]:
    """Pristine copier renders of combinations over BASE_ANSWERS, each rendered once a session
    (two at a time). Do not modify them; copy with harness.copy_project."""
    cache: dict[str, Path] = {}
    root = tmp_path_factory.mktemp("combinations")

    def _render(*combos: Mapping[str, Any]) -> dict[str, Path]:
        todo = {harness.combo_id(c): c for c in combos if harness.combo_id(c) not in cache}
        dests = {name: root / f"c{len(cache) + i}" for i, name in enumerate(todo)}
        harness.render_many(
            [({**BASE_ANSWERS, **todo[n]}, dests[n]) for n in todo], template_snapshot, WORKERS
        )
        cache.update(dests)
        return {harness.combo_id(c): cache[harness.combo_id(c)] for c in combos}

    yield _render


@pytest.fixture(scope="session")
def static_tier(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, toolchain: Path
) -> StaticTier:
    return StaticTier(tmp_path_factory.mktemp("static-tier"), wheelhouse)


def _trees(renders: Mapping[str, Path]) -> dict[str, tuple[Path, str]]:
    by_name = {harness.combo_id(c): c for c in COMBINATIONS}
    return {name: (tree, str(by_name[name]["python_version"])) for name, tree in renders.items()}


# --- Fast tests of the combinations themselves -------------------------------------------------


@pytest.mark.render
@pytest.mark.slow
def test_worker_renders_equal_the_commands(
    rendered: Callable[..., Path], template_snapshot: Path, tmp_path: Path
) -> None:
    """The renders of this tier (and test_render's engine comparison) come from worker
    processes that reuse compiled templates (harness.RenderPool). Two examples in one worker,
    so the second reuses the first's, each equal to the `copier copy` and `cookiecutter`
    commands' renders of the same answers."""
    names = ["default", "alternatives"]
    pool = harness.RenderPool(1)
    try:
        for engine in harness.ENGINES:
            jobs = [(harness.load_example(n), tmp_path / engine / n) for n in names]
            pool.render_many(jobs, template_snapshot, engine)
    finally:
        pool.close()
    for engine in harness.ENGINES:
        for name in names:
            harness.assert_same_tree(tmp_path / engine / name, rendered(name, engine))


def test_combinations_are_every_accepted_product_of_the_choices() -> None:
    choices = harness.choice_values()
    assert {"python_version", "slack_app", "database", "mesh", "oncall", "license"} <= set(choices)
    total = 1
    for values in choices.values():
        total *= len(values)
    rejected = [c for c in COMBINATIONS if c["slack_app"] and c["database"] == "none"]
    assert not rejected, "copier.yml rejects slack_app=true with database=none"
    # Exactly the products with slack_app=true and database=none are left out.
    left_out = total - len(COMBINATIONS)
    assert left_out == total // (len(choices["slack_app"]) * len(choices["database"]))


def test_pairwise_set_covers_every_pair_the_examples_miss() -> None:
    needed = set().union(*(harness.value_pairs(c) for c in COMBINATIONS))
    covered = set().union(*(harness.value_pairs(c) for c in [*example_combinations(), *PAIRWISE]))
    assert needed <= covered, f"uncovered pairs: {sorted(needed - covered, key=str)}"
    assert all(c in COMBINATIONS for c in PAIRWISE), "the pairwise set holds a rejected combination"
    # No example covers license=MIT, which pairs with both values of five binary questions:
    # two combinations at least; Apache-2.0 and Proprietary each need one more, and the
    # python_version, mesh and oncall pairs left over need a fifth (the search proves no four do).
    assert len(PAIRWISE) == 5


def test_every_choice_value_meets_every_values_set() -> None:
    """The static tier renders each chart with two values sets; the rest run in the whole `make
    ci` of the examples and the pairwise set, which between them hold every choice value."""
    full_ci = [*example_combinations(), *PAIRWISE]
    for question, values in harness.choice_values().items():
        missing = [v for v in values if not any(c[question] == v for c in full_ci)]
        assert not missing, f"{question}={missing} never runs the whole values matrix"


def test_pairwise_cover_is_small_on_a_known_case() -> None:
    # Three boolean questions: four combinations cover all twelve pairs, and no three do.
    grid = [{"a": a, "b": b, "c": c} for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    chosen = harness.pairwise_cover(grid)
    assert len(chosen) == 4
    assert set().union(*map(harness.value_pairs, chosen)) == set().union(
        *map(harness.value_pairs, grid)
    )
    assert harness.pairwise_cover(grid, covered=grid) == []


# --- The static tier over every combination ----------------------------------------------------


@pytest.mark.render
@pytest.mark.toolchain
@pytest.mark.slow
def test_every_combination_passes_the_static_tier(
    combination_render: Callable[..., dict[str, Path]], static_tier: StaticTier
) -> None:
    started = time.monotonic()
    renders = combination_render(*COMBINATIONS)
    rendered_in = time.monotonic() - started
    run = static_tier.run(_trees(renders))
    print(f"rendered {len(renders)} combinations in {rendered_in:.0f}s\n{run.summary()}")
    assert not run.failures, "\n\n".join(map(str, run.failures))


@pytest.mark.render
@pytest.mark.toolchain
@pytest.mark.slow
def test_static_tier_names_the_failing_check_and_combination(
    combination_render: Callable[..., dict[str, Path]], static_tier: StaticTier, tmp_path: Path
) -> None:
    """The settings.py that shipped before the fix (a one-element tuple over three lines) fails
    ruff format, a YAML file with two spaces after a colon fails yamllint (checked per file),
    and the tier says which check and which combination."""
    combo = next(c for c in COMBINATIONS if not c["slack_app"] and c["database"] == "postgresql")
    name = harness.combo_id(combo)
    (pristine,) = combination_render(combo).values()
    broken = harness.copy_project(pristine, tmp_path / "pre-fix")
    harness.mutate(
        broken,
        f"src/{BASE_ANSWERS['package_name']}/settings.py",
        lambda text: text.replace('("database_url_ref",)', '(\n    "database_url_ref",\n)'),
    )
    harness.mutate(
        broken,
        ".pre-commit-config.yaml",
        lambda text: text + "minimum_pre_commit_version:  '3.2.0'\n",
    )
    version = str(combo["python_version"])
    run = static_tier.run({name: (pristine, version), f"{name} (pre-fix)": (broken, version)})
    failures = sorted(run.failures, key=lambda failure: failure.check)
    assert [(f.check, f.combinations) for f in failures] == [
        ("ruff check and format (make lint-python)", [f"{name} (pre-fix)"]),
        ("yamllint (make lint-yaml)", [f"{name} (pre-fix)"]),
    ], "\n\n".join(map(str, failures))
    ruff, yamllint = map(str, failures)
    assert f"{name} (pre-fix)" in ruff
    assert "ruff format --check" in ruff and "settings.py" in ruff
    assert ".pre-commit-config.yaml" in yamllint and "too many spaces after colon" in yamllint


# --- The whole generated CI of a pairwise covering set -----------------------------------------


@pytest.fixture(scope="session")
def pairwise_ci(
    request: pytest.FixtureRequest,
    combination_render: Callable[..., dict[str, Path]],
    toolchain: Path,
    wheelhouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """`make ci` of each selected pairwise combination, two at a time: a generated CI is mostly
    one process after another (pip, pytest, mypy), so two runs use both cores and take about
    half the wall time of running them one by one."""
    selected = [
        item.callspec.params["combo"]
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.originalname == "test_pairwise_combination_passes_its_ci"
    ]
    renders = combination_render(*selected)
    root = tmp_path_factory.mktemp("pairwise")

    def run(combo: dict[str, Any]) -> tuple[str, subprocess.CompletedProcess[str]]:
        name = harness.combo_id(combo)
        project = harness.copy_project(renders[name], root / f"p{selected.index(combo)}")
        # The venv from the lock files with uv, as for the examples (test_generated_ci.py).
        harness.install_project_venv(project, wheelhouse, str(combo["python_version"]))
        env = harness.generated_ci_env({**BASE_ANSWERS, **combo}, wheelhouse)
        return name, harness.run_make(project, "ci", env=env)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(run, selected))


@pytest.mark.generated_ci
@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.parametrize("combo", PAIRWISE, ids=harness.combo_id)
def test_pairwise_combination_passes_its_ci(
    pairwise_ci: dict[str, subprocess.CompletedProcess[str]], combo: dict[str, Any]
) -> None:
    result = pairwise_ci[harness.combo_id(combo)]
    output = f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"[-harness.OUTPUT_TAIL :]
    assert result.returncode == 0, f"`make ci` failed (exit {result.returncode})\n{output}"
    assert "make ci: passed:" in result.stdout
