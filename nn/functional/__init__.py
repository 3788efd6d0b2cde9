"""Activations, losses, divergences and penalties as functions of Tensors.

Use as ``import nn.functional as F``. Everything here is differentiable (also to second
order), takes an ``axis`` where it needs one (NumPy's word for PyTorch's ``dim``), keeps
float32 inputs float32, and depends only on ``autograd`` and NumPy.

The affine map ``linear`` (fused, as the ``Linear`` layer uses it).
Activations: ``step``, ``heaviside``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``,
``prelu``, ``elu``, ``gelu``, ``silu``, ``swish``, ``softmax``, ``log_softmax``.
Losses (``reduction="mean"|"sum"|"none"``): ``mse_loss``, ``l1_loss``, ``huber_loss``,
``binary_cross_entropy``, ``binary_cross_entropy_with_logits``, ``cross_entropy``,
``nll_loss``; divergences ``gaussian_kl``, ``kl_div`` (= ``kl_div_gaussians``: two
diagonal Gaussians; unlike PyTorch's ``kl_div``, which takes log-probabilities),
``bernoulli_kl``;
penalties ``l1_penalty``, ``l2_penalty``, ``elastic_net_penalty``.
The error function ``erf`` (NumPy has none) is in ``nn.functional.special``.
"""

from .activations import (elu, gelu, heaviside, leaky_relu, log_softmax, prelu, relu,
                          sigmoid, silu, softmax, step, swish, tanh)
from .divergences import bernoulli_kl, gaussian_kl, kl_div_gaussians

kl_div = kl_div_gaussians  # the name for the KL between two diagonal Gaussians
from .linear import linear
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                     cross_entropy, huber_loss, l1_loss, mse_loss, nll_loss)
from .penalties import elastic_net_penalty, l1_penalty, l2_penalty

__all__ = [
    "linear",
    # activations
    "step", "heaviside", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu",
    "silu", "swish", "softmax", "log_softmax",
    # losses
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    # divergences
    "gaussian_kl", "kl_div", "kl_div_gaussians", "bernoulli_kl",
    # penalties
    "l1_penalty", "l2_penalty", "elastic_net_penalty",
]
