"""The model registry and dvc.yaml agree: every registered model is trained, evaluated, reported
and plotted, and nothing else is."""

import yaml

from nextgenre.registry import MODELS, label, mcnemar_key, pairs
from tests.conftest import ROOT


def test_dvc_yaml_matrices_report_deps_and_plots_follow_the_registry():
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    for stage in ("train", "evaluate"):
        assert dvc["stages"][stage]["matrix"]["model"] == list(MODELS), f"dvc.yaml {stage} matrix"
    deps = set(dvc["stages"]["report"]["deps"])
    for m in MODELS:
        assert {f"data/predictions/{m}.parquet", f"data/predictions/{m}.json"} <= deps, f"report deps miss {m}"
    for plot in dvc["plots"]:
        ((title, spec),) = plot.items()
        curves = {path.split("/")[2] for path in spec["y"]}
        assert curves == set(MODELS), f"plot {title!r} shows {sorted(curves)}"


def test_every_pair_is_compared_once():
    assert pairs() == [("lstm", "gru"), ("lstm", "sasrec"), ("gru", "sasrec")]
    assert mcnemar_key("lstm", "gru") == "mcnemar_lstm_vs_gru"


def test_every_registered_model_has_a_builder_and_a_label():
    from nextgenre.models import BUILDERS

    assert list(BUILDERS) == list(MODELS)
    assert [label(m) for m in MODELS] == ["LSTM", "GRU", "SASRec"]
