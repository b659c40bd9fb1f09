"""Stage synthesize: write the synthetic stand-in raw data (data/raw/synthetic/)."""

from nextgenre.runner import run_stage
from nextgenre.outputs import atomic_dir
from nextgenre.params import stage_params
from nextgenre.sources import SYNTHETIC_RAW
from nextgenre.synthetic import generate, load_tables, write_raw

OUT = SYNTHETIC_RAW


def main() -> None:
    params = stage_params("synthesize")
    frames = generate(params["synthetic"], params["seed"], load_tables("paper/tables.yaml"))
    with atomic_dir(OUT) as tmp:
        write_raw(frames, tmp)
    counts = ", ".join(f"{len(frames[name])} {name}" for name in ("users", "tweets", "tracks"))
    print(f"synthesize: wrote {OUT}/ ({counts})")


if __name__ == "__main__":
    run_stage(main, outputs=(OUT,))
