"""Stage synthesize: write the synthetic stand-in raw data (data/raw/synthetic/) and the truth
beside it (data/truth/, never read by the study's stages)."""

from nextgenre.outputs import atomic_outputs, out_dir
from nextgenre.paper import load_tables
from nextgenre.params import stage_params
from nextgenre.runner import run_stage
from nextgenre.sources import SYNTHETIC_RAW, SYNTHETIC_TRUTH
from nextgenre.synthetic import generate, write_raw, write_truth

OUT = SYNTHETIC_RAW
TRUTH = SYNTHETIC_TRUTH


def main() -> None:
    params = stage_params("synthesize")
    frames = generate(params["synthetic"], params["seed"], load_tables())
    with atomic_outputs(out_dir(OUT), out_dir(TRUTH)) as (raw, truth):
        write_raw(frames, raw)
        write_truth(frames, truth)
    counts = ", ".join(f"{len(frames[name])} {name}" for name in ("users", "tweets", "tracks"))
    print(f"synthesize: wrote {OUT}/ ({counts}) and {TRUTH}/")


if __name__ == "__main__":
    run_stage(main, outputs=(OUT, TRUTH))
