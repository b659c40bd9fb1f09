"""What a researcher reads first: `dvc exp show` and `dvc metrics show` of a fresh clone lead with
the headline (each model's test accuracy, its interval, the best baseline, McNemar), before the
training summaries and the embedding probe, and list the study's settings, not the synthetic
generator's calibrated constants."""

import csv
import io
import json

import pytest
import yaml

from nextgenre.params import SPEC
from nextgenre.registry import MODELS
from nextgenre.synthetic.calibration import CONSTANTS_SPEC
from tests.conftest import run

pytestmark = pytest.mark.e2e

HEADLINE = "metrics/headline.json"


@pytest.fixture
def fresh_clone(reproduced, tmp_path):
    """A `git clone` of the reproduced tiny repository (cloning reads it, nothing more)."""
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced), str(clone)], tmp_path)
    return clone


def exp_show_columns(repo) -> list[str]:
    """The columns of `dvc exp show`'s table, from its CSV (whose rev, typ and parent the table
    merges into Experiment)."""
    header = next(csv.reader(io.StringIO(run(["dvc", "exp", "show", "--csv"], repo).stdout)))
    return [column for column in header if column not in ("rev", "typ", "parent")]


def test_exp_show_leads_with_each_models_accuracy(fresh_clone):
    columns = exp_show_columns(fresh_clone)
    assert columns[:2] == ["Experiment", "Created"]
    first = columns[2:14]
    assert {f"{model}.accuracy" for model in MODELS} <= set(first), first
    headline = json.loads((fresh_clone / HEADLINE).read_text())
    assert columns[2 : 2 + len(_flat(headline))] == list(_flat(headline))  # the headline first, whole
    # Settings: params.yaml's, which no longer hold the generator's calibrated constants.
    assert set(SPEC) <= set(columns)
    assert not {f"synthetic.{name}" for name in CONSTANTS_SPEC} & set(columns)
    # The metrics (before the first setting, seed): the headline's first; after them the
    # embedding probe's, the training summaries and the real-data import's (real/dvc.yaml).
    metrics = columns[2 : columns.index("seed")]
    rest = metrics[len(_flat(headline)) :]
    assert [name for name in rest if not name.startswith(("genre_probe.", "dvclive/", "import."))] == [], rest


def test_metrics_show_leads_with_the_headline(fresh_clone):
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], fresh_clone).stdout)
    files = list(shown[""]["data"]) if "" in shown else list(shown["workspace"]["data"])
    assert files[0] == HEADLINE, files
    # DVC lists metrics files in the order of their stages in dvc.yaml: report's comes first.
    stages = yaml.safe_load((fresh_clone / "dvc.yaml").read_text())["stages"]
    declared = [next(iter(m)) for stage in stages.values() for m in stage.get("metrics", [])]
    assert declared[0] == HEADLINE, declared


def _flat(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in tree.items():
        flat.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return flat
