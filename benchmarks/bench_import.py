"""Time and peak memory of the real-data import and of ingest on what it writes.

    python benchmarks/bench_import.py                        # the archives and table in params.yaml `realdata`
    python benchmarks/bench_import.py --archives A.7z B.7z --genres G.csv

Both stages run as their own processes (`python stages/import_tweets.py`, then
`python stages/ingest.py` on the imported folder) in a temporary copy of params.yaml, so the
repository's outputs are untouched; wall time and peak resident memory (os.wait4's ru_maxrss)
are printed as a table. Target: import + ingest of the whole Last.fm archive (41,831 tweets)
under 60 s on 2 cores. A pseudonymisation key is needed as for the stages (NEXTGENRE_PSEUDONYM_KEY
or .nextgenre-key); the benchmark uses a throw-away one when neither is set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench_ingest import run_stage  # noqa: E402  (this folder is on sys.path for a script)

from nextgenre.params import load_params, set_params  # noqa: E402
from nextgenre.pseudonym import KEY_ENV, KEY_FILE  # noqa: E402

MIB = 2**20


def main() -> None:
    realdata = load_params(ROOT / "params.yaml")["realdata"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archives", nargs="+", default=realdata["archives"])
    parser.add_argument("--genres", default=realdata["genres"])
    args = parser.parse_args()

    key = os.environ.get(KEY_ENV) or (
        (ROOT / KEY_FILE).read_text().strip() if (ROOT / KEY_FILE).is_file() else "benchmark-throwaway-key"
    )
    env = {**os.environ, KEY_ENV: key, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "params.yaml", work / "params.yaml")
        set_params(
            work / "params.yaml",
            {
                "realdata.archives": [str((ROOT / a).resolve()) for a in args.archives],
                "realdata.genres": str((ROOT / args.genres).resolve()),
                "realdata.out": "data/raw/imported",
                "data.raw": "data/raw/imported",
            },
        )
        times = {name: run_stage(name, work, env) for name in ("import_tweets", "ingest")}
        imported = json.loads((work / "data" / "raw" / "imported" / "import.json").read_text())
        data = json.loads((work / "data" / "ingest.json").read_text())

    total = sum(t for t, _ in times.values())
    print(
        f"\nimport + ingest of {', '.join(Path(a).name for a in args.archives)} "
        f"({imported['lines']:,} lines -> {imported['sessions']:,} sessions, "
        f"{data['sessions']:,} after ingest), {os.cpu_count()} cores\n"
    )
    print("| stage | wall s | peak RSS MiB |")
    print("| --- | ---: | ---: |")
    for name, (wall, rss) in times.items():
        print(f"| {name} | {wall:.1f} | {rss / MIB:.0f} |")
    print(f"| **total** | **{total:.1f}** | |")
    print(f"\ntarget: under 60 s -> {'met' if total < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
