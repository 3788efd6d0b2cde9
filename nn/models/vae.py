"""``VAE``: the variational autoencoder of the notes, with the reparameterisation
z = mu + sigma * eps, eps ~ N(0, I), sigma = exp(logvar / 2)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor
from autograd.errors import ShapeError

from .. import functional as F
from .._checks import integer, is_real, real_number
from .._random import RNGLike, as_generator
from ..containers import Sequential
from ..layers import Linear, float_dtype
from ..module import Module
from ._parts import Inference, as_input, check_size, check_sizes, dense_stack
from ..errors import ArgumentTypeError, ConfigError
from ..functional.fused import BinaryCrossEntropyWithLogits, Reparameterize

__all__ = ["VAE", "VAELoss"]

DECODERS = ("bernoulli", "gaussian")


class VAELoss(NamedTuple):
    """The negative ELBO ``loss`` = ``reconstruction`` + beta * ``kl`` (each a 0-d
    Tensor, averaged over the samples: every leading axis of the input is a batch axis)."""
    loss: Tensor
    reconstruction: Tensor
    kl: Tensor


class VAE(Module):
    """Encoder x -> hidden... -> (mu, logvar) of q(z | x) = N(mu, diag(e^logvar));
    decoder z -> hidden (reversed) -> p(x | z).

    ``decoder="bernoulli"`` (inputs in [0, 1], e.g. pixels): the decoder outputs
    logits, the reconstruction term is binary cross-entropy with logits summed over
    the features. ``"gaussian"``: the decoder outputs the mean, the term is the squared
    error summed over the features (a unit-variance Gaussian up to constants and a
    factor 1/2). The KL term is KL(q(z|x) || N(0, I)) summed over the latent axis;
    both are averaged over the samples. Inputs are (N, in_features), or (*, in_features)
    as for ``Linear``: every leading axis is a batch axis, so (T, B, F) is T*B samples.
    ``beta`` weighs the KL term (beta-VAE; the ``KLAnnealing`` callback changes it
    during training).

    The noise eps is drawn from ``self.rng`` (``rng``: Generator, seed or None), which
    ``fit`` saves with its checkpoints, or given explicitly so tests can freeze it.
    """

    def __init__(self, in_features: int, hidden: int | Sequence[int], latent: int,
                 decoder: str = "bernoulli", *, beta: float = 1.0, activation: Any = "relu",
                 rng: RNGLike = None, dtype: Any = np.float64) -> None:
        super().__init__()
        if decoder not in DECODERS:
            raise ConfigError(f"VAE: decoder must be 'bernoulli' (inputs in [0, 1]) or "
                              f"'gaussian' (real-valued inputs); got {decoder!r}")
        in_features = check_size(in_features, "VAE", "in_features")
        hidden_sizes = check_sizes(hidden, "VAE", "hidden", 1)
        latent = check_size(latent, "VAE", "latent")
        dtype = float_dtype(dtype, "VAE")
        generator = as_generator(rng)
        self.in_features, self.hidden, self.latent = in_features, hidden_sizes, latent
        self.decoder_kind = decoder
        self.beta = real_number("VAE", "beta", beta, minimum=0)
        self.encoder = Sequential(*dense_stack([in_features, *hidden_sizes], activation, "VAE",
                                               rng=generator, dtype=dtype))
        self.fc_mu = Linear(hidden_sizes[-1], latent, rng=generator, dtype=dtype)
        self.fc_logvar = Linear(hidden_sizes[-1], latent, rng=generator, dtype=dtype)
        self.decoder = Sequential(*dense_stack([latent, *hidden_sizes[::-1], in_features],
                                               activation, "VAE", rng=generator, dtype=dtype,
                                               last_activation=False))
        self.rng = generator

    @property
    def dtype(self) -> np.dtype:
        return self.fc_mu.weight.dtype

    def encode(self, x: Any) -> tuple[Tensor, Tensor]:
        """(mu, logvar) of q(z | x), each (*, latent) for x of shape (*, in_features)."""
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu: Tensor, logvar: Tensor, eps: Any = None) -> Tensor:
        """z = mu + exp(logvar / 2) * eps: dz/dmu = 1, dz/dsigma = eps, so gradients
        reach the encoder through the sample. ``eps`` defaults to N(0, I) draws from
        ``self.rng``."""
        if eps is None:
            eps = Tensor(self.rng.standard_normal(mu.shape).astype(mu.dtype, copy=False))
        if (isinstance(eps, Tensor) and eps.shape == mu.shape == logvar.shape
                and eps.dtype == mu.dtype == logvar.dtype):  # the training step: one node
            return Reparameterize.apply(mu, logvar, eps)
        return mu + (logvar * 0.5).exp() * eps  # broadcasting or promoting eps

    def decode(self, z: Any) -> Tensor:
        """The decoder's output: logits (Bernoulli) or the mean (Gaussian)."""
        return self.decoder(z)

    def forward(self, x: Any) -> tuple[Tensor, Tensor, Tensor]:
        """(logits or x_hat, mu, logvar) for one sample z of each input."""
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar

    def loss(self, x: Any, beta: float | None = None, eps: Any = None) -> VAELoss:
        """Negative ELBO = E_q[-log p(x | z)] + beta KL(q(z | x) || N(0, I)), one sample
        of z per input, averaged over the samples prod(x.shape[:-1]) (every leading axis is
        a batch axis, as in ``gaussian_kl``). ``beta`` defaults to ``self.beta``. Without
        ``eps`` the forward pass is the model's own call, ``self(x)``, so its forward
        hooks see it (``fit``'s metrics read the scores there); with ``eps`` it is run
        from ``encode``, ``reparameterize(mu, logvar, eps)`` and ``decode``."""
        data = None if beta is None or is_real(beta) else np.asarray(getattr(beta, "data", beta))
        if data is not None and data.shape == () and data.dtype.kind in "iuf":
            beta = data.item()  # a 0-d array or Tensor (a beta computed with NumPy)
        elif data is not None:
            shape = getattr(beta, "shape", None)
            raise ArgumentTypeError(
                f"VAE.loss: beta must be a number or None; got {type(beta).__name__}"
                f"{f' of shape {shape}' if shape else ''}. fit(vae, None, ...) passes the "
                f"arrays after X to vae.loss: train on X alone, fit(vae, None, optimizer, "
                f"X_train), and keep the labels for plots.")
        weight = self.beta if beta is None else real_number("VAE.loss", "beta", beta,
                                                            minimum=0)
        x = x if isinstance(x, Tensor) else as_input(x, self.dtype)
        if eps is None:
            out, mu, logvar = self(x)
        else:
            mu, logvar = self.encode(x)
            out = self.decode(self.reparameterize(mu, logvar, eps))
        n = math.prod(x.shape[:-1])  # the samples; gaussian_kl's "mean" divides by the same
        if self.decoder_kind == "gaussian":
            reconstruction = F.mse_loss(out, x, reduction="sum") / n
        elif x.ndim == 2 and n and out.shape == x.shape and out.dtype == x.dtype:
            # the training step: the sum / N as one node, with the same numbers
            reconstruction = BinaryCrossEntropyWithLogits.apply(out, x, reduction="batchmean")
        else:
            reconstruction = F.binary_cross_entropy_with_logits(out, x, reduction="sum") / n
        kl = F.gaussian_kl(mu, logvar)
        weighted = kl if weight == 1.0 else kl * weight  # beta = 1, the plain ELBO: no node
        return VAELoss(reconstruction + weighted, reconstruction, kl)

    def _mean(self, z: Any) -> np.ndarray:
        out = self.decode(z)
        return (F.sigmoid(out) if self.decoder_kind == "bernoulli" else out).data

    def sample(self, n: int) -> np.ndarray:
        """n new inputs: the decoder's mean at z ~ N(0, I) (drawn from ``self.rng``)."""
        n = integer("VAE.sample", "n", n, minimum=0)
        with Inference(self):
            z = self.rng.standard_normal((n, self.latent)).astype(self.dtype)
            return self._mean(Tensor(z))

    def reconstruct(self, x: Any) -> np.ndarray:
        """The decoder's mean at z = mu(x) (no sampling): the model's reconstruction."""
        with Inference(self):
            return self._mean(self.encode(as_input(x, self.dtype))[0])

    def interpolate(self, x1: Any, x2: Any, steps: int = 8) -> np.ndarray:
        """Decoded points on the segment between the codes mu(x1) and mu(x2) of two
        samples, each of shape (in_features,) or (1, in_features) (else ``ShapeError``):
        shape (steps, in_features), from x1's end to x2's."""
        steps = integer("VAE.interpolate", "steps", steps, minimum=0)
        pair = np.stack([self._one_sample(x1, "x1"), self._one_sample(x2, "x2")])
        with Inference(self):
            mu = self.encode(Tensor(pair))[0].data
            t = np.linspace(0.0, 1.0, steps, dtype=self.dtype)[:, None]
            return self._mean(Tensor((1 - t) * mu[0] + t * mu[1]))

    def _one_sample(self, x: Any, name: str) -> np.ndarray:
        """``x``, one sample of shape (in_features,) or (1, in_features), as a flat
        array of the model's dtype."""
        array = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=self.dtype)
        if array.shape not in ((self.in_features,), (1, self.in_features)):
            raise ShapeError(
                f"VAE.interpolate: {name} must be one sample, of shape ({self.in_features},) "
                f"or (1, {self.in_features}); got shape {array.shape}. Pass a row such as "
                f"X[0] (call interpolate once per pair of samples)")
        return array.reshape(-1)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, hidden={self.hidden}, latent={self.latent}, "
                f"decoder={self.decoder_kind!r}, beta={self.beta}")
