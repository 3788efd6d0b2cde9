"""``Autoencoder``: encoder x -> code, decoder code -> x_hat, trained to reproduce its
input; optionally sparse (an L1 or KL penalty on the code) and denoising (the input is
corrupted, the loss compares with the clean input)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor

from .. import functional as F
from .._checks import real_number
from .._random import RNGLike, as_generator
from ..containers import Sequential
from ..data.noise import gaussian_noise, masking_noise, salt_and_pepper
from ..layers import float_dtype
from ..activations import Sigmoid
from ..module import Module
from ._parts import (Inference, as_input, check_size, check_sizes, dense_stack,
                     make_activation)
from ..errors import ConfigError

__all__ = ["Autoencoder", "AutoencoderLoss"]

NOISES = {"gaussian": gaussian_noise, "masking": masking_noise,
          "salt_and_pepper": salt_and_pepper}
SPARSITIES = (None, "l1", "kl")


class AutoencoderLoss(NamedTuple):
    """``loss`` = ``reconstruction`` + ``sparsity`` (0-d Tensors)."""
    loss: Tensor
    reconstruction: Tensor
    sparsity: Tensor


class Autoencoder(Module):
    """in_features -> hidden... -> code -> hidden (reversed)... -> in_features.

    ``code_activation`` is applied to the code (default: sigmoid with ``sparsity="kl"``,
    none otherwise), ``output`` to the reconstruction (None or ``"sigmoid"`` for inputs
    in [0, 1]). The reconstruction term is the mean squared error to the **clean** input.

    Sparsity: ``"l1"`` adds ``sparsity_weight`` * mean over samples of sum_j |h_j|;
    ``"kl"`` adds ``sparsity_weight`` * sum_j KL(rho || rho_hat_j), rho_hat_j the mean
    activation of code unit j over the samples (the notes: KL(0.05 || 0.8) = 1.34).
    Inputs are (N, in_features), or (*, in_features) as for ``Linear``: every leading
    axis is a batch axis, so (T, B, F) is T*B samples.
    Denoising: ``noise`` = ``"gaussian"`` (std ``noise_level``), ``"masking"`` or
    ``"salt_and_pepper"`` (probability ``noise_level``) corrupts the input in training
    (``loss``), drawing from ``self.rng``.
    """

    def __init__(self, in_features: int, hidden: int | Sequence[int], code: int, *,
                 activation: Any = "relu", code_activation: Any = "auto",
                 output: str | None = None, sparsity: str | None = None,
                 sparsity_weight: float = 1e-3, rho: float = 0.05, noise: str | None = None,
                 noise_level: float = 0.1, rng: RNGLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        in_features = check_size(in_features, "Autoencoder", "in_features")
        hidden_sizes = check_sizes(hidden, "Autoencoder", "hidden", 0)
        code = check_size(code, "Autoencoder", "code")
        if sparsity not in SPARSITIES:
            raise ConfigError(f"Autoencoder: sparsity must be None, 'l1' or 'kl'; got "
                              f"{sparsity!r}")
        if noise is not None and noise not in NOISES:
            raise ConfigError(f"Autoencoder: noise must be None or one of {sorted(NOISES)}; "
                              f"got {noise!r}")
        if output not in (None, "sigmoid"):
            raise ConfigError(f"Autoencoder: output must be None or 'sigmoid'; got {output!r}")
        sparsity_weight = real_number("Autoencoder", "sparsity_weight", sparsity_weight,
                                      minimum=0)
        rho = real_number("Autoencoder", "rho", rho, minimum=0, maximum=1,
                          advice="It is the target mean activation of a code unit.")
        is_probability = noise in ("masking", "salt_and_pepper")
        noise_level = real_number(
            "Autoencoder", "noise_level", noise_level, minimum=0,
            maximum=1 if is_probability else None,
            advice=f"With noise={noise!r} it is the probability of corrupting an element."
            if is_probability else "")
        if isinstance(code_activation, str) and code_activation == "auto":
            code_activation = "sigmoid" if sparsity == "kl" else None
        code_module = make_activation(code_activation, "Autoencoder")
        if sparsity == "kl" and not isinstance(code_module, Sigmoid):
            raise ConfigError("Autoencoder: sparsity='kl' compares mean code activations with "
                              "the rate rho, so they must lie in (0, 1): use "
                              "code_activation='sigmoid' (or nn.Sigmoid)")
        dtype = float_dtype(dtype, "Autoencoder")
        generator = as_generator(rng)
        sizes = [in_features, *hidden_sizes, code]
        self.encoder = Sequential(*dense_stack(sizes, activation, "Autoencoder", rng=generator,
                                               dtype=dtype, last_activation=False),
                                  code_module)
        self.decoder = Sequential(*dense_stack(sizes[::-1], activation, "Autoencoder",
                                               rng=generator, dtype=dtype,
                                               last_activation=False),
                                  make_activation(output, "Autoencoder"))
        self.in_features, self.hidden, self.code = in_features, hidden_sizes, code
        self.sparsity, self.sparsity_weight = sparsity, sparsity_weight
        self.rho, self.noise, self.noise_level = rho, noise, noise_level
        self.output = output
        self.rng = generator

    @property
    def dtype(self) -> np.dtype:
        return next(self.parameters()).dtype

    def encode(self, x: Any) -> Tensor:
        """The code h of shape (*, code) for x of shape (*, in_features)."""
        return self.encoder(x)

    def decode(self, h: Any) -> Tensor:
        """The reconstruction x_hat of shape (*, in_features) for h of shape (*, code)."""
        return self.decoder(h)

    def forward(self, x: Any) -> Tensor:
        return self.decoder(self.encoder(x))

    def corrupt(self, x: Any) -> np.ndarray:
        """``x`` with this model's noise (drawn from ``self.rng``); ``x`` if noise=None."""
        array = x.data if isinstance(x, Tensor) else np.asarray(x)
        if self.noise is None:
            return array
        return NOISES[self.noise](array, self.noise_level, self.rng)

    def loss(self, x: Any) -> AutoencoderLoss:
        """Reconstruction error of the clean ``x`` from the (corrupted, in training)
        input, plus the sparsity penalty on the code."""
        clean = x if isinstance(x, Tensor) else as_input(x, self.dtype)
        inputs = Tensor(self.corrupt(clean)) if self.training and self.noise else clean
        code = self.encoder(inputs)
        reconstruction = F.mse_loss(self.decoder(code), clean)
        # one row per sample: every leading axis is a batch axis (as in Linear and mse_loss)
        rows = code.reshape(-1, code.shape[-1])
        if self.sparsity == "l1":  # no samples: the mean is NaN, like the other terms
            penalty = rows.abs().sum(axis=-1).mean() * self.sparsity_weight
        elif self.sparsity == "kl":
            penalty = F.bernoulli_kl(self.rho, rows.mean(axis=0)) * self.sparsity_weight
        else:
            penalty = Tensor(np.zeros((), dtype=reconstruction.dtype))
        return AutoencoderLoss(reconstruction + penalty, reconstruction, penalty)

    def reconstruct(self, x: Any) -> np.ndarray:
        """x_hat for ``x`` as given (no corruption), in evaluation mode, as an array."""
        with Inference(self):
            return self(as_input(x, self.dtype)).data

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, hidden={self.hidden}, code={self.code}, "
                f"sparsity={self.sparsity!r}, noise={self.noise!r}")
