"""Every shell command that README.md and the docs site (docs/**/*.md) give is run by a test, as
written or in a named cheaper form, or is exempt with its reason, or is listed as having no test
yet with what one would take (tests/readme_commands.py: RUN_BY, EXEMPT, NO_TEST_YET).

What counts as a command: each line of a fenced code block labelled bash, sh, shell or console
(console: only lines after a `$ ` prompt), or of an unlabelled block whose first word is a program
on PATH (so a diagram is not one); a line ending in a backslash goes on with the next; `#` starts
a comment outside quotes; a line is split at `&&`, `||` and `;` outside quotes, each part one
command (pipes and redirections stay in it); runs of blanks count as one.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import shutil
from pathlib import Path

from tests.conftest import BIN, ROOT
from tests.readme_commands import EXEMPT, NO_TEST_YET, RUN_BY

SHELL = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)


def documents(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("**/*.md"))]


def split_outside_quotes(line: str) -> list[str]:
    """The commands of a line: without its comment, split at &&, || and ;, quotes respected."""
    parts, current, quote, i = [], "", None, 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"' and i + 1 < len(line):
                current += c
                i += 1
                c = line[i]
        elif c in "'\"":
            quote = c
        elif c == "#" and (not current or current[-1].isspace()):
            break
        elif line.startswith(("&&", "||"), i) or c == ";":
            parts.append(current)
            current = ""
            i += 1 if c == ";" else 2
            continue
        current += c
        i += 1
    parts.append(current)
    commands = [" ".join(p.split()) for p in parts]
    return [c for c in commands if c]


def block_lines(lang: str, body: str) -> list[str]:
    """The command lines of one code block (none where it is not shell)."""
    lines = body.replace("\\\n", " ").splitlines()
    if lang == "console":
        return [line[2:] for line in lines if line.startswith("$ ")]
    if lang in SHELL:
        return lines
    if lang == "":
        first = next((line.split()[0] for line in lines if line.strip() and not line.startswith("#")), "")
        path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        return lines if first and shutil.which(first, path=path) else []
    return []


def commands_in(text: str) -> list[str]:
    found = []
    for block in FENCE.finditer(text):
        for line in block_lines(block.group(1).lower(), block.group(2)):
            found += split_outside_quotes(line)
    return found


def documented() -> dict[str, list[str]]:
    """Every command in the documents -> the documents that give it."""
    where: dict[str, list[str]] = {}
    for doc in documents():
        if doc.is_file():
            for command in commands_in(doc.read_text(encoding="utf-8")):
                where.setdefault(command, []).append(doc.relative_to(ROOT).as_posix())
    return where


LISTS = {"RUN_BY": RUN_BY, "EXEMPT": EXEMPT, "NO_TEST_YET": NO_TEST_YET}


def test_every_documented_command_is_run_by_a_test_or_exempt_with_a_reason():
    listed = set().union(*LISTS.values())
    missing = [f"{c}   ({', '.join(sorted(set(docs)))})" for c, docs in documented().items() if c not in listed]
    assert not missing, "commands in the docs that tests/readme_commands.py does not list:\n" + "\n".join(missing)
    assert all(reason.strip() for reason in [*EXEMPT.values(), *NO_TEST_YET.values()])
    for (name, a), (other, b) in itertools.combinations(LISTS.items(), 2):
        assert not set(a) & set(b), f"in {name} and {other}: {set(a) & set(b)}"


def test_the_registry_names_only_documented_commands():
    gone = sorted(set().union(*LISTS.values()) - set(documented()))
    assert not gone, f"in tests/readme_commands.py but in no document any more: {gone}"


def defined_tests(path: Path) -> set[str]:
    """The test functions of a module (`test_x`, and `Class::test_x` for methods)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{f.name}" for f in node.body if isinstance(f, ast.FunctionDef)}
    return names


def test_every_test_the_registry_names_exists():
    absent = []
    for command, run_by in RUN_BY.items():
        assert run_by.tests and run_by.form.strip(), command
        for node in run_by.tests:
            file, _, name = node.partition("::")
            if not (ROOT / file).is_file() or name.split("[")[0] not in defined_tests(ROOT / file):
                absent.append(f"{command}: {node}")
    assert not absent, absent


def test_commands_are_read_as_a_shell_reads_them():
    text = """
```bash
python -c "import a; print(1)" > key   # a comment; not a command
dvc exp show --md ; dvc plots diff main
a && b || c \\
   --flag 'x # y'
# only a comment
```

```
synthesize ─► ingest
```

```console
$ dvc status
Data and pipelines are up to date.
```

```yaml
seed: 42
```
"""
    assert commands_in(text) == [
        'python -c "import a; print(1)" > key',
        "dvc exp show --md",
        "dvc plots diff main",
        "a",
        "b",
        "c --flag 'x # y'",
        "dvc status",
    ]
