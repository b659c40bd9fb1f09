"""Stage `import_tweets` (real/dvc.yaml): listening-tweet archives + artist genres -> a raw folder.

Reads the files named by params `realdata` (checked against their published hashes), writes
the raw folder `realdata.out` (users.csv, tweets.csv, tracks.csv) and metrics/import.json.
Nothing is written unless everything was read: a bad archive or table stops the stage with
one message naming file, line and field.
"""

from __future__ import annotations

from nextgenre.cli import run_stage
from nextgenre.outputs import atomic_dir, atomic_file, write_json
from nextgenre.params import load_params
from nextgenre.pseudonym import pseudonym_key
from nextgenre.realdata.importer import import_archives, write_raw
from nextgenre.realdata.sources import check_source


def main() -> None:
    p = load_params()["realdata"]
    for path in [*p["archives"], p["genres"]]:
        check_source(path)
    imported = import_archives(p["archives"], p["genres"], pseudonym_key(p["out"]),
                               ambiguous=p["ambiguous"], max_bad_share=p["max_bad_share"],
                               max_unpacked_mb=p["max_unpacked_mb"])
    with atomic_dir(p["out"]) as raw, atomic_file("metrics/import.json") as metrics:
        write_raw(imported, raw)
        write_json(metrics, imported.metrics)
    m = imported.metrics
    print(f"import: {m['sessions']} sessions of {m['users']} users, {m['tracks']} tracks from "
          f"{m['lines']} lines; dropped {m['dropped']}; ambiguous share {m['ambiguous_share']:.3f}")


if __name__ == "__main__":
    run_stage(main, outputs=("metrics/import.json",))
