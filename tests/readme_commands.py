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

REAL = "tests/test_realdata_readme.py::test_readme_real_data_commands_in_a_fresh_clone"
REAL_FORM = "in a fresh copy with no DVC cache and ../shared beside it, on the whole Last.fm archive"
ARCHIVES = "tests/test_realdata_readme.py::test_any_archive_set_and_output_folder_from_params"
REMOTE = "tests/test_remote.py::test_shared_remote_push_clone_pull_reruns_nothing"
ARTIFACT = "tests/test_remote.py::test_a_tagged_model_version_is_got_with_dvc_artifacts_get"
KEYS = "tests/test_ingest.py::test_key_sources"

RUN_BY: dict[str, RunBy] = {
    "dvc repro": RunBy((REPRO,), f"{TINY} (conftest.reproduce)"),
    "dvc metrics show": RunBy(("tests/test_experiments_table.py::test_metrics_show_leads_with_the_headline",), TINY),
    "dvc plots show": RunBy(
        ("tests/test_pipeline_e2e.py::test_every_declared_plot_renders_offline",),
        f"{TINY}, in a copy (tests/test_plots_and_artifacts.py every_plot_renders)",
    ),
    "python -m nextgenre.realdata.fetch --from ../shared/data": RunBy((REAL, ARCHIVES), REAL_FORM),
    "dvc repro real/dvc.yaml": RunBy((REAL, ARCHIVES), REAL_FORM),
    "dvc exp run -S data.raw=data/raw/lastfm": RunBy(
        (REAL,), f"with -S train.epochs=1 -S synthetic.scale=0.02 (a short training), {REAL_FORM}"
    ),
    'git tag -a lstm@v1.0.0 -m "lstm v1.0.0"': RunBy((ARTIFACT,), f"as written, {TINY}"),
    "dvc artifacts get . lstm": RunBy((ARTIFACT,), f"with -o <a temporary folder>, {TINY}"),
    "python -m nextgenre.pseudonym new": RunBy(
        ("tests/test_ingest.py::test_pseudonym_cli_writes_a_key_and_prints_its_fingerprint",), "in a temporary folder"
    ),
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
    "dvc exp show --md --drop '.*' --keep 'Experiment|(lstm|gru|sasrec|best_baseline)\\.(accuracy|ci_)|"
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
    "dvc push": RunBy((MACHINES, REMOTE), "to a local folder"),
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
        ("tests/test_bench_embed.py::test_benchmark_runs_and_prints_its_tables_and_writes_its_report",),
        "its main() with --texts 6 on a tiny random RoBERTa",
    ),
}

EXEMPT: dict[str, str] = {
    "dvc import-url <the archive's address in sidooms/Twitter-ratings, at a commit> data/external/<archive>.7z": (
        "needs the network (GitHub), and names an archive of the user's choosing; the same stage on another archive "
        f"in data/external runs in {ARCHIVES}"
    ),
    "KERAS_BACKEND=torch python -m tests.backend_check 200": "a GPU check: needs a CUDA GPU (on the CPU, "
    "tests/test_backend.py trains on the torch backend)",
    "KERAS_BACKEND=torch python benchmarks/bench_train.py --samples 68000": "a GPU benchmark: needs a CUDA GPU",
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
    'hf download roberta-base --local-dir roberta-base --include "*.json" --include "*.txt" '
    '--include "model.safetensors"': "needs the network (Hugging Face hub)",
}

NO_TEST_YET: dict[str, str] = {
    "dvc exp run -S 'realdata.archives=[all_tweets_lastfm.7z,<archive>.7z]' -S data.raw=data/raw/lastfm": "names "
    "an archive of the user's choosing; the import of another archive named in params runs in "
    "tests/test_realdata_readme.py, the study after it as in the README real-data test",
    "python experiments/grid.py all --seeds 42 43 44 -j 2 -S synthetic.scale=0.1": "grid.py all with -S, three "
    "seeds (the paper and ablation grid tests run one seed each, without -S)",
    "dvc exp run -S data.raw=data/raw/private -S data.key_fingerprint=<the printed fingerprint>": "dvc add of a "
    "private raw folder in a copy, a key, then this experiment",
    "dvc exp run -S data.raw=data/raw/private -S data.key_fingerprint=<16 hex digits>": "the same (docs/privacy.md)",
    "dvc exp run -S data.raw=data/raw/private": "the same without the key (docs/raw-schema.md; ingest stops and "
    "says what to set)",
    "PYTHONPATH=src python benchmarks/known_answers.py --scale 0.1": "known_answers.py at a small scale",
    "python experiments/grid.py paper -S synthetic.scale=0.1": "grid.py with -S (a paper grid --only one "
    "configuration -S train.patience=2 in the paper-grid repository)",
    "dvc add data/raw/private": "dvc add of a raw folder in a copy, then dvc exp run -S data.raw=<it>",
    "python experiments/real_study.py search": "the search on the imported slice, tiny models",
    "python experiments/real_study.py final": "the cross-validation's plan and pooled tables run on fake "
    "predictions (tests/test_real_study.py); the phase itself needs the imported data and hours of CPU",
    "python experiments/power.py --seeds 1 2 3 4 5 -S synthetic.scale=0.05 -S train.batch_size=32 -j 2": "a "
    "power study of one effect, one seed, in the tiny repository",
    "python experiments/power.py --seeds 1 2 3 4 5 -S synthetic.scale=0.2 -S model.text_projection=8 "
    "-S train.batch_size=32 -j 2 --out reports/power-scale0.2.md": "the same with --out and -S model.text_projection",
    "python experiments/power.py --levels strong --only memory-strong-plain lyrics-strong-plain mood-strong-stress "
    "--seeds 1 2 3 4 5 -S synthetic.scale=0.2 -S model.text_projection=8 -S train.batch_size=32 -j 2 "
    "--out reports/power-scale0.2-strong.md": "the same with --levels strong --only one configuration (its "
    "arguments are checked by tests/test_power.py)",
    "dvc exp run -n scale1-mood-strong-stress-s1 -S seed=1 -S synthetic.mood_effect=0.8 -S features.stress=true "
    "-S model.text_projection=8": "the same settings in the tiny repository",
    "dvc exp run -n scale1-lyrics-strong-plain-s1 -S seed=1 -S synthetic.lyrics_effect=0.8 "
    "-S model.text_projection=8": "the same settings in the tiny repository",
    "PYTHONPATH=src python benchmarks/bench_embed.py --tracks data/interim/tracks.parquet": "bench_embed "
    "--tracks on the tiny repository's tracks",
}
