from pathlib import Path

import pytest
import yaml

from nextgenre.errors import ParamsError
from nextgenre.params import load_params, validate
from tests.conftest import ROOT


def default_params():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_repository_params_are_valid():
    assert load_params(ROOT / "params.yaml")["features"]["classes"] == 6


@pytest.mark.parametrize(
    "section, key, value, message",
    [
        ("features", "classes", 5, "features.classes = 5"),
        ("data", "interval", 45, "data.interval = 45"),
        ("train", "epochs", "ten", "train.epochs = 'ten'"),
        ("model", "attention", "yes", "model.attention = 'yes'"),
        ("split", "test", 0.0, "split.test = 0.0"),
    ],
)
def test_wrong_value_names_the_setting(section, key, value, message):
    params = default_params()
    params[section][key] = value
    with pytest.raises(ParamsError, match=message.replace("(", r"\(").replace(".", r"\.")):
        validate(params)


def test_unknown_and_missing_settings_are_named():
    params = default_params()
    params["train"]["epoch"] = 3
    with pytest.raises(ParamsError, match="unknown setting 'train.epoch'"):
        validate(params)
    params = default_params()
    del params["model"]["units"]
    with pytest.raises(ParamsError, match="missing setting 'model.units'"):
        validate(params)


def test_an_unknown_top_level_setting_is_refused_like_a_nested_one():
    params = default_params()
    params["sead"] = 43  # `dvc exp run -S +sead=43`, a typo of seed
    with pytest.raises(ParamsError, match="params.yaml: unknown setting 'sead'"):
        validate(params)


def test_the_settings_stage_tracks_and_gets_the_whole_file():
    """Only a stage that tracks all of params.yaml runs when a new top-level name appears: the
    settings stage, first in dvc.yaml, so that DVC runs it before any other."""
    from nextgenre.params import stage_params

    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert next(iter(stages)) == "settings" and stages["settings"]["params"] == [{"params.yaml": None}]
    assert "outs" not in stages["settings"]
    params = stage_params("settings", ROOT / "params.yaml", ROOT / "dvc.yaml")
    assert params == load_params(ROOT / "params.yaml")


def test_a_missing_raw_folder_is_named_with_what_to_do(tmp_path):
    from nextgenre.sources import check_raw_folder, pipeline_outputs

    for pipeline in ("dvc.yaml", "real/dvc.yaml", "params.yaml"):  # real/dvc.yaml's out is ${realdata.out}
        (tmp_path / pipeline).parent.mkdir(exist_ok=True)
        (tmp_path / pipeline).write_text((ROOT / pipeline).read_text())
    outputs = pipeline_outputs(tmp_path)
    assert {Path("data/raw/synthetic"), Path("data/raw/lastfm"), Path("data/interim/sessions.parquet")} <= outputs
    check_raw_folder("data/raw/synthetic", tmp_path)  # not there yet: synthesize writes it first
    check_raw_folder("./data/raw/lastfm", tmp_path)  # real/dvc.yaml's import writes it
    (tmp_path / "mine").mkdir()
    check_raw_folder("mine", tmp_path)
    with pytest.raises(ParamsError, match=r"data.raw = 'data/raw/nowhere': no such folder\. Point data.raw at"):
        check_raw_folder("data/raw/nowhere", tmp_path)
    (tmp_path / "file.csv").write_text("x")
    with pytest.raises(ParamsError, match="data.raw = 'file.csv': is not a folder.*dvc pull"):
        check_raw_folder("file.csv", tmp_path)


def test_a_stage_gets_only_the_params_that_dvc_yaml_declares():
    from nextgenre.params import stage_params

    params = stage_params("report", ROOT / "params.yaml", ROOT / "dvc.yaml")
    assert params["seed"] == 42
    assert params["features"]["classes"] == 6  # a whole section declared
    assert params["model"]["attention"] is False  # one key of a section declared
    assert set(params) == {"seed", "data", "embed", "features", "model", "train"}
    assert set(params["model"]) == {"attention"}
    with pytest.raises(ParamsError, match="stage 'report' reads the setting 'model.units'.*does not declare"):
        params["model"]["units"]
    with pytest.raises(ParamsError, match="stage 'report' reads the setting 'split'"):
        params.get("split")
    evaluate = stage_params("evaluate", ROOT / "params.yaml", ROOT / "dvc.yaml")
    with pytest.raises(ParamsError, match="'data.interval'"):
        evaluate["data"]["interval"]


def test_stage_params_checks_the_whole_file_and_the_stage_name(tmp_path):
    from nextgenre.params import stage_params

    params = default_params()
    params["train"]["epochs"] = 0
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    with pytest.raises(ParamsError, match="train.epochs = 0"):  # not declared by `ingest`, still checked
        stage_params("ingest", tmp_path / "params.yaml", ROOT / "dvc.yaml")
    with pytest.raises(ParamsError, match="no stage 'trian'"):
        stage_params("trian", ROOT / "params.yaml", ROOT / "dvc.yaml")


def test_set_params_keeps_comments_and_order(tmp_path):
    from nextgenre.params import set_params

    path = tmp_path / "params.yaml"
    path.write_text((ROOT / "params.yaml").read_text())
    set_params(path, {"train.epochs": 3, "model.dense": [16, 8], "data.raw": "data/raw/private"})
    text = path.read_text()
    assert "  epochs: 3\n" in text and "dense: [16, 8]" in text
    original = (ROOT / "params.yaml").read_text()
    comments = [line.split("#", 1)[1] for line in original.splitlines() if "#" in line]
    assert comments == [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    assert load_params(path)["data"]["raw"] == "data/raw/private"
    assert list(yaml.safe_load(text)) == list(yaml.safe_load(original))


@pytest.mark.parametrize("value", ["yes", "on", "3", "", "many", "a: b"])
def test_set_params_writes_strings_that_read_back_as_strings(tmp_path, value):
    from nextgenre.params import set_params

    path = tmp_path / "params.yaml"
    path.write_text((ROOT / "params.yaml").read_text())
    set_params(path, {"model.attention": value})
    assert yaml.safe_load(path.read_text())["model"]["attention"] == value
