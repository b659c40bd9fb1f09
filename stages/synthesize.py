"""Stage synthesize: write the synthetic stand-in raw data (data/raw/synthetic/) and the truth
beside it (data/truth/, never read by the study's stages)."""

from nextgenre.cli import run_stage
from nextgenre.outputs import atomic_dir
from nextgenre.paper import load_tables
from nextgenre.params import load_params
from nextgenre.synthetic import generate, write_raw, write_truth

OUT = "data/raw/synthetic"
TRUTH = "data/truth"


def main() -> None:
    params = load_params()
    frames = generate(params["synthetic"], params["seed"], load_tables())
    with atomic_dir(OUT) as raw, atomic_dir(TRUTH) as truth:
        write_raw(frames, raw)
        write_truth(frames, truth)
    counts = ", ".join(f"{len(frames[name])} {name}" for name in ("users", "tweets", "tracks"))
    print(f"synthesize: wrote {OUT}/ ({counts}) and {TRUTH}/")


if __name__ == "__main__":
    run_stage(main, outputs=("data/raw/synthetic", "data/truth"))
