"""Reports that no DVC stage writes record the commit and command that made them, and the check
(`python -m nextgenre.provenance`) names each one whose code has changed since (nextgenre.provenance)."""

import subprocess
import sys

import pytest

from nextgenre.provenance import PROVENANCE, ProvenanceError, check, load, record
from tests.conftest import ROOT, run


def test_every_committed_report_has_provenance_and_a_stale_one_says_so():
    """The check as CI runs it, on this checkout (it needs the commits' history)."""
    proc = subprocess.run([sys.executable, "-m", "nextgenre.provenance"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def commit_all(repo, message):
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", message], repo)
    return run(["git", "rev-parse", "HEAD"], repo).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with a script that writes reports/table.md, and a stage's report."""
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "config", "user.email", "test@example.invalid"], repo)
    run(["git", "config", "user.name", "test"], repo)
    (repo / "make_table.py").write_text("print('v1')\n")
    (repo / "other.py").write_text("")
    (repo / "dvc.lock").write_text("stages:\n  report:\n    outs:\n    - path: reports/comparison.md\n")
    (repo / "reports/comparison.md").write_text("a stage's report\n")
    commit_all(repo, "code")
    monkeypatch.chdir(repo)
    return repo


def make_table(repo) -> str:
    """Make the report with the code checked out, and commit it; return the code's commit."""
    code = run(["git", "rev-parse", "HEAD"], repo).stdout.strip()
    (repo / "reports/table.md").write_text("# Table\n\n| a |\n")
    record("reports/table.md", "python make_table.py --fast", ["make_table.py"])
    commit_all(repo, "table")
    return code


def test_a_recorded_report_is_up_to_date_until_its_code_changes(repo):
    made = make_table(repo)
    entry = load()["reports/table.md"]
    assert (entry.commit, entry.command, entry.code) == (made, "python make_table.py --fast", ("make_table.py",))
    assert check() == ([], [])

    (repo / "other.py").write_text("x = 1\n")  # not its code
    commit_all(repo, "other")
    assert check() == ([], [])

    (repo / "make_table.py").write_text("print('v2')\n")
    changed = commit_all(repo, "change the table's code")
    stale, problems = check()
    assert stale[0].startswith("reports/table.md: made by " + made[:7]) and changed[:7] in stale[1]
    assert len(problems) == 1 and "does not say so" in problems[0]

    # Saying so in the report (the line the check suggests) is enough; a note naming another commit is not.
    suggested = problems[0].splitlines()[-1].strip()
    assert suggested.startswith(f"Made by the code of commit {made[:7]}; changed since:")
    with open(repo / "reports/table.md", "a") as report:
        report.write(f"\n{suggested.replace(made[:7], changed[:7])}\n")
    assert check()[1]
    with open(repo / "reports/table.md", "a") as report:
        report.write(f"\n{suggested}\n")
    assert check()[1] == []

    make_table(repo)  # made again: up to date
    assert check() == ([], [])


def test_a_report_made_with_uncommitted_code_is_stale(repo):
    (repo / "make_table.py").write_text("print('edited')\n")
    make_table(repo)
    assert load()["reports/table.md"].dirty == ("make_table.py",)
    assert "make_table.py" in "\n".join(check()[0]) and check()[1]


def test_a_report_with_neither_stage_nor_entry_fails_and_a_missing_commit_is_named(repo):
    (repo / "reports/orphan.md").write_text("numbers\n")
    commit_all(repo, "orphan")
    assert check()[1] == [f"reports/orphan.md: no provenance (no stage writes it and {PROVENANCE} has no entry)"]

    (repo / "reports/orphan.md").unlink()
    make_table(repo)
    text = (repo / "reports/provenance.yaml").read_text()
    (repo / "reports/provenance.yaml").write_text(text.replace(load()["reports/table.md"].commit, "f" * 40))
    with pytest.raises(ProvenanceError, match="not in this clone's history"):
        check()


def test_a_report_written_outside_reports_is_not_recorded(repo, tmp_path):
    record(tmp_path / "elsewhere.md", "python make_table.py --out elsewhere.md", ["make_table.py"])
    assert not (repo / "reports/provenance.yaml").exists()
