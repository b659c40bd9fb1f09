"""Time, CPU and peak memory of the real-data import: the whole Last.fm archive, and a synthetic
archive of about 1 GB unpacked that this script makes (and deletes) in a temporary folder.

    python benchmarks/bench_import.py                              # this tree
    python benchmarks/bench_import.py --before /tmp/old/src --before-label 29d97f5

Each import runs in a child process, as the stage does it (nextgenre.realdata.importer:
import_archives, then write_raw and import.json into a temporary raw folder), with this tree's
`src` on PYTHONPATH, or another tree's (`--before`: e.g. the `src` of an older commit, from
`git archive <commit> src | tar -x -C /tmp/old`), so that one report holds both. Peak memory is
the child's peak resident set (os.wait4's ru_maxrss); CPU is its user + system time; peak disk
is the most the temporary folder (where the old importer unpacked) held while it ran. Then
ingest reads the Last.fm raw folder (this tree only). The report goes to
reports/benchmarks/import.md (benchmarks/machine.py).

The synthetic archive: made-up listening tweets in the collection's line format
`<epoch>,<tweet JSON>`, artists taken from the genre table, each line padded to the Last.fm
archive's mean line length; LZMA2 preset 1 (fast), so making it takes a minute, not ten. No
real tweet is in it, and it is deleted afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import py7zr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import write_report  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
LASTFM = SHARED / "twitter-ratings" / "all_tweets_lastfm.7z"
GENRES = SHARED / "spotify-artist-genres" / "data_w_genres.csv"
KEY = "bench-import-throwaway-key"
MIB, GIB = 2**20, 2**30
LINE_BYTES = 2866  # the Last.fm archive's mean line (119,884,427 bytes / 41,831 lines)

IMPORT = """
import json, sys
from pathlib import Path
from nextgenre.realdata.importer import import_archives, write_raw
archive, genres, out = sys.argv[1:4]
imported = import_archives([archive], genres, sys.argv[4].encode(), max_unpacked_mb=16384)
out = Path(out)
out.mkdir()
write_raw(imported, out)
(out / "import.json").write_text(json.dumps(imported.metrics, indent=2, sort_keys=True))
"""
INGEST = """
import sys
from nextgenre.ingest import ingest
ingest(sys.argv[1], sys.argv[2].encode())
"""


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # a file removed meanwhile
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


def run_child(code: str, args: list[str], src: Path, tmpdir: Path) -> dict:
    """Run `code` in a child Python with `src` on PYTHONPATH and TMPDIR=`tmpdir`; wall, CPU, peak
    RSS, and the peak bytes in `tmpdir` (sampled every 0.2 s)."""
    env = {**os.environ, "PYTHONPATH": str(src), "TMPDIR": str(tmpdir)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env)
    peak_disk, done = 0, threading.Event()

    def watch():
        nonlocal peak_disk
        while not done.wait(0.2):
            peak_disk = max(peak_disk, folder_bytes(tmpdir))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    watcher.join()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"child failed with exit code {os.waitstatus_to_exitcode(status)}")
    return {
        "wall": time.perf_counter() - start,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss * 1024,  # Linux reports KiB
        "disk": peak_disk,
    }


def synthetic_archive(path: Path, genres: Path, unpacked_bytes: int, seed: int = 0) -> tuple[int, int]:
    """Write a 7z archive of made-up listening tweets, `unpacked_bytes` or a little more; (lines,
    bytes). The plain text goes through a temporary file next to the archive, removed at once."""
    rng = random.Random(seed)
    artists = [a for a in pd.read_csv(genres, usecols=["artists"])["artists"].astype(str) if 0 < len(a) < 60]
    plain = path.with_suffix(".json")
    lines = size = 0
    with open(plain, "w", encoding="utf-8") as f:
        while size < unpacked_bytes:
            artist = rng.choice(artists)
            tweet = {
                "created_at": time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(1.39e9 + lines * 7)),
                "id_str": str(4 * 10**17 + lines),
                "text": f"I'm listening to Song {rng.randrange(10**6)} by {artist} http://t.co/x{lines} via @lastfm",
                "user": {"id_str": str(10**6 + rng.randrange(20000)), "utc_offset": rng.choice([None, 3600, -18000])},
            }
            tweet["source"] = "x" * max(0, LINE_BYTES - 12 - len(json.dumps(tweet)) - 14)
            line = f"{1390000000 + lines},{json.dumps(tweet)}\n"
            f.write(line)
            lines += 1
            size += len(line.encode())
    with py7zr.SevenZipFile(path, "w", filters=[{"id": py7zr.FILTER_LZMA2, "preset": 1}]) as archive:
        archive.write(plain, "synthetic_tweets.json")
    plain.unlink()
    return lines, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src folder of an older tree, for the before figures")
    parser.add_argument("--before-label", default="before", help="what --before is (e.g. its commit)")
    parser.add_argument("--label", default=None, help="what this tree is (default: the commit of its src)")
    parser.add_argument("--synthetic-gb", type=float, default=1.0, help="unpacked size of the synthetic archive")
    args = parser.parse_args()
    label = args.label or subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip() + (
        " + changes" if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src"], cwd=ROOT).returncode else ""
    )
    trees = ([(args.before_label, args.before.resolve())] if args.before else []) + [(label, ROOT / "src")]

    rows, ingest_row = [], None
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        synthetic = work / "synthetic.7z"
        start = time.perf_counter()
        n_lines, n_bytes = synthetic_archive(synthetic, GENRES, int(args.synthetic_gb * 1e9))
        made = time.perf_counter() - start
        archives = [
            ("Last.fm, whole archive", LASTFM),
            (f"synthetic, {n_bytes / 1e9:.2f} GB unpacked", synthetic),
        ]
        for tree_label, src in trees:
            for name, archive in archives:
                out, scratch = work / f"out-{len(rows)}", work / f"tmp-{len(rows)}"
                scratch.mkdir()
                print(f"import {name} with {tree_label} ...", flush=True)
                figures = run_child(IMPORT, [str(archive), str(GENRES), str(out), KEY], src, scratch)
                metrics = json.loads((out / "import.json").read_text())
                rows.append((tree_label, name, metrics["lines"], metrics["sessions"], figures))
                if tree_label == label and archive == LASTFM:
                    scratch = work / "tmp-ingest"
                    scratch.mkdir()
                    ingest_row = run_child(INGEST, [str(out), KEY], src, scratch)
                shutil.rmtree(out)
        archive_mib = synthetic.stat().st_size / MIB

    body = [
        "Import of one archive (import_archives, write_raw, import.json) in a child process: wall "
        "and CPU seconds, peak resident memory, and the most the temporary folder held "
        "(where an importer that unpacks puts the archive's files).",
        "",
        "| code | archive | lines | sessions | wall s | CPU s | peak RSS MiB | peak temp disk MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tree_label, name, lines, sessions, f in rows:
        body.append(
            f"| {tree_label} | {name} | {lines:,} | {sessions:,} | {f['wall']:.1f} | {f['cpu']:.1f} | "
            f"{f['rss'] / MIB:.0f} | {f['disk'] / MIB:.0f} |"
        )
    body += [
        "",
        f"Ingest of the Last.fm raw folder ({label}): {ingest_row['wall']:.1f} s wall, "
        f"{ingest_row['cpu']:.1f} s CPU, {ingest_row['rss'] / MIB:.0f} MiB peak RSS.",
        "",
        f"The synthetic archive: {n_lines:,} made-up tweets, {n_bytes / 1e9:.2f} GB unpacked, "
        f"{archive_mib:.1f} MiB as 7z (LZMA2 preset 1), made in {made:.0f} s and deleted afterwards.",
    ]
    print("\n".join(body))
    write_report("import", "Real-data import: time and peak memory", "\n".join(body))


if __name__ == "__main__":
    main()
