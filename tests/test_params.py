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
