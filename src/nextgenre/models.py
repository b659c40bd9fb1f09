"""The paper's recurrent classifiers (Keras 3): masking, stacked LSTM or GRU layers, optional
attention over the time steps, dense layers ending in softmax.

Attention: additive attention pooling (Bahdanau-style scoring, as used for pooling in
Fastformer, the paper's reference [15]): each step's output h_t of the last recurrent layer gets a
score e_t = v . tanh(W h_t + b); a softmax over the real (unmasked) steps gives weights a_t
(padded steps get exactly 0), and the sequence is summarised by sum_t a_t h_t. Without attention
the summary is the last recurrent layer's final state.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from nextgenre.registry import MODELS

RECURRENT = {name: getattr(layers, layer) for name, layer in MODELS.items()}


@keras.saving.register_keras_serializable(package="nextgenre")
class AttentionPooling(layers.Layer):
    """Additive attention pooling over time; returns (summary, weights)."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.supports_masking = True

    def build(self, input_shape):
        dim = input_shape[-1]
        self.w = self.add_weight(name="w", shape=(dim, self.units), initializer="glorot_uniform")
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")
        self.v = self.add_weight(name="v", shape=(self.units,), initializer="glorot_uniform")

    def call(self, inputs, mask=None):
        scores = ops.sum(ops.tanh(ops.matmul(inputs, self.w) + self.b) * self.v, axis=-1)
        if mask is not None:
            scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)  # a masked step's exp(-1e9 - max) is exactly 0
        if mask is not None:  # an all-masked window (uniform weights) sums to zero
            weights = weights * ops.cast(mask, weights.dtype)
        summary = ops.sum(inputs * ops.expand_dims(weights, -1), axis=1)
        return summary, weights

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="nextgenre")
class TextProjection(layers.Layer):
    """The text columns [start, end) of every step through one linear map, shared by all steps,
    to `units` numbers; the other columns pass as they are. With fewer numbers for the lyrics, a
    model can no longer learn each user's own tracks by heart from their 384-number vectors
    (README "The power study")."""

    def __init__(self, units: int, start: int, end: int, **kwargs):
        super().__init__(**kwargs)
        self.units, self.start, self.end = units, start, end
        self.supports_masking = True
        self.dense = layers.Dense(units, name="dense")

    def build(self, input_shape):
        self.dense.build((*input_shape[:-1], self.end - self.start))

    def call(self, inputs):
        text = self.dense(inputs[..., self.start : self.end])
        return ops.concatenate([text, inputs[..., : self.start], inputs[..., self.end :]], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] - (self.end - self.start) + self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "start": self.start, "end": self.end}


def build_model(
    kind: str, input_dim: int, n_classes: int, params: dict, masking: bool = True, text: list[int] | None = None
) -> keras.Model:
    """The classifier. params is the `model` section: units, layers, dense, attention, dropout,
    text_projection (0: the text columns `text` = [start, end) go to the recurrent layers as they
    are; n > 0: through a shared linear map to n numbers first, `TextProjection`).

    `masking=False` leaves out the Masking layer: only for windows with no all-zero step, where
    it masks nothing (nextgenre.sequences batches windows of one length, unpadded, and
    Windows.has_gaps says whether a session can be left out of a window); the mask costs about
    a sixth of an LSTM epoch on a CPU.

    Layer names used downstream: "hidden" (the last hidden dense layer, for t-SNE),
    "attention" (its second output: weights over time steps), "probabilities".
    """
    if kind not in RECURRENT:
        raise ValueError(f"unknown model kind {kind!r}: expected one of {', '.join(RECURRENT)}")
    units, n_layers, dropout = params["units"], params["layers"], params["dropout"]
    inputs = keras.Input(shape=(None, input_dim), name="windows")
    x = layers.Masking(mask_value=0.0, name="masking")(inputs) if masking else inputs
    if params["text_projection"] > 0 and text is not None:
        x = TextProjection(params["text_projection"], *text, name="text_projection")(x)
    for i in range(n_layers):
        last = i == n_layers - 1
        x = RECURRENT[kind](units, return_sequences=(not last) or params["attention"], name=f"{kind}_{i + 1}")(x)
        if dropout > 0 and not last:
            x = layers.Dropout(dropout, name=f"dropout_{i + 1}")(x)
    if params["attention"]:
        x, _ = AttentionPooling(units, name="attention")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout_summary")(x)
    dense = list(params["dense"])
    for j, width in enumerate(dense):
        name = "hidden" if j == len(dense) - 1 else f"dense_{j + 1}"
        x = layers.Dense(width, activation="relu", name=name)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"nextgenre_{kind}")


def probe_model(model: keras.Model) -> keras.Model:
    """The same network with outputs: probabilities, last hidden layer, attention weights (or None)."""
    names = {layer.name for layer in model.layers}
    hidden = model.get_layer("hidden").output if "hidden" in names else model.get_layer("probabilities").input
    outputs = {"probabilities": model.output, "hidden": hidden}
    if "attention" in names:
        outputs["attention"] = model.get_layer("attention").output[1]
    return keras.Model(model.input, outputs)
