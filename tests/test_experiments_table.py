"""What a researcher reads first: `dvc exp show` and `dvc metrics show` of a fresh clone lead with
the headline (each model's test accuracy, its interval, the best baseline, McNemar), and list the
study's settings, not the synthetic generator's calibrated constants or training summaries."""

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
    # The metrics (before the first setting, seed): the headline's, and the real-data import's
    # (real/dvc.yaml; its numbers are another issue's), no training summary or probe score.
    metrics = columns[2 : columns.index("seed")]
    assert [name for name in metrics if not name.startswith("import.")] == list(_flat(headline)), metrics


def test_metrics_show_and_diff_lead_with_the_headline(fresh_clone):
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], fresh_clone).stdout)
    files = list(shown[""]["data"]) if "" in shown else list(shown["workspace"]["data"])
    assert files[0] == HEADLINE and not [f for f in files if f.startswith("dvclive") or f.endswith("embed.json")]
    stages = yaml.safe_load((fresh_clone / "dvc.yaml").read_text())["stages"]
    declared = [next(iter(m)) for stage in stages.values() for m in stage.get("metrics", [])]
    assert declared == [HEADLINE]  # the only metric of the study's pipeline: `dvc metrics diff` lists it alone


def _flat(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in tree.items():
        flat.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return flat
