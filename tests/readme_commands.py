"""Which test runs each shell command that README.md and docs/ give (tests/test_readme_commands.py
reads the commands from the documents and checks this registry against them).

RUN_BY       command -> the tests that run it, and how: "as written", or the cheaper form that
             goes through the same code (a smaller scale, one seed, a local folder for a cloud URL).
EXEMPT       command -> why no test runs it (the network, a GPU, credentials, plain shell).
NO_TEST_YET  command -> what a test would take: commands that should have a test and have none.

Keys are the commands as test_readme_commands.py splits them (one per `&&`, `||` or `;`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunBy:
    tests: tuple[str, ...]  # pytest node ids, from the repository root
    form: str = "as written"


E2E = "tests/test_pipeline_e2e.py"
REPRO = f"{E2E}::test_repro_runs_every_stage_once"
COMPARE = f"{E2E}::test_readme_compare_commands_run_as_written"
EXPERIMENT = f"{E2E}::test_experiment_shows_in_metrics_diff_and_plots"
PAPER_GRID = "tests/test_grid.py::test_paper_grid_runs_and_tabulates"
ABLATIONS = "tests/test_grid.py::test_ablations_reuse_the_paper_grid_and_give_paired_effects"
MACHINES = (
    "tests/test_grid_protocol.py::test_two_machines_run_disjoint_halves_and_a_third_collects_the_one_machine_tables"
)
TINY = "in the tiny repository (tests/conftest.py TINY_PARAMS: synthetic.scale=0.02, 2 epochs, small models)"
GRID_FORM = f"{TINY}, seed 42, -j 2"
ABLATIONS_FORM = f"--only 3c-stress30 3c-attention-stress30 {GRID_FORM}"
INSTALL = "installs into a fresh environment: CI's .ci/run does it (pip install --quiet ...), not a test"

RUN_BY: dict[str, RunBy] = {
    "dvc repro": RunBy((REPRO,), f"{TINY} (conftest.reproduce)"),
    "dvc exp run -S features.classes=4": RunBy((EXPERIMENT,), f"as written, {TINY}, after the paper grid"),
    "dvc exp run -S features.classes=3 -S model.attention=true -S features.stress=true": RunBy(
        (EXPERIMENT,), f"as written, {TINY}, after the paper grid"
    ),
    "dvc exp show --md": RunBy((COMPARE, EXPERIMENT), f"as written, {TINY}"),
    "dvc metrics diff main --md": RunBy((COMPARE, EXPERIMENT), f"as written, {TINY}"),
    "dvc plots diff main": RunBy((COMPARE,), f"as written, {TINY}"),
    "dvc exp run --queue -S features.classes=6,4,3": RunBy(
        (PAPER_GRID,),
        "through experiments/grid.py: one `dvc exp run --queue -n <name> -S ...` per configuration "
        "(nextgenre.grid.queue_grid), not DVC's comma sweep",
    ),
    "dvc queue start -j 2": RunBy((PAPER_GRID,), "through experiments/grid.py -j 2 (nextgenre.grid.run_queue)"),
    "dvc exp show --md --drop '.*' --keep 'Experiment|(lstm|gru|best_baseline)\\.(accuracy|ci_)|mcnemar|"
    "features\\.(classes|stress)$|model\\.attention|train\\.oversample|data\\.interval|seed|synthetic\\.scale'": RunBy(
        (EXPERIMENT,), f"as written (read from README), {TINY}, after the paper grid"
    ),
    "python experiments/grid.py paper": RunBy((PAPER_GRID,), f"--seeds 42 -j 2 {GRID_FORM} (conftest.PAPER_GRID)"),
    "python experiments/grid.py ablations": RunBy((ABLATIONS,), ABLATIONS_FORM),
    "python experiments/grid.py all --seeds 42 43 44 -j 2": RunBy(
        (PAPER_GRID, ABLATIONS), f"as its two parts, `paper` and `ablations --only ...`, {GRID_FORM}"
    ),
    "python experiments/grid.py ablations --only 3c-plain 3c-attention": RunBy((ABLATIONS,), ABLATIONS_FORM),
    "git push origin HEAD": RunBy((MACHINES,), "a bare clone of the researcher's repository stands for origin"),
    "dvc remote add --local -d shared s3://bucket/nextgenre": RunBy(
        (MACHINES,), "with a local folder for the s3:// URL (and -f)"
    ),
    "dvc push": RunBy((MACHINES, "tests/test_remote.py::test_push_clone_pull_reruns_nothing"), "to a local folder"),
    "python experiments/grid.py all --seeds 42 43 44 -S train.patience=3 --part K/4 --push origin": RunBy(
        (MACHINES,), f"`paper --only <two configurations> --seeds 42 -j 2 --part K/2 --push origin` {TINY}"
    ),
    "python experiments/grid.py all --seeds 42 43 44 -S train.patience=3 --collect origin": RunBy(
        (MACHINES,), f"`paper --only <two configurations> --seeds 42 -j 2 --collect origin` {TINY}"
    ),
    "dvc exp run -S embed.model=/path/to/roberta-base": RunBy(
        ("tests/test_embed_stage.py::test_dimension_follows_a_roberta_folder",),
        "the embed stage script with embed.model set to a local folder holding a tiny random RoBERTa",
    ),
    "PYTHONPATH=src python benchmarks/bench_embed.py --texts 2000 --batch-size 16 32 64": RunBy(
        ("tests/test_bench_embed.py::test_benchmark_runs_and_prints_its_tables",),
        "its main() with --texts 6 on a tiny random RoBERTa",
    ),
}

EXEMPT: dict[str, str] = {
    "python3.11 -m venv .venv": INSTALL,
    ". .venv/bin/activate": INSTALL,
    "pip install --no-deps torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu": INSTALL,
    "pip install -r requirements.txt": INSTALL,
    "pytest": "runs this suite (CI's .ci/run runs it)",
    "dvc remote add -d shared s3://bucket/nextgenre": "needs an S3 bucket; the same command with a local folder "
    "runs in tests/test_grid_protocol.py",
    "dvc remote modify --local shared access_key_id ...": "needs cloud credentials",
    "dvc remote modify --local shared secret_access_key ...": "needs cloud credentials",
    "pip install torch==2.13.0": "the CUDA build of torch: a multi-GB download for a GPU machine",
    'python -c "import torch; print(torch.cuda.is_available())"': "needs a CUDA GPU",
    "export KERAS_BACKEND=torch": "selects Keras's torch backend: tests/test_backend.py trains and encodes on it "
    "(on the CPU)",
    "mkdir -p data/raw/private": "plain shell: the researcher puts their own files in place",
    "cp users.csv tweets.csv tracks.csv data/raw/private/": "plain shell: the researcher's own files",
    'python -c "import secrets; print(secrets.token_hex(32))" > .nextgenre-key': "writes a random key with "
    "Python's secrets module (no project code)",
    "dvc import-url --force https://raw.githubusercontent.com/sidooms/Twitter-ratings/"
    "a51649e9da3a0e370c32b32ce194ec2b3aad753a/2M-cross-domain-rating-tweets/all_tweets_lastfm.7z "
    "data/external/all_tweets_lastfm.7z": "needs the network (GitHub)",
    "dvc import-url --force https://raw.githubusercontent.com/swarupa29/Data-science-project-Song-Genre/"
    "06aca6f2fde38ac0c55847fa3f0bb99329ed7f02/data_w_genres.csv data/external/data_w_genres.csv": "needs the "
    "network (GitHub)",
    'hf download roberta-base --local-dir roberta-base --include "*.json" --include "*.txt" '
    '--include "model.safetensors"': "needs the network (Hugging Face hub)",
}

NO_TEST_YET: dict[str, str] = {
    "python experiments/grid.py paper -S synthetic.scale=0.1": "grid.py with -S (a paper grid --only one "
    "configuration -S train.patience=2 in the paper-grid repository)",
    "dvc add data/raw/private": "dvc add of a raw folder in a copy, then dvc exp run -S data.raw=<it>",
    "dvc update data/external/all_tweets_lastfm.7z.dvc data/external/data_w_genres.csv.dvc": "the real-data "
    "path from ../shared/data (as tests/test_realdata_e2e.py finds it)",
    "dvc repro real/dvc.yaml": "the import stage on a slice of the archives",
    "dvc exp run -S data.raw=data/raw/lastfm": "the study on the imported slice",
    "python experiments/real_study.py search": "the search on the imported slice, tiny models",
    "python experiments/real_study.py final --seeds 42 43 44": "the final phase on the slice, one seed",
    "python experiments/power.py --seeds 1 2 3 4 5 -S synthetic.scale=0.05 -S train.batch_size=32 -j 2": "a "
    "power study of one effect, one seed, in the tiny repository",
    "python experiments/power.py --seeds 1 2 3 4 5 -S synthetic.scale=0.2 -S model.text_projection=8 "
    "-S train.batch_size=32 -j 2 --out reports/power-scale0.2.md": "the same with --out and -S model.text_projection",
    "python experiments/power.py --effects mood ...": "power.py --effects mood (a placeholder in README)",
    "dvc exp run -n scale1-mood-strong-stress-s1 -S seed=1 -S synthetic.mood_effect=0.8 -S features.stress=true "
    "-S model.text_projection=8": "the same settings in the tiny repository",
    "dvc exp run -n scale1-lyrics-strong-plain-s1 -S seed=1 -S synthetic.lyrics_effect=0.8 "
    "-S model.text_projection=8": "the same settings in the tiny repository",
    "PYTHONPATH=src python benchmarks/bench_embed.py --tracks data/interim/tracks.parquet": "bench_embed "
    "--tracks on the tiny repository's tracks",
}
