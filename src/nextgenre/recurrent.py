"""Keras's LSTM and GRU layers, with the input part of every gate computed for all time steps
in one matrix product before the recurrence.

A recurrent layer's gates are `x_t @ kernel + h_{t-1} @ recurrent_kernel + bias`. Keras's
generic loop (its path wherever cuDNN is not used: TensorFlow on a CPU) computes both products
inside the loop, one time step at a time, and the backward pass sums the kernel's gradient step
by step. The input part does not depend on the recurrence: these layers compute
`sequences @ kernel + bias` for every step at once, a matrix product of (batch x steps) rows
that runs at the machine's matrix speed, and step only through `h_{t-1} @ recurrent_kernel` and
the gate maths. For the paper's model (inputs of 395 values, 128 units) that takes about two
thirds of the arithmetic out of the loop.

The function is Keras's own, with the same weights in the same layout (a model saved with
keras.layers.LSTM/GRU loads here and back); only the order of the floating-point sums differs
(tests/test_recurrent.py compares outputs and gradients). Where Keras would take another path
(cuDNN on a GPU, the torch backend) or the cell has dropout of its own, the layers do exactly
what Keras does.
"""

from __future__ import annotations

import keras
from keras import layers, ops
from keras.src.backend import rnn  # Keras's recurrence, as keras.layers.RNN.inner_loop calls it


def _projects_inputs(layer) -> bool:
    """Whether `layer` (an LSTM or GRU below) runs the input-projected loop: TensorFlow with no
    GPU (where Keras steps through its generic loop) and no dropout inside the cell."""
    if keras.backend.backend() != "tensorflow" or layer.cell.dropout or layer.cell.recurrent_dropout:
        return False
    import tensorflow as tf

    return not tf.config.list_logical_devices("GPU")


def _projected(sequences, kernel, bias):
    """sequences @ kernel + bias over every (sample, step) in one 2-D matrix product."""
    batch, steps = ops.shape(sequences)[0], ops.shape(sequences)[1]
    flat = ops.matmul(ops.reshape(sequences, (-1, sequences.shape[-1])), kernel)
    if bias is not None:
        flat = flat + bias
    return ops.reshape(flat, (batch, steps, kernel.shape[-1]))


def _loop(layer, step, projected, initial_state, mask):
    """Keras's recurrence over the projected inputs, with the arguments RNN.inner_loop gives it."""
    return rnn(
        step,
        projected,
        list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state],
        go_backwards=layer.go_backwards,
        mask=mask[0] if isinstance(mask, (list, tuple)) else mask,
        unroll=layer.unroll,
        input_length=projected.shape[1],
        zero_output_for_mask=layer.zero_output_for_mask,
        return_all_outputs=layer.return_sequences,
    )


@keras.saving.register_keras_serializable(package="nextgenre")
class LSTM(layers.LSTM):
    """keras.layers.LSTM, its inputs projected for all steps at once (module docstring)."""

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not _projects_inputs(self):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell

        def step(projected_t, states):
            h_tm1, c_tm1 = states
            z = projected_t + ops.matmul(h_tm1, cell.recurrent_kernel)
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
            i, f, o = cell.recurrent_activation(z_i), cell.recurrent_activation(z_f), cell.recurrent_activation(z_o)
            c = f * c_tm1 + i * cell.activation(z_c)
            h = o * cell.activation(c)
            return h, [h, c]

        bias = cell.bias if cell.use_bias else None
        return _loop(self, step, _projected(sequences, cell.kernel, bias), initial_state, mask)


@keras.saving.register_keras_serializable(package="nextgenre")
class GRU(layers.GRU):
    """keras.layers.GRU, its inputs projected for all steps at once (module docstring).

    With reset_after (Keras's default) the bias has two rows, one added to the input part and
    one to the recurrent part, and the reset gate multiplies the recurrent part of the candidate
    after its matrix product; without it, the reset gate multiplies h_{t-1} before its product.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not _projects_inputs(self):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell, units = self.cell, self.cell.units
        input_bias = recurrent_bias = None
        if cell.use_bias:
            input_bias, recurrent_bias = (cell.bias[0], cell.bias[1]) if cell.reset_after else (cell.bias, None)

        def step(projected_t, states):
            h_tm1 = states[0]
            x_z, x_r, x_h = ops.split(projected_t, 3, axis=-1)
            if cell.reset_after:
                inner = ops.matmul(h_tm1, cell.recurrent_kernel)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                recurrent_z, recurrent_r, recurrent_h = ops.split(inner, 3, axis=-1)
            else:
                inner = ops.matmul(h_tm1, cell.recurrent_kernel[:, : 2 * units])
                recurrent_z, recurrent_r = ops.split(inner, 2, axis=-1)
            z = cell.recurrent_activation(x_z + recurrent_z)
            r = cell.recurrent_activation(x_r + recurrent_r)
            if cell.reset_after:
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = ops.matmul(r * h_tm1, cell.recurrent_kernel[:, 2 * units :])
            h = z * h_tm1 + (1 - z) * cell.activation(x_h + recurrent_h)
            return h, [h]

        return _loop(self, step, _projected(sequences, cell.kernel, input_bias), initial_state, mask)
