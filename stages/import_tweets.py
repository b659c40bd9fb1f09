"""Stage `import_tweets` (real/dvc.yaml): listening-tweet archives + artist genres -> a raw folder.

Reads the files named by params `realdata` (checked against their published hashes), writes
the raw folder `realdata.out` (users.csv, tweets.csv, tracks.csv, and import.json: every count of
the import) and metrics/import.json (its headline numbers, nextgenre.realdata.importer.headline).
Nothing is written unless everything was read: a bad archive or table stops the stage with
one message naming file, line and field.
"""

from __future__ import annotations

from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.pseudonym import pseudonym_key
from nextgenre.realdata.importer import headline, import_archives, write_raw
from nextgenre.realdata.sources import check_source
from nextgenre.runner import run_stage

METRICS = "metrics/import.json"


def main() -> None:
    p = stage_params("import_tweets", dvc_yaml="real/dvc.yaml")["realdata"]
    for path in [*p["archives"], p["genres"]]:
        check_source(path)
    imported = import_archives(
        p["archives"],
        p["genres"],
        pseudonym_key(p["out"]),
        ambiguous=p["ambiguous"],
        max_bad_share=p["max_bad_share"],
        max_unpacked_mb=p["max_unpacked_mb"],
    )
    with atomic_outputs(out_dir(p["out"]), out_file(METRICS)) as (raw, metrics):
        write_raw(imported, raw)
        write_json(raw / "import.json", imported.metrics)
        write_json(metrics, headline(imported.metrics))
    m = imported.metrics
    print(
        f"import: {m['sessions']} sessions of {m['users']} users, {m['tracks']} tracks from "
        f"{m['lines']} lines; dropped {m['dropped']}; ambiguous share {m['ambiguous_share']:.3f}"
    )


if __name__ == "__main__":
    run_stage(main, outputs=(METRICS,))
