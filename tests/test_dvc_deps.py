"""dvc.yaml cannot drift from the code: every stage depends on every file of src/nextgenre that
its script imports (directly or through other modules, lazy imports inside functions included)
or that such a module reads beside itself (taxonomy.yaml), lists no package file that it never
uses, and reads only the params that its dvc.yaml entry declares. Otherwise an edit would leave
`dvc repro` saying "up to date" over stale results (or re-run a stage for nothing).

Imports are found with `ast` (every `import` and `from ... import` statement, wherever it
stands); a module loaded by a computed name (importlib) would not be seen: the package has none.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "nextgenre"
# Every pipeline file of the repository: the study, and the real-data import (its stages run
# with `wdir: ..`, so their paths are relative to the root as well).
PIPELINES = ["dvc.yaml", "real/dvc.yaml"]

# Files of the closure that no stage needs to depend on, each with the reason. Keep it short:
# a file listed here can change without re-running anything.
EXEMPT = {
    # Package markers holding only a docstring (test_exempt_files_hold_no_code checks that).
    "src/nextgenre/__init__.py",
    "src/nextgenre/plots/__init__.py",
}


def module_file(name: str, root: Path) -> Path | None:
    """The source file of a module of the package, or None for any other module."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = root / "src" / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _with_parents(name: str) -> list[str]:
    """A module and the packages that importing it runs first: a.b.c -> a, a.b, a.b.c."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def imported_modules(path: Path, root: Path) -> set[Path]:
    """Files of the package that the source at `path` imports anywhere (module level or inside
    functions), with the packages those imports run first."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.update(_with_parents(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the importing module's package
                package = path.relative_to(root / "src").parent.parts
                base = ".".join(package[: len(package) - node.level + 1] + ((node.module,) if node.module else ()))
            else:
                base = node.module or ""
            names.update(_with_parents(base))
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return {f for f in (module_file(n, root) for n in names) if f is not None}


def data_files(path: Path) -> set[Path]:
    """Non-Python files beside a module whose name the module spells out (package data such as
    taxonomy.yaml, read with Path(__file__).with_name(...))."""
    strings = {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return {f for f in path.parent.iterdir() if f.is_file() and f.suffix != ".py" and f.name in strings}


def closure(script: Path, root: Path) -> set[str]:
    """Repository-relative paths of every package file that running `script` may import or read."""
    seen: set[Path] = set()
    todo = [script]
    while todo:
        path = todo.pop()
        for found in imported_modules(path, root) - seen:
            seen.add(found)
            todo.append(found)
    files = seen | {data for module in seen for data in data_files(module)}
    return {f.relative_to(root).as_posix() for f in files}


def expanded_stages(dvc_yaml: Path) -> dict[str, dict]:
    """Every stage of a dvc.yaml, a matrix stage once per combination (name@value), with
    ${item.*} filled in."""
    stages = {}
    for name, stage in yaml.safe_load(dvc_yaml.read_text())["stages"].items():
        if "matrix" not in stage:
            stages[name] = stage
            continue
        (key, values), *more = stage["matrix"].items()
        assert not more, f"{name}: the test expands one-key matrices only"
        for value in values:
            text = yaml.safe_dump({k: v for k, v in stage.items() if k != "matrix"})
            stages[f"{name}@{value}"] = yaml.safe_load(text.replace(f"${{item.{key}}}", str(value)))
    return stages


def stage_script(stage: dict) -> str:
    scripts = [word for word in stage["cmd"].split() if word.endswith(".py")]
    assert len(scripts) == 1, f"cannot tell the script of `{stage['cmd']}`"
    return scripts[0]


def missing_deps(dvc_yaml: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """(stage, file) for every file of a stage script's closure (and the script) that the
    stage's deps do not list."""
    missing = []
    for name, stage in expanded_stages(dvc_yaml).items():
        script = stage_script(stage)
        deps = set(stage.get("deps", []))
        needed = {script} | (closure(root / script, root) - EXEMPT)
        missing += [(name, path) for path in sorted(needed - deps)]
    return missing


def unused_deps(dvc_yaml: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """(stage, file) for every package file among a stage's deps that its script never reaches:
    an edit there would re-run the stage for nothing."""
    unused = []
    for name, stage in expanded_stages(dvc_yaml).items():
        package = {d for d in stage.get("deps", []) if d.startswith("src/nextgenre/")}
        unused += [(name, path) for path in sorted(package - closure(root / stage_script(stage), root))]
    return unused


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_every_stage_depends_on_its_whole_import_closure(pipeline):
    missing = missing_deps(ROOT / pipeline)
    assert not missing, f"{pipeline} deps miss:\n" + "\n".join(f"  stage {s}: {p}" for s, p in missing)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_no_stage_depends_on_a_package_file_it_does_not_use(pipeline):
    unused = unused_deps(ROOT / pipeline)
    assert not unused, f"{pipeline} deps that the stage never imports:\n" + "\n".join(
        f"  stage {s}: {p}" for s, p in unused
    )


def test_the_closure_follows_lazy_imports_and_package_data():
    evaluate = closure(ROOT / "stages/evaluate.py", ROOT)
    # evaluation and training are imported inside main(), models inside training's functions.
    assert {
        "src/nextgenre/evaluation.py",
        "src/nextgenre/training.py",
        "src/nextgenre/models.py",
        "src/nextgenre/plots/evaluation.py",
    } <= evaluate
    assert "src/nextgenre/taxonomy.yaml" in closure(ROOT / "stages/ingest.py", ROOT)
    assert "src/nextgenre/encoder.py" not in evaluate


def test_a_planted_omission_fails_naming_stage_and_module(tmp_path):
    """A copy of dvc.yaml with one dep removed fails, for a plain stage, for each stage of a
    matrix, for a module imported lazily and for package data."""
    config = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    planted = [
        ("report", "src/nextgenre/outputs.py"),
        ("evaluate", "src/nextgenre/evaluation.py"),
        ("ingest", "src/nextgenre/taxonomy.yaml"),
        ("train", "stages/train.py"),
    ]
    for stage, dep in planted:
        config["stages"][stage]["deps"].remove(dep)
    copy = tmp_path / "dvc.yaml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    assert missing_deps(copy) == [  # in the order of dvc.yaml, where report comes second
        ("report", "src/nextgenre/outputs.py"),
        ("ingest", "src/nextgenre/taxonomy.yaml"),
        ("train@lstm", "stages/train.py"),
        ("train@gru", "stages/train.py"),
        ("train@sasrec", "stages/train.py"),
        ("evaluate@lstm", "src/nextgenre/evaluation.py"),
        ("evaluate@gru", "src/nextgenre/evaluation.py"),
        ("evaluate@sasrec", "src/nextgenre/evaluation.py"),
    ]


def test_exempt_files_hold_no_code():
    for rel in EXEMPT:
        body = ast.parse((ROOT / rel).read_text()).body
        assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body), (
            f"{rel} holds code: it can change outputs, so it must not be exempt"
        )


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_every_stage_reads_only_its_declared_params(pipeline):
    """Each stage script takes its params from stage_params("<its stage>"), which hands it only
    what its dvc.yaml entry declares (nextgenre.params; tests/test_params.py checks the refusal),
    and never the whole params.yaml."""
    for name, stage in yaml.safe_load((ROOT / pipeline).read_text())["stages"].items():
        source = (ROOT / stage_script(stage)).read_text()
        call = f'stage_params("{name}")' if pipeline == "dvc.yaml" else f'stage_params("{name}", dvc_yaml="{pipeline}")'
        assert source.count("stage_params(") == 1 and call in source, f"{stage_script(stage)} must call {call} once"
        assert "load_params" not in source, f"{stage_script(stage)} reads the whole params.yaml"


def test_every_stage_runs_the_package_of_its_own_checkout(tmp_path):
    """DVC's queue runs an experiment in a copy of the workspace (.dvc/tmp/exps/...) and hashes
    that copy's files into dvc.lock; with the package installed editable, a stage would import the
    workspace's src/ instead, so an edit (or another branch checked out) while a grid runs would
    run under the copy's hashes. Each command of the study puts its own checkout's src/ first.
    (real/dvc.yaml's import runs in the workspace with `dvc repro real/dvc.yaml`, never queued,
    and its lock holds outputs made with a pseudonym key that is not here: its command stays.)"""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "src" / PACKAGE, checkout / "src" / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / "stages").mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    for name, stage in expanded_stages(ROOT / "dvc.yaml").items():
        (checkout / stage_script(stage)).write_text(f"import {PACKAGE}\nprint({PACKAGE}.__file__)\n")
        ran = subprocess.run(stage["cmd"], shell=True, cwd=checkout, env=env, capture_output=True, text=True)
        assert ran.stdout.strip() == str(checkout / "src" / PACKAGE / "__init__.py"), (name, ran.stdout, ran.stderr)


LOCKS = ["dvc.lock", "real/dvc.lock"]


def locked_code_files(lock: str) -> list[tuple[str, str, str]]:
    """(stage, path, md5 in the lock) for every dependency of the lock's stages that git tracks
    as a file (code, params, taxonomy; not DVC-tracked data, which git does not hold)."""
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    stages = yaml.safe_load((ROOT / lock).read_text())["stages"]
    return [
        (stage, dep["path"], dep["md5"])
        for stage, body in stages.items()
        for dep in body.get("deps", [])
        if dep["path"] in tracked and "md5" in dep
    ]


@pytest.mark.parametrize("lock", LOCKS)
def test_the_committed_locks_match_the_committed_code(lock):
    """A code file edited after the last `dvc repro` leaves its stages stale: a user's `dvc repro`
    would re-run them, and the committed results would not be known to be what this code makes.
    The lock's md5 of each git-tracked dependency must be the file's (DVC hashes a file's bytes)."""
    locked = locked_code_files(lock)
    assert locked, f"{lock} names no git-tracked dependency: the check would check nothing"
    stale = [
        f"{stage}: {path}" for stage, path, md5 in locked if hashlib.md5((ROOT / path).read_bytes()).hexdigest() != md5
    ]
    assert not stale, f"{lock} is stale for (run `dvc repro` and commit the lock):\n" + "\n".join(stale)
