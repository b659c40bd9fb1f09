"""Which code made each committed report that no DVC stage writes, and whether it still would.

A report that a DVC stage writes (reports/comparison.*, reports/accuracy.png) has dvc.lock as its
provenance: `dvc status` says when it is stale. Every other committed file under reports/ (the
grids, the power studies, the real study, the benchmarks) has an entry in reports/provenance.yaml:

    reports/paper_table.md:
      commit: <the commit whose code made it>
      command: python experiments/grid.py all --seeds 42 -j 2
      code: [experiments/grid.py, src/nextgenre, stages, dvc.yaml, params.yaml, ...]
      note_in: reports/real_lastfm.md      # only where the report cannot hold a note (JSON)
      dirty: [src/nextgenre/grid.py]      # only where the code had uncommitted changes
      note: free text                      # optional

The scripts that write such a report record it themselves (`record`, with the commit checked
out and the command as typed). `python -m nextgenre.provenance` (run by tests/test_provenance.py,
so in CI) lists every report whose code has changed since its commit (`git diff <commit> HEAD --
<code>`), and fails for one that does not say so itself: a stale report (or its `note_in`) holds
a line naming the commit that made it and saying what has changed since, as `note_line` writes
it ("Made by the code of commit abc1234; changed since: ..."). A report with no entry and
no stage fails too. It needs the commits' history (a shallow clone cannot answer).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_file

PROVENANCE = Path("reports/provenance.yaml")
REPORTS = "reports"
# What every study report's numbers depend on: the pipeline, its settings and libraries.
PIPELINE = ["src/nextgenre", "stages", "dvc.yaml", "params.yaml", "requirements.txt", "paper/tables.yaml"]
HEADER = """\
# Which commit's code made each committed report that no DVC stage writes, and the command that
# made it (nextgenre.provenance; `python -m nextgenre.provenance` lists the stale ones). Written
# by the scripts that write the reports; `note` is free text.
"""


class ProvenanceError(NextgenreError):
    """A report's provenance cannot be read or checked."""


@dataclass(frozen=True)
class Entry:
    report: str
    commit: str
    command: str
    code: tuple[str, ...]
    note_in: str | None = None
    note: str | None = None
    dirty: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.commit[:7]


def git(*args: str, root: Path = Path(".")) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ProvenanceError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.rstrip("\n")  # leading blanks mean something (git status --porcelain)


def load(root: Path = Path(".")) -> dict[str, Entry]:
    path = root / PROVENANCE
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text()) or {}
    try:
        return {
            report: Entry(
                report,
                str(e["commit"]),
                e["command"],
                tuple(e["code"]),
                e.get("note_in"),
                e.get("note"),
                tuple(e.get("dirty", ())),
            )
            for report, e in raw.items()
        }
    except (KeyError, TypeError) as exc:
        raise ProvenanceError(f"{path}: every entry needs commit, command and code ({exc})") from None


def save(entries: dict[str, Entry], root: Path = Path(".")) -> None:
    body = {}
    for report in sorted(entries):
        e = entries[report]
        body[report] = {"commit": e.commit, "command": e.command, "code": list(e.code)}
        optional = (("note_in", e.note_in), ("note", e.note), ("dirty", list(e.dirty)))
        body[report].update({k: v for k, v in optional if v})
    with atomic_file(root / PROVENANCE) as tmp:
        tmp.write_text(HEADER + yaml.safe_dump(body, sort_keys=False, width=100, allow_unicode=True))


def record(
    report: str | Path, command: str, code: list[str], note_in: str | None = None, root: Path = Path(".")
) -> None:
    """Record that `report` was just made by `command` with the code of the commit checked out in
    `root` (the repository's root); code files with uncommitted changes are listed as `dirty` (the
    report counts as stale until re-made). A report outside root/reports/ (a --out elsewhere) is
    not recorded; outside a git checkout it only warns."""
    try:
        report = Path(report).resolve().relative_to((root / REPORTS).resolve()).as_posix()
    except ValueError:
        return
    report = f"{REPORTS}/{report}"
    try:
        commit = git("rev-parse", "HEAD", root=root)
        dirty = git("status", "--porcelain", "--", *code, root=root)
    except ProvenanceError as exc:
        print(f"warning: provenance of {report} not recorded: {exc}", file=sys.stderr)
        return
    entries = load(root)
    changed = tuple(sorted(line[3:] for line in dirty.splitlines()))
    entries[report] = Entry(report, commit, command, tuple(code), note_in, dirty=changed)
    save(entries, root)


def changes_since(entry: Entry, root: Path = Path(".")) -> list[str]:
    """The commits since `entry.commit` that changed its code (one line each; empty: up to date)."""
    try:
        git("cat-file", "-e", f"{entry.commit}^{{commit}}", root=root)
    except ProvenanceError:
        raise ProvenanceError(
            f"{entry.report}: commit {entry.commit} is not in this clone's history (a shallow clone? "
            "`git fetch --unshallow` fetches it)"
        ) from None
    diff = subprocess.run(["git", "diff", "--quiet", entry.commit, "HEAD", "--", *entry.code], cwd=root)
    if diff.returncode == 0:
        return []
    log = git("log", "--format=%h %ad %s", "--date=short", f"{entry.commit}..HEAD", "--", *entry.code, root=root)
    return log.splitlines() or [f"(the code differs from {entry.short})"]


def note_line(entry: Entry, changes: list[str]) -> str:
    """The line a stale report holds: the commit that made it and what has changed since."""
    return (  # no date: tests/test_reproducibility.py finds none in reports/
        f"Made by the code of commit {entry.short}; changed since: {len(changes)} commits to "
        f"{', '.join(entry.code)} (`git log {entry.short}..HEAD -- {' '.join(entry.code)}`)."
    )


def is_noted(entry: Entry, root: Path = Path(".")) -> bool:
    """Whether the report (or its note_in) says which commit made it and that code changed since."""
    text = (root / (entry.note_in or entry.report)).read_text(encoding="utf-8")
    return any(f"commit {entry.short}" in line and "changed since" in line for line in text.splitlines())


def stage_outputs(root: Path = Path(".")) -> set[str]:
    """Every output path in the repository's dvc.lock files (a stage's reports among them)."""
    outs = set()
    for lock in root.glob("**/dvc.lock"):
        stages = (yaml.safe_load(lock.read_text()) or {}).get("stages", {})
        base = lock.parent.relative_to(root)
        outs |= {(base / o["path"]).as_posix() for body in stages.values() for o in body.get("outs", [])}
    return outs


def committed_reports(root: Path = Path(".")) -> list[str]:
    listed = git("ls-files", "--", REPORTS, root=root).splitlines()
    return [path for path in listed if path != PROVENANCE.as_posix()]


def check(root: Path = Path(".")) -> tuple[list[str], list[str]]:
    """(lines for every stale report, problems): a problem is a committed report with neither a
    stage nor an entry, an entry for no file, or a stale report that does not say so."""
    entries = load(root)
    staged = stage_outputs(root)
    lines, problems = [], []
    for report in committed_reports(root):
        if report not in entries and report not in staged:
            problems.append(f"{report}: no provenance (no stage writes it and {PROVENANCE} has no entry)")
    for report, entry in sorted(entries.items()):
        if not (root / report).is_file():
            problems.append(f"{report}: in {PROVENANCE} but not in the working tree")
            continue
        changes = changes_since(entry, root) + [f"(uncommitted when it was made) {path}" for path in entry.dirty]
        if not changes:
            continue
        noted = is_noted(entry, root)
        lines.append(
            f"{report}: made by {entry.short} (`{entry.command}`); {len(changes)} changes since to its code"
            + ("; the report says so" if noted else "")
        )
        lines += [f"    {change[:110]}" for change in changes[:5]] + (["    ..."] if len(changes) > 5 else [])
        if not noted:
            problems.append(
                f"{report}: its code changed since {entry.short} and "
                f"{entry.note_in or report} does not say so: re-make it, or add this line:\n"
                f"    {note_line(entry, changes)}"
            )
    return lines, problems


def main() -> int:
    lines, problems = check()
    print("\n".join(lines) if lines else "every report is up to date with its code")
    if problems:
        print("\n".join(["", "provenance problems:", *problems]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
