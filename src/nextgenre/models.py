"""The classifiers (Keras 3): masking, a sequence encoder over the history window, optional
attention pooling over the time steps, dense layers ending in softmax. The encoders, one per
registered model (nextgenre.registry, BUILDERS here):

- lstm, gru: the paper's stacked recurrent layers.
- sasrec: causal self-attention over the sessions (SASRec, Kang and McAuley 2018): each session
  vector is projected to `units` numbers and a learned embedding of its position in the window is
  added; `layers` blocks follow, each layer normalisation, multi-head self-attention (`heads`
  heads) under a causal mask (a session attends to itself and earlier sessions only) and a
  position-wise feed-forward layer, with residual connections and dropout; a last layer
  normalisation. Without attention pooling, the summary is the output at the latest session.

Attention pooling (`model.attention`): additive attention pooling (Bahdanau-style scoring, as used
for pooling in Fastformer, the paper's reference [15]): each step's output h_t of the encoder gets
a score e_t = v . tanh(W h_t + b); a softmax over the real (unmasked) steps gives weights a_t
(padded steps get exactly 0), and the sequence is summarised by sum_t a_t h_t. Without attention
the summary is the encoder's output at the last step.

Optional inputs: `TextProjection` maps the lyrics columns to fewer numbers; `ArtistEmbedding`
(features.artist) turns the artist column of every session vector (an index in the training
users' artist vocabulary, nextgenre.artists) into a learned embedding.
"""

from __future__ import annotations

import keras
from keras import layers, ops


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


@keras.saving.register_keras_serializable(package="nextgenre")
class ArtistEmbedding(layers.Layer):
    """The artist column of every step (an artist's index as a number: 1 = unknown, 2.. = the
    training users' artists, 0 only in an all-zero, masked step) replaced by a learned embedding
    of `dim` numbers, appended after the other columns, which pass as they are."""

    def __init__(self, vocabulary: int, dim: int, column: int, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary, self.dim, self.column = vocabulary, dim, column
        self.supports_masking = True
        self.embedding = layers.Embedding(vocabulary, dim, name="embedding")

    def build(self, input_shape):
        self.embedding.build(input_shape[:-1])

    def call(self, inputs):
        ids = ops.cast(ops.round(inputs[..., self.column]), "int32")
        rest = ops.concatenate([inputs[..., : self.column], inputs[..., self.column + 1 :]], axis=-1)
        return ops.concatenate([rest, self.embedding(ids)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] - 1 + self.dim)

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.vocabulary, "dim": self.dim, "column": self.column}


@keras.saving.register_keras_serializable(package="nextgenre")
class PositionEmbedding(layers.Layer):
    """Adds a learned vector per position in the window, counted as in a window padded at the
    front to `history` steps (nextgenre.sequences): the latest session always gets the last one,
    whatever the window's length (at most `history`)."""

    def __init__(self, history: int, **kwargs):
        super().__init__(**kwargs)
        self.history = history
        self.supports_masking = True

    def build(self, input_shape):
        self.table = self.add_weight(
            name="table",
            shape=(self.history, input_shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )

    def call(self, inputs):
        steps = ops.shape(inputs)[1]
        return inputs + self.table[self.history - steps :]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "history": self.history}


@keras.saving.register_keras_serializable(package="nextgenre")
class LastStep(layers.Layer):
    """The output at the last (latest) step of a sequence."""

    def call(self, inputs):
        return inputs[:, -1, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def compute_mask(self, inputs, mask=None):
        return None


def recurrent_encoder(layer: str):
    """Stacked LSTM or GRU layers (keras.layers.<layer>): the last one returns its final state,
    or every step's output for attention pooling."""

    def encode(x, kind: str, params: dict, history: int | None):
        units, n_layers, dropout = params["units"], params["layers"], params["dropout"]
        for i in range(n_layers):
            last = i == n_layers - 1
            x = getattr(layers, layer)(
                units, return_sequences=(not last) or params["attention"], name=f"{kind}_{i + 1}"
            )(x)
            if dropout > 0 and not last:
                x = layers.Dropout(dropout, name=f"dropout_{i + 1}")(x)
        return x

    return encode


def self_attention_encoder(x, kind: str, params: dict, history: int | None):
    """SASRec-style causal self-attention blocks (see the module docstring); the output at the
    latest step, or every step's ("sequence") for attention pooling."""
    if not history:
        raise ValueError(f"{kind}: the window length (history) is needed for the position embedding")
    units, dropout, heads = params["units"], params["dropout"], params["heads"]
    x = layers.Dense(units, name="input_projection")(x)
    x = PositionEmbedding(history, name="positions")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout_input")(x)
    for i in range(1, params["layers"] + 1):
        h = layers.LayerNormalization(name=f"block_{i}_norm")(x)
        h = layers.MultiHeadAttention(
            heads, key_dim=max(1, units // heads), dropout=dropout, name=f"block_{i}_self_attention"
        )(h, h, use_causal_mask=True)
        if dropout > 0:
            h = layers.Dropout(dropout, name=f"block_{i}_dropout_attention")(h)
        x = layers.Add(name=f"block_{i}_residual_attention")([x, h])
        h = layers.LayerNormalization(name=f"block_{i}_norm_feed_forward")(x)
        h = layers.Dense(units, activation="relu", name=f"block_{i}_feed_forward_1")(h)
        h = layers.Dense(units, name=f"block_{i}_feed_forward_2")(h)
        if dropout > 0:
            h = layers.Dropout(dropout, name=f"block_{i}_dropout_feed_forward")(h)
        x = layers.Add(name=f"block_{i}_residual_feed_forward")([x, h])
    x = layers.LayerNormalization(name="sequence")(x)
    return x if params["attention"] else LastStep(name="last_step")(x)


# Each registered model's encoder (nextgenre.registry.MODELS), from the (masked) step vectors to
# every step's output (with model.attention) or one summary vector.
BUILDERS = {
    "lstm": recurrent_encoder("LSTM"),
    "gru": recurrent_encoder("GRU"),
    "sasrec": self_attention_encoder,
}


def build_model(
    kind: str,
    input_dim: int,
    n_classes: int,
    params: dict,
    masking: bool = True,
    text: list[int] | None = None,
    history: int | None = None,
    artist: dict | None = None,
) -> keras.Model:
    """The classifier. params is the `model` section: units, layers, dense, attention, dropout,
    text_projection (0: the text columns `text` = [start, end) go to the encoder as they are;
    n > 0: through a shared linear map to n numbers first, `TextProjection`), heads (sasrec),
    artist_dim. `history` is the longest window (sasrec's positions); `artist`, where the
    vectors carry the artist column: {"column", "vocabulary"} (`ArtistEmbedding`).

    `masking=False` leaves out the Masking layer: only for windows with no all-zero step, where
    it masks nothing (nextgenre.sequences batches windows of one length, unpadded, and
    Windows.has_gaps says whether a session can be left out of a window); the mask costs about
    a sixth of an LSTM epoch on a CPU.

    Layer names used downstream: "hidden" (the last hidden dense layer, for t-SNE),
    "attention" (its second output: weights over time steps), "probabilities".
    """
    if kind not in BUILDERS:
        raise ValueError(f"unknown model kind {kind!r}: expected one of {', '.join(BUILDERS)}")
    inputs = keras.Input(shape=(None, input_dim), name="windows")
    x = layers.Masking(mask_value=0.0, name="masking")(inputs) if masking else inputs
    if artist is not None:
        if text is not None and artist["column"] < text[1]:
            raise ValueError("the artist column must follow the text columns")
        x = ArtistEmbedding(artist["vocabulary"], params["artist_dim"], artist["column"], name="artist_embedding")(x)
    if params["text_projection"] > 0 and text is not None:
        x = TextProjection(params["text_projection"], *text, name="text_projection")(x)
    x = BUILDERS[kind](x, kind, params, history)
    if params["attention"]:
        x, _ = AttentionPooling(params["units"], name="attention")(x)
    if params["dropout"] > 0:
        x = layers.Dropout(params["dropout"], name="dropout_summary")(x)
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
