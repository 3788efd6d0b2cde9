"""``MLP``: the multi-layer perceptron of the notes, A = X W + B, Z = h(A), layer after
layer, with an output activation chosen by the task."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import ShapeError

from .. import functional as F
from .._checks import flag, real_number
from .._random import RNGLike, as_generator
from ..containers import Sequential
from ..layers import float_dtype
from ._parts import Inference, as_input, check_sizes, dense_stack
from ..errors import ConfigError

__all__ = ["MLP"]

OUTPUTS = (None, "sigmoid", "softmax")


class MLP(Sequential):
    """Multi-layer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Each hidden layer is Linear, [BatchNorm1d if ``batchnorm``], the activation
    (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"leaky_relu"``, ``"elu"``, ``"gelu"``,
    ``"silu"`` or a Module class), [Dropout(``dropout``)]; the last layer is Linear alone.
    ``forward`` returns the **scores** (logits): training uses the fused, stable losses
    on them (:meth:`loss`). ``output`` names the task's output activation, applied by
    :meth:`predict_proba` and :meth:`predict` only: ``None`` (regression, identity),
    ``"sigmoid"`` (binary or multi-label), ``"softmax"`` (multi-class).

    Weights are drawn from ``rng`` (Generator, seed or None); Dropout draws its masks
    from the same generator object, so saving it (``fit`` does) captures the dropout
    noise too. Parameters are float64 unless ``dtype`` says otherwise.
    """

    def __init__(self, sizes: Sequence[int], activation: Any = "relu", output: str | None = None,
                 dropout: float = 0.0, batchnorm: bool = False, *, rng: RNGLike = None,
                 dtype: Any = np.float64) -> None:
        sizes = check_sizes(sizes, "MLP", "sizes (input, hidden..., output)", 2)
        if output not in OUTPUTS:
            raise ConfigError(f"MLP: output must be None (regression), 'sigmoid' (binary) or "
                              f"'softmax' (multi-class); got {output!r}")
        dropout = real_number("MLP", "dropout", dropout, minimum=0, maximum=1, open_max=True,
                              advice="It is the probability of zeroing a hidden unit.")
        generator = as_generator(rng)
        super().__init__(*dense_stack(sizes, activation, "MLP", rng=generator,
                                      dtype=float_dtype(dtype, "MLP"), dropout=dropout,
                                      batchnorm=flag("MLP", "batchnorm", batchnorm),
                                      last_activation=False))
        self.sizes, self.output = sizes, output
        self.rng = generator

    def loss(self, x: Any, target: Any) -> Tensor:
        """The task's loss on the scores: cross-entropy on integer labels (softmax),
        binary cross-entropy with logits (sigmoid), mean squared error (regression).
        Targets have the scores' shape (N, outputs); with one output unit, (N,) too."""
        scores = self(as_input(x, self[0].weight.dtype))
        if self.output == "softmax":
            return F.cross_entropy(scores, target)
        target = np.asarray(target)
        if target.shape == scores.shape[:-1] and scores.shape[-1] == 1:
            target = target[..., None]  # (N,) targets for one output unit
        elif target.shape != scores.shape:  # not reshaped: that would pair the wrong values
            transposed = target.ndim == 2 and target.shape == scores.shape[::-1]
            raise ShapeError(
                f"MLP.loss: the target's shape {target.shape} does not match the scores' "
                f"shape {scores.shape}; give one row of targets per sample, shape "
                f"{scores.shape}" + (f" or {scores.shape[:-1]}" if scores.shape[-1] == 1
                                     else "") + "."
                + (" This target looks transposed: pass target.T." if transposed else ""))
        if self.output == "sigmoid":
            return F.binary_cross_entropy_with_logits(scores, target)
        return F.mse_loss(scores, target)

    def predict_proba(self, x: Any) -> np.ndarray:
        """The output activation applied to the scores, in evaluation mode without a
        graph: class probabilities for softmax/sigmoid, the values for regression."""
        with Inference(self):
            scores = self(as_input(x, self[0].weight.dtype))
            if self.output == "softmax":
                scores = F.softmax(scores, axis=-1)
            elif self.output == "sigmoid":
                scores = F.sigmoid(scores)
            return scores.data

    def predict(self, x: Any) -> np.ndarray:
        """Class labels (argmax for softmax, p >= 0.5 for a single sigmoid unit, one
        0/1 column per unit for several) or, for regression, the values."""
        out = self.predict_proba(x)
        if self.output == "softmax":
            return out.argmax(axis=-1)
        if self.output == "sigmoid":
            labels = (out >= 0.5).astype(np.int64)
            return labels[..., 0] if labels.shape[-1] == 1 else labels
        return out

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, output={self.output!r}"
