"""Stage `import_tweets` (real/dvc.yaml): listening-tweet archives + artist genres -> a raw folder.

Reads the files named by params `realdata` in the folder `realdata.sources` (checked against
their pinned hashes), writes the raw folder `realdata.out` (users.csv, tweets.csv, tracks.csv,
and import.json: every count of the import, marked as public data) and metrics/import.json (its
headline numbers, nextgenre.realdata.importer.headline). The archives are public, so user ids
are pseudonymised with the public key (nextgenre.pseudonym): the same in every clone. Nothing is
written unless everything was read: a bad archive or table stops the stage with one message
naming file, line and field.
"""

from __future__ import annotations

from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.pseudonym import PUBLIC_KEY
from nextgenre.realdata.importer import headline, import_archives, write_raw
from nextgenre.realdata.sources import check_source, source_files
from nextgenre.runner import run_stage
from nextgenre.sources import IMPORT_SUMMARY, PUBLIC_IMPORT

METRICS = "metrics/import.json"


def main() -> None:
    p = stage_params("import_tweets", dvc_yaml="real/dvc.yaml")["realdata"]
    archives, genres = source_files(p)
    for path in [*archives, genres]:
        check_source(path)
    imported = import_archives(
        archives,
        genres,
        PUBLIC_KEY.encode(),
        ambiguous=p["ambiguous"],
        max_bad_share=p["max_bad_share"],
        max_unpacked_mb=p["max_unpacked_mb"],
    )
    with atomic_outputs(out_dir(p["out"]), out_file(METRICS)) as (raw, metrics):
        write_raw(imported, raw)
        write_json(raw / IMPORT_SUMMARY, {**PUBLIC_IMPORT, **imported.metrics})
        write_json(metrics, headline(imported.metrics))
    m = imported.metrics
    print(
        f"import: {m['sessions']} sessions of {m['users']} users, {m['tracks']} tracks from "
        f"{m['lines']} lines; dropped {m['dropped']}; ambiguous share {m['ambiguous_share']:.3f}"
    )


if __name__ == "__main__":
    run_stage(main, outputs=(METRICS,))
