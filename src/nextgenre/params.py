"""Loading and checking params.yaml: a wrong type or unknown value fails at once, naming the setting."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from nextgenre.errors import ParamsError

Check = Callable[[str, Any], None]


def _fail(name: str, value: Any, expected: str) -> None:
    raise ParamsError(f"{name} = {value!r}: expected {expected}")


def integer(lo: int | None = None, hi: int | None = None) -> Check:
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(name, value, "an integer")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            _fail(name, value, f"an integer in [{lo}, {hi}]")

    return check


def number(lo: float | None = None, hi: float | None = None, lo_open: bool = False) -> Check:
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(name, value, "a number")
        too_low = lo is not None and (value <= lo if lo_open else value < lo)
        if too_low or (hi is not None and value > hi):
            bracket = "(" if lo_open else "["
            _fail(name, value, f"a number in {bracket}{lo}, {hi}]")

    return check


def boolean() -> Check:
    def check(name, value):
        if not isinstance(value, bool):
            _fail(name, value, "true or false")

    return check


def text() -> Check:
    def check(name, value):
        if not isinstance(value, str) or not value:
            _fail(name, value, "a non-empty string")

    return check


def fingerprint() -> Check:
    def check(name, value):
        if value != "none" and not (isinstance(value, str) and re.fullmatch("[0-9a-f]{16}", value)):
            _fail(
                name,
                value,
                "'none' (public data) or the 16 hex digits that `python -m nextgenre.pseudonym fingerprint` prints",
            )

    return check


def one_of(*choices) -> Check:
    def check(name, value):
        if isinstance(value, bool) or value not in choices:
            _fail(name, value, "one of " + ", ".join(repr(c) for c in choices))

    return check


def list_of(item: Check, min_len: int = 0) -> Check:
    def check(name, value):
        if not isinstance(value, list) or len(value) < min_len:
            _fail(name, value, f"a list of at least {min_len} items")
        for i, v in enumerate(value):
            item(f"{name}[{i}]", v)

    return check


# Every setting, by its dotted name. A setting not listed here is an error (a typo, usually).
SPEC: dict[str, Check] = {
    "seed": integer(0, 2**31 - 1),
    "data.raw": text(),
    "data.interval": one_of(30, 60, 90),
    "data.max_file_mib": integer(1, 2**20),
    "data.max_rows": integer(1, 10**12),
    "data.key_fingerprint": fingerprint(),
    "synthetic.scale": number(0, 10, lo_open=True),
    "synthetic.mood_effect": number(0, 1),
    "synthetic.memory_effect": number(0, 1),
    "synthetic.lyrics_effect": number(0, 1),
    "embed.model": text(),
    "embed.max_length": integer(8, 4096),
    "embed.batch_size": integer(1, 4096),
    "embed.clean.stopwords": boolean(),
    "embed.clean.stem": boolean(),
    "embed.clean.lemmatize": boolean(),
    "features.classes": one_of(6, 4, 3),
    "features.history": integer(1, 500),
    "features.stress": boolean(),
    "features.text": boolean(),
    "features.missing_stress": one_of("zero", "drop"),
    "features.artist": boolean(),
    "split.val": number(0, 0.5, lo_open=True),
    "split.test": number(0, 0.5, lo_open=True),
    "split.folds": integer(0, 100),
    "split.fold": integer(0, 99),
    "split.fold_seed": integer(0, 2**31 - 1),
    "model.units": integer(1, 4096),
    "model.layers": integer(1, 8),
    "model.dense": list_of(integer(1, 4096)),
    "model.attention": boolean(),
    "model.dropout": number(0, 0.9),
    "model.text_projection": integer(0, 4096),
    "model.heads": integer(1, 64),
    "model.artist_dim": integer(1, 4096),
    "train.epochs": integer(1, 10000),
    "train.patience": integer(0, 10000),
    "train.batch_size": integer(1, 1_000_000),
    "train.learning_rate": number(0, 1, lo_open=True),
    "train.oversample": boolean(),
    "realdata.sources": text(),
    "realdata.archives": list_of(text(), min_len=1),
    "realdata.genres": text(),
    "realdata.out": text(),
    "realdata.ambiguous": one_of("drop", "majority"),
    "realdata.max_bad_share": number(0, 1),
    "realdata.max_unpacked_mb": number(0, 1_000_000, lo_open=True),
}


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def check_settings(tree: Any, spec: dict[str, Check], source: str) -> dict[str, Any]:
    """Check a settings file's content (`tree`, read from `source`) against `spec`: every setting
    there, none other, each of the right kind. Returns the settings by dotted name."""
    if not isinstance(tree, dict):
        raise ParamsError(f"{source}: expected a mapping of settings")
    flat = _flatten(tree)
    for name in flat:
        if name not in spec:
            raise ParamsError(f"{source}: unknown setting '{name}'")
    for name, check in spec.items():
        if name not in flat:
            raise ParamsError(f"{source}: missing setting '{name}'")
        try:
            check(name, flat[name])
        except ParamsError as exc:
            raise ParamsError(f"{source}: {exc}") from None
    return flat


def read_settings(path: str | Path, hint: str = "") -> Any:
    """The YAML content of a settings file; a missing or unreadable one raises ParamsError."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ParamsError(f"{path}: not found{hint}") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from None


def validate(params: dict) -> dict:
    """Check every setting against SPEC; return `params` unchanged when all are right."""
    flat = check_settings(params, SPEC, "params.yaml")
    if flat["split.val"] + flat["split.test"] >= 1:
        raise ParamsError("params.yaml: split.val + split.test must be below 1")
    if flat["split.folds"] == 1 or flat["split.fold"] >= max(flat["split.folds"], 1):
        raise ParamsError(
            f"params.yaml: split.folds = {flat['split.folds']}, split.fold = {flat['split.fold']}: "
            "expected folds 0 (one split) or at least 2, and fold in 0 .. folds-1"
        )
    if flat["split.folds"] >= 2 and flat["split.val"] + 1 / flat["split.folds"] >= 1:
        raise ParamsError("params.yaml: split.val + 1 / split.folds must be below 1")
    return params


def load_params(path: str | Path = "params.yaml") -> dict:
    """Read and validate params.yaml."""
    return validate(read_settings(path, " (run from the repository root)"))


class DeclaredParams(dict):
    """A section of params.yaml cut down to the settings that a stage declares in dvc.yaml.
    Reading any other setting raises ParamsError, so a stage cannot depend on a setting that
    DVC does not track for it (an edit there would leave its outputs stale)."""

    def __init__(self, values: dict, stage: str, prefix: str = ""):
        super().__init__(values)
        self.stage, self.prefix = stage, prefix

    def __missing__(self, key):
        raise ParamsError(
            f"stage '{self.stage}' reads the setting '{self.prefix}{key}', which its dvc.yaml "
            "entry does not declare: add it to the stage's params"
        )

    def get(self, key, default=None):
        return self[key] if key in self else self.__missing__(key)


WHOLE_FILE = {"params.yaml": None}  # a params entry `- params.yaml:`: every setting of the file


def declared_params(stage: str, dvc_yaml: str | Path = "dvc.yaml") -> list[str] | None:
    """The dotted settings (or whole sections) that `stage`'s entry in dvc.yaml lists as params;
    None where it lists the whole of params.yaml (`- params.yaml:`)."""
    try:
        stages = yaml.safe_load(Path(dvc_yaml).read_text()).get("stages", {})
    except FileNotFoundError:
        raise ParamsError(f"{dvc_yaml}: not found (run from the repository root)") from None
    if stage not in stages:
        raise ParamsError(f"{dvc_yaml}: no stage '{stage}'")
    names = stages[stage].get("params", [])
    if WHOLE_FILE in names:
        return None
    for name in names:
        if not isinstance(name, str):
            raise ParamsError(
                f"{dvc_yaml}: stage '{stage}': params entry {name!r} is not a setting of "
                "params.yaml (other params files are not supported)"
            )
    return names


def _declared_part(tree: dict, declared: list[str], stage: str, prefix: str = "") -> DeclaredParams:
    part = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if name in declared:
            part[key] = value
        elif isinstance(value, dict) and any(d.startswith(name + ".") for d in declared):
            part[key] = _declared_part(value, declared, stage, name + ".")
    return DeclaredParams(part, stage, prefix)


def stage_params(stage: str, path: str | Path = "params.yaml", dvc_yaml: str | Path = "dvc.yaml") -> DeclaredParams:
    """Read and validate all of params.yaml; hand back only the settings that `stage` declares
    in dvc.yaml (reading another fails loudly, see DeclaredParams)."""
    params, declared = load_params(path), declared_params(stage, dvc_yaml)
    return DeclaredParams(params, stage) if declared is None else _declared_part(params, declared, stage)


def _reads_back_as(text: str) -> bool:
    """Whether `text` written as a plain YAML scalar reads back (PyYAML) as the same string."""
    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def set_params(path: str | Path, changes: dict[str, Any]) -> None:
    """Write dotted settings (`{"train.epochs": 5}`) into a params.yaml, keeping its key order and
    comments (ruamel.yaml's round trip)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    path = Path(path)
    yaml_rt = YAML()  # round-trip mode: comments and layout survive
    params = yaml_rt.load(path.read_text())
    for dotted, value in changes.items():
        node = params
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node[key]
        if isinstance(value, list):  # written inline, as params.yaml writes lists: [64]
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        elif isinstance(value, str) and not _reads_back_as(value):
            # ruamel writes YAML 1.2, where `yes` or `on` is a plain string; PyYAML (1.1), which
            # load_params uses, would read them as booleans: quote such strings (and strings with
            # control characters, which only a double-quoted scalar can hold, escaped).
            value = DoubleQuotedScalarString(value)
        node[leaf] = value
    with path.open("w") as f:
        yaml_rt.dump(params, f)
