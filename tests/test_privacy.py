"""Privacy: run the whole pipeline on raw data whose user ids, handles and tweet texts are unique
marker strings, then search every file that git tracks or that a stage writes outside the DVC
cache for them. None may appear."""

import csv
import os
import re
import subprocess

import pytest

from nextgenre.pseudonym import key_fingerprint
from tests.conftest import run, set_params

pytestmark = pytest.mark.e2e

KEY = "test-secret-key-of-at-least-32-characters"


def mark_raw_folder(src, dest):
    """Copy a raw folder, replacing user ids with marker ids and prefixing every tweet with a
    marker handle and marker words. Returns all markers."""
    dest.mkdir(parents=True)
    markers = []
    with open(src / "users.csv", newline="") as f:
        users = list(csv.DictReader(f))
    new_id = {}
    for i, user in enumerate(users):
        new_id[user["user_id"]] = f"uidmarker{i:05d}x"
        user["user_id"] = new_id[user["user_id"]]
        markers.append(user["user_id"])
    write_csv(dest / "users.csv", users)
    with open(src / "tweets.csv", newline="") as f:
        tweets = list(csv.DictReader(f))
    for j, tweet in enumerate(tweets):
        handle, word = f"@handlemarker{j:06d}q", f"textmarker{j:06d}z"
        tweet["user_id"] = new_id[tweet["user_id"]]
        tweet["text"] = f"{handle} {word} {tweet['text']}"
        markers += [handle.lstrip("@"), word]
    write_csv(dest / "tweets.csv", tweets)
    (dest / "tracks.csv").write_bytes((src / "tracks.csv").read_bytes())
    return markers


# The shapes of mark_raw_folder's markers: one scan of a file finds every marker in it (instead of
# a search for each of some 12,000 markers in each of some 220 files, 6 CPU s).
MARKER = re.compile(rb"uidmarker\d{5}x|handlemarker\d{6}q|textmarker\d{6}z")


def markers_in(data: bytes) -> set[str]:
    return {found.decode() for found in MARKER.findall(data)}


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def files_outside_the_cache(repo):
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, text=True)
    paths = {repo / p for p in tracked.stdout.split("\0") if p}
    for folder in ("metrics", "plots", "reports", "dvclive", "dvc_plots"):
        paths |= {p for p in (repo / folder).rglob("*") if p.is_file()}
    paths |= {repo / "dvc.lock"}
    paths |= {p for p in (repo / ".dvc" / "tmp").rglob("*") if p.is_file()}  # logs, exp state
    return sorted(p for p in paths if p.is_file())


def test_no_id_handle_or_text_leaves_the_cache(reproduced_copy):
    repo = reproduced_copy  # synthesized; the marked copy's tracks are the same, so embed does not run again
    markers = mark_raw_folder(repo / "data/raw/synthetic", repo / "data/raw/private")
    set_params(
        repo / "params.yaml", {"data.raw": "data/raw/private", "data.key_fingerprint": key_fingerprint(KEY.encode())}
    )
    env = {"NEXTGENRE_PSEUDONYM_KEY": KEY}
    repro = run(["dvc", "repro"], repo, env=env)
    run(["dvc", "plots", "show"], repo, env=env)

    logs = repro.stdout + repro.stderr
    haystacks = {"dvc repro output": logs.encode()}
    for path in files_outside_the_cache(repo):
        haystacks[str(path.relative_to(repo))] = path.read_bytes()
    assert len(haystacks) > 20
    raw = repo / "data/raw/private"
    planted = markers_in((raw / "users.csv").read_bytes()) | markers_in((raw / "tweets.csv").read_bytes())
    assert planted == set(markers)  # the scan finds every marker where it was planted
    leaks = [(name, m) for name, data in haystacks.items() for m in sorted(markers_in(data) & planted)]
    assert not leaks, leaks[:10]
    assert os.environ.get("NEXTGENRE_PSEUDONYM_KEY") != KEY  # the key came from the test alone
