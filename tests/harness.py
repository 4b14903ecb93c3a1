"""Render the template with either engine and run what it generates.

Every tier of the test suite goes through these helpers, so that rendering, running a generated
repository's `make` targets and breaking a rendered artifact behave the same everywhere.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_ROOT / "examples"
ANSWERS_FILE = ".copier-answers.yml"
Engine = Literal["copier", "cookiecutter"]
ENGINES: tuple[Engine, ...] = ("copier", "cookiecutter")

# Generated-CI runs are slow; a failure shows this much of the generated repository's output.
OUTPUT_TAIL = 12_000
# `make chart-*` arguments that render the defaults and prod (release digest, environment
# overrides) instead of all twelve values sets of `make ci`: for the chart mutation tests, whose
# controls come from templates or values.yaml that both read, and for the static tier over every
# combination. The examples and the pairwise set run the whole matrix in their `make ci`.
CHART_DEFAULT_AND_PROD = ("CHART_VALUE_SETS=default prod",)


def example_names() -> list[str]:
    """The answer sets in examples/, by file stem."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.yml"))


def load_example(name: str) -> dict[str, Any]:
    """The answers of examples/<name>.yml."""
    data = yaml.safe_load((EXAMPLES_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"examples/{name}.yml must be a mapping of answers")
    return data


def tools_dir() -> Path:
    return Path(os.environ.get("PAVEDROAD_TOOLS_DIR", REPO_ROOT / ".tools"))


def toolchain_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with the pinned toolchain and this interpreter's venv first on PATH."""
    env = dict(os.environ)
    path = [str(tools_dir() / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")]
    env["PATH"] = os.pathsep.join(path)
    env["PAVEDROAD_TOOLS_DIR"] = str(tools_dir())
    env.setdefault("KUBECONFORM_SCHEMAS", str(tools_dir() / "schemas"))
    # PYTEST_ARGS is this suite's: a generated `make test` reads the same variable.
    for key in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ARGS"):
        env.pop(key, None)
    if extra:
        env.update(extra)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python_for(version: str) -> str:
    """An interpreter of `version` (e.g. "3.12") for a generated repository's PYTHON variable."""
    candidates = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
    candidates += [Path(f"/usr/bin/python{version}"), Path(f"/usr/local/bin/python{version}")]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise AssertionError(
        f"no Python {version} interpreter found (looked in ~/.pyenv/versions and /usr/bin); "
        f"install CPython {version} to run the generated CI of a python_version={version} service"
    )


def answers_python(answers: Mapping[str, Any]) -> str:
    """The service's Python version in a set of answers (copier.yml's default when left out)."""
    return str(answers.get("python_version", "3.11"))


def generated_ci_env(answers: Mapping[str, Any], wheelhouse: Path) -> dict[str, str]:
    """What a generated repository's `make` needs here: the wheelhouse and its Python."""
    version = answers_python(answers)
    return {
        "PIP_FIND_LINKS": str(wheelhouse),
        "UV_FIND_LINKS": str(wheelhouse),
        "PYTHON": python_for(version),
    }


def lock_venv_steps(venv: Path, project: Path, wheelhouse: Path, python: str) -> list[list[str]]:
    """uv commands that build `venv` from `project`'s lock files as its `make venv` does: the dev
    lock with hashes and no source builds, then the internal libraries from the wheelhouse.
    uv links from its cache, so a rebuild takes seconds where pip takes minutes. Like pip, it
    writes the bytecode at install time: with PYTHONDONTWRITEBYTECODE set (as here and in CI),
    every process would otherwise compile each module it imports again (alembic alone: 2 s CPU)."""
    uv = str(Path(sys.executable).parent / "uv")
    venv_python = str(venv / "bin" / "python")
    into = ["--quiet", "--python", venv_python, "--no-deps", "--no-build", "--compile-bytecode"]
    return [
        [uv, "venv", "--quiet", "--python", python, str(venv)],
        [
            uv,
            "pip",
            "install",
            *into,
            "--require-hashes",
            "-r",
            str(project / "requirements-dev.lock"),
        ],
        [
            uv,
            "pip",
            "install",
            *into,
            "--find-links",
            str(wheelhouse),
            "-r",
            str(project / "requirements-internal.txt"),
        ],
    ]


def install_project_venv(project: Path, wheelhouse: Path, python_version: str = "3.11") -> Path:
    """The project's own .venv, with the project installed editable, and the stamp that tells its
    Makefile the venv is current. For tiers that use the venv, the examples' and the pairwise
    set's `make ci` among them; `make venv` itself runs in the standalone run
    (test_generated_ci.py), `make venv-runtime` in test_demo.py."""
    venv = project / ".venv"
    python = str(venv / "bin" / "python")
    uv = str(Path(sys.executable).parent / "uv")
    steps = [
        *lock_venv_steps(venv, project, wheelhouse, python_for(python_version)),
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            python,
            "--no-deps",
            "--no-build-isolation",
            "-e",
            str(project),
        ],
    ]
    for step in steps:
        _run(step, check=True, what=f"building the virtualenv of {project}")
    touch_venv_stamps(venv)
    return venv


def touch_venv_stamps(venv: Path) -> None:
    """Mark a virtualenv built from a project's lock files as current for its Makefile: the
    runtime half (`make venv-runtime`) first, then the whole (`make venv`)."""
    (venv / ".runtime").touch()
    (venv / ".installed").touch()


def _answers_as_cli(answers: Mapping[str, Any]) -> list[str]:
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return [f"{key}={text(value)}" for key, value in answers.items()]


def render_copier(
    answers: Mapping[str, Any],
    dest: Path,
    *,
    src: Path = REPO_ROOT,
    vcs_ref: str | None = "HEAD",
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Render with `copier copy`; the project is `dest` itself. ``vcs_ref`` defaults to HEAD:
    without it copier would render the newest release tag rather than the code under test."""
    cmd = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
    if vcs_ref:
        cmd += ["--vcs-ref", vcs_ref]
    for pair in _answers_as_cli(answers):
        cmd += ["--data", pair]
    cmd += [str(src), str(dest)]
    return _run(cmd, check=check, what="copier copy")


def render_cookiecutter(
    answers: Mapping[str, Any],
    dest: Path,
    *,
    src: Path = REPO_ROOT,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Render with cookiecutter into `dest` (the project is `dest` itself, as with copier)."""
    dest = Path(dest)
    out = _cookiecutter_output(dest)
    cmd = [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        "--directory",
        "template",
        "--output-dir",
        str(out),
        str(src),
        *_answers_as_cli(answers),
    ]
    result = _run(cmd, check=check, what="cookiecutter")
    if result.returncode == 0:
        (project,) = list(out.iterdir())
        project.rename(dest)
    shutil.rmtree(out, ignore_errors=True)
    return result


def _cookiecutter_output(dest: Path) -> Path:
    """An empty scratch directory beside `dest` for cookiecutter, which renders into a
    directory named after the slug; the caller moves the project to `dest` and removes it."""
    out = dest.parent / f".{dest.name}.cookiecutter"
    shutil.rmtree(out, ignore_errors=True)
    return out


def render(engine: Engine, answers: Mapping[str, Any], dest: Path, **kwargs: Any) -> Path:
    """Render `answers` with `engine` into `dest` and return the project directory."""
    if engine == "copier":
        render_copier(answers, dest, **kwargs)
    else:
        render_cookiecutter(answers, dest, **kwargs)
    return dest


def _run(cmd: list[str], *, check: bool, what: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}  # copier commits in temporary clones
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{what} failed with exit {result.returncode}\n$ {' '.join(cmd)}\n{_output(result)}"
        )
    return result


def project_files(project: Path) -> dict[str, Path]:
    """Every file of a rendered project by relative path (git metadata excluded)."""
    files: dict[str, Path] = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_file() or path.is_symlink():
            files[rel] = path
    return files


def run_make(
    project: Path,
    target: str = "ci",
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800,
    args: Iterable[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run `make TARGET` in a generated repository with the pinned toolchain on PATH."""
    return subprocess.run(
        ["make", "--no-print-directory", target, *args],
        cwd=project,
        env=toolchain_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _output(result: subprocess.CompletedProcess[str]) -> str:
    combined = f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    return combined[-OUTPUT_TAIL:]


def assert_make_passes(project: Path, target: str = "ci", **kwargs: Any) -> str:
    """Run `make TARGET`; fail with the generated repository's own output if it fails."""
    result = run_make(project, target, **kwargs)
    if result.returncode != 0:
        raise AssertionError(
            f"`make {target}` failed in {project} (exit {result.returncode})\n{_output(result)}"
        )
    return result.stdout + result.stderr


def assert_make_fails(
    project: Path, target: str = "ci", *, expect: str | Iterable[str] = (), **kwargs: Any
) -> str:
    """Run `make TARGET`; require a non-zero exit whose output names every `expect` string."""
    result = run_make(project, target, **kwargs)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        raise AssertionError(
            f"`make {target}` passed in {project} but must fail\n{_output(result)}"
        )
    wanted = [expect] if isinstance(expect, str) else list(expect)
    missing = [text for text in wanted if text not in output]
    if missing:
        raise AssertionError(
            f"`make {target}` failed but its output does not name {missing}\n{_output(result)}"
        )
    return output


def mutate(project: Path, relpath: str, transform: Callable[[str], str]) -> None:
    """Break a rendered artifact in place; the transform must actually change the file."""
    path = project / relpath
    before = path.read_text(encoding="utf-8")
    after = transform(before)
    if after == before:
        raise AssertionError(f"mutation of {relpath} changed nothing; the test would prove nothing")
    path.write_text(after, encoding="utf-8")


def assert_same_tree(left: Path, right: Path, *, ignore: Iterable[str] = ()) -> None:
    """Two renders hold the same files, contents and executable bits (apart from `ignore`)."""
    left_files = project_files(left)
    right_files = project_files(right)
    for rel in ignore:
        left_files.pop(rel, None)
        right_files.pop(rel, None)
    assert sorted(left_files) == sorted(right_files), (
        f"only in {left}: {sorted(set(left_files) - set(right_files))}; "
        f"only in {right}: {sorted(set(right_files) - set(left_files))}"
    )
    differing = []
    for rel, path in left_files.items():
        other = right_files[rel]
        if path.read_bytes() != other.read_bytes():
            differing.append(f"{rel}: contents differ")
        elif (path.stat().st_mode & stat.S_IXUSR) != (other.stat().st_mode & stat.S_IXUSR):
            differing.append(f"{rel}: executable bit differs")
    assert not differing, "\n".join(differing)


def copy_project(source: Path, dest: Path) -> Path:
    """A private, writable copy of a rendered project."""
    shutil.copytree(source, dest, symlinks=True)
    return dest


GIT_ENV = {
    "GIT_AUTHOR_NAME": "pavedroad-tests",
    "GIT_AUTHOR_EMAIL": "tests@pavedroad.invalid",
    "GIT_COMMITTER_NAME": "pavedroad-tests",
    "GIT_COMMITTER_EMAIL": "tests@pavedroad.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user configuration."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return result.stdout


def snapshot_working_tree(dest: Path) -> Path:
    """Copy the files git would commit (tracked and untracked-not-ignored) into a new repo."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = REPO_ROOT / rel
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree but not yet in the index
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the working tree")
    return dest


# --- Combinations of the choice answers (read from copier.yml through hooks.answers) ---------


def choice_values() -> dict[str, tuple[Any, ...]]:
    """Every asked question with a fixed set of answers (choices, or a bool) and its values."""
    from hooks import answers as template_answers

    values: dict[str, tuple[Any, ...]] = {}
    for question in template_answers.load().asked():
        if question.choices:
            values[question.name] = question.choices
        elif question.type == "bool":
            values[question.name] = (True, False)
    return values


def supported_combinations(base: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the choice values that copier.yml's validators accept on top of
    `base` (complete answers), in a stable order."""
    from hooks import answers as template_answers

    config = template_answers.load()
    values = choice_values()
    combos = []
    for picked in itertools.product(*values.values()):
        combo = dict(zip(values, picked, strict=True))
        if not template_answers.validate({**base, **combo}, config):
            combos.append(combo)
    return combos


def combo_id(combo: Mapping[str, Any]) -> str:
    """A short, stable name of a combination for test ids and messages."""
    return ",".join(f"{key}={value}" for key, value in combo.items())


def value_pairs(combo: Mapping[str, Any]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
    """The (question, value) pairs of two different questions that a combination exercises."""
    items = sorted(combo.items(), key=lambda item: item[0])
    return set(itertools.combinations(items, 2))


def pairwise_cover(
    candidates: Sequence[Mapping[str, Any]], covered: Iterable[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """A smallest set of `candidates` in which every pair of values that some candidate exercises
    appears at least once, apart from the pairs `covered` already exercises.

    A greedy pass (the candidate with the most uncovered pairs, the first on ties) gives a cover;
    a depth-first search then looks for one with fewer members until none exists. It branches on
    the uncovered pair with the fewest candidates and gives up on a branch when even the best
    candidate could not cover what is left, so the matrices here take well under a second.
    """
    pairs = [value_pairs(c) for c in candidates]
    needed = frozenset(set().union(*pairs)) if pairs else frozenset()
    for combo in covered:
        needed -= value_pairs(combo)

    holders: dict[Any, list[int]] = {}
    for index, combo_pairs in enumerate(pairs):
        for pair in combo_pairs:
            holders.setdefault(pair, []).append(index)
    order = {pair: str(pair) for pair in holders}  # a stable tie-break

    def greedy() -> list[int]:
        left, chosen = set(needed), []
        while left:
            best = max(range(len(pairs)), key=lambda i: len(pairs[i] & left))
            chosen.append(best)
            left -= pairs[best]
        return chosen

    def search(left: frozenset[Any], budget: int) -> list[int] | None:
        if not left:
            return []
        if budget == 0 or max(len(p & left) for p in pairs) * budget < len(left):
            return None
        pair = min(left, key=lambda q: (len(holders[q]), order[q]))
        for i in sorted(holders[pair], key=lambda i: -len(pairs[i] & left)):
            rest = search(left - pairs[i], budget - 1)
            if rest is not None:
                return [i, *rest]
        return None

    best = greedy()
    while best and (smaller := search(needed, len(best) - 1)) is not None:
        best = smaller
    return [dict(candidates[i]) for i in best]


def _reuse_compiled_templates() -> None:
    """Speed up many renders of one template in a worker process, leaving what they write alone.

    copier builds a new Jinja environment per render and compiles every file and path part
    again: about half of a render's CPU. Compiled code depends only on the source, its name and
    the environment's options, so this worker keeps it by those. And for each file, copier asks
    git whether the destination repository ignores file modes; the destinations here are new
    directories outside any repository, where copier then does nothing, so the question is skipped.
    test_combinations.py checks that renders here equal the copier and cookiecutter commands'.
    """
    import copier._main
    import jinja2

    compiled: dict[tuple[Any, ...], Any] = {}
    compile_source: Callable[..., Any] = jinja2.Environment.compile

    def options(env: jinja2.Environment) -> tuple[Any, ...]:
        return (
            type(env),
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.keep_trailing_newline,
            env.newline_sequence,
            repr(env.autoescape),
            env.optimized,
            env.is_async,
            tuple(sorted(env.filters)),
            tuple(sorted(env.tests)),
            tuple(sorted(env.extensions)),
        )

    def compile_once(
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str):
            return compile_source(self, source, name, filename, raw, defer_init)
        key = (source, name, raw, defer_init, options(self))
        if key not in compiled:
            compiled[key] = compile_source(self, source, name, filename, raw, defer_init)
        return compiled[key]

    jinja2.Environment.compile = compile_once  # type: ignore[method-assign]
    copier._main.Worker._sync_git_index_executable_bit = (  # type: ignore[method-assign]
        lambda self, dst_relpath, src_mode: None
    )


def _copier_in_process(answers: Mapping[str, Any], dest: Path, src: Path) -> Path:
    import copier

    copier.run_copy(
        str(src), dest, data=dict(answers), vcs_ref="HEAD", defaults=True, unsafe=True, quiet=True
    )
    return dest


def _cookiecutter_in_process(answers: Mapping[str, Any], dest: Path, src: Path) -> Path:
    from cookiecutter.main import cookiecutter

    out = _cookiecutter_output(dest)
    # The answers as the command line passes them (text), so both paths read the same.
    context = dict(item.split("=", 1) for item in _answers_as_cli(answers))
    project = cookiecutter(
        str(src), no_input=True, directory="template", output_dir=str(out), extra_context=context
    )
    Path(project).rename(dest)
    shutil.rmtree(out, ignore_errors=True)
    return dest


_IN_PROCESS: dict[str, Callable[[Mapping[str, Any], Path, Path], Path]] = {
    "copier": _copier_in_process,
    "cookiecutter": _cookiecutter_in_process,
}


class RenderPool:
    """Worker processes that render with copier (what `copier copy --trust --defaults
    --vcs-ref HEAD` runs) or cookiecutter (`cookiecutter --no-input --directory template`),
    importing them once and reusing compiled templates (`_reuse_compiled_templates`): a render
    costs about a third of the CPU of the command's."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")  # never fork a threaded pytest process
        self._pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_reuse_compiled_templates
        )

    def render_many(
        self, jobs: Sequence[tuple[Mapping[str, Any], Path]], src: Path, engine: Engine = "copier"
    ) -> None:
        futures = [
            self._pool.submit(_IN_PROCESS[engine], answers, dest, src) for answers, dest in jobs
        ]
        for future in futures:
            future.result()

    def render(self, engine: Engine, answers: Mapping[str, Any], dest: Path, src: Path) -> Path:
        self.render_many([(answers, dest)], src, engine)
        return dest

    def close(self) -> None:
        self._pool.shutdown()


def render_many(
    jobs: Sequence[tuple[Mapping[str, Any], Path]], src: Path, workers: int = 2
) -> None:
    """Render many answer sets with copier in a `RenderPool` of `workers` processes."""
    pool = RenderPool(workers)
    try:
        pool.render_many(jobs, src)
    finally:
        pool.close()
