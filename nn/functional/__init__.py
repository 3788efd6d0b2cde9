"""Activations, losses, divergences and penalties as functions of Tensors.

Use as ``import nn.functional as F``. Everything here is differentiable (also to second
order), takes an ``axis`` where it needs one (NumPy's word for PyTorch's ``dim``), keeps
float32 inputs float32, and depends only on ``autograd`` and NumPy.

The affine map ``linear`` (fused, as the ``Linear`` layer uses it), ``dropout``,
``alpha_dropout``, channel-wise ``dropout1d/2d/3d`` and ``feature_alpha_dropout``,
``embedding`` (rows of a weight picked by integer indices), ``embedding_bag`` (their
sum, mean or max per bag), ``pad`` (PyTorch's order),
``scaled_dot_product_attention`` (softmax(Q K^T / sqrt(E) + M) V),
``multi_head_attention_forward`` (``nn.MultiheadAttention``'s forward, weights given).
Convolution and pooling (im2col, one windows op; each in 1-, 2- and 3-d): ``conv1d``,
``conv2d``, ``conv3d``, ``conv_transpose1d/2d/3d``, ``max_pool1d/2d/3d``,
``max_unpool1d/2d/3d``, ``avg_pool1d/2d/3d``, ``adaptive_avg_pool1d/2d/3d``,
``adaptive_max_pool1d/2d/3d``, ``lp_pool1d/2d/3d``; resizing: ``interpolate`` (and its
deprecated names ``upsample``, ``upsample_bilinear``, ``upsample_nearest``); rearranging:
``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``; sliding blocks as columns:
``unfold`` and its adjoint ``fold``; the spatial transformer's ``affine_grid`` and
``grid_sample``.
Activations: ``step``, ``heaviside``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``,
``prelu``, ``elu``, ``gelu``, ``silu``, ``swish``, ``softmax``, ``log_softmax``,
``softplus``, ``logsigmoid``, ``hardtanh``; and (``more_activations``) ``relu6``, ``selu``,
``celu``, ``mish``, ``hardsigmoid``, ``hardswish``, ``softsign``, ``softmin``, ``glu``,
``hardshrink``, ``softshrink``, ``tanhshrink``, ``threshold``, ``rrelu``,
``gumbel_softmax`` (a relaxed categorical sample; ``hard=True``: straight-through); in
place (``inplace_activations``): ``relu_``, ``elu_``, ``leaky_relu_``, ``hardtanh_``,
``selu_``, ``celu_``, ``threshold_``, ``rrelu_``.
Normalisation (what ``nn.LayerNorm`` / ``nn.BatchNorm1d/2d/3d`` / ``nn.GroupNorm`` /
``nn.InstanceNorm1d/2d/3d`` / ``nn.RMSNorm`` / ``nn.LocalResponseNorm`` call):
``layer_norm``, ``batch_norm``, ``group_norm``, ``instance_norm``, ``rms_norm``,
``local_response_norm``.
Losses (``reduction="mean"|"sum"|"none"``): ``mse_loss``, ``l1_loss``, ``huber_loss``,
``smooth_l1_loss``, ``binary_cross_entropy``, ``binary_cross_entropy_with_logits``,
``cross_entropy``, ``nll_loss``, ``gaussian_nll_loss``, ``poisson_nll_loss``,
``ctc_loss`` (connectionist temporal classification);
margin losses ``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``,
``multi_margin_loss``, ``multilabel_soft_margin_loss``, ``multilabel_margin_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss``, ``triplet_margin_with_distance_loss``;
divergences ``kl_div`` (PyTorch's, on log-probabilities; with four tensors the KL between
two diagonal Gaussians, ``kl_div_gaussians``), ``gaussian_kl``, ``bernoulli_kl``;
penalties ``l1_penalty``, ``l2_penalty``, ``elastic_net_penalty``; vectors ``one_hot``,
``normalize``, ``cosine_similarity``, ``pairwise_distance``, ``pdist``, ``bilinear``.
The error function ``erf`` (NumPy has none) is in ``nn.functional.special``.
"""

from .activations import (elu, gelu, hardtanh, heaviside, leaky_relu, log_softmax,
                          logsigmoid, prelu, relu, sigmoid, silu, softmax, softplus, step,
                          swish, tanh)
from .more_activations import (celu, glu, gumbel_softmax, hardshrink, hardsigmoid, hardswish,
                               mish, relu6, rrelu, selu, softmin, softshrink, softsign,
                               tanhshrink, threshold)
from .inplace_activations import (celu_, elu_, hardtanh_, leaky_relu_, relu_, rrelu_, selu_,
                                  threshold_)
from .attention import scaled_dot_product_attention
from .multi_head_attention import multi_head_attention_forward
from .conv import conv1d, conv2d, conv3d
from .ctc import ctc_loss
from .conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .divergences import bernoulli_kl, gaussian_kl, kl_div, kl_div_gaussians
from .dropout import (alpha_dropout, dropout, dropout1d, dropout2d, dropout3d,
                      feature_alpha_dropout)
from .embedding import embedding
from .embedding_bag import embedding_bag
from .linear import linear
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm,
                            local_response_norm, rms_norm)
from .likelihood_losses import gaussian_nll_loss, poisson_nll_loss
from .margin_losses import (cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,
                            multi_margin_loss, multilabel_margin_loss,
                            multilabel_soft_margin_loss, soft_margin_loss, triplet_margin_loss,
                            triplet_margin_with_distance_loss)
from .padding import pad
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                     cross_entropy, huber_loss, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d,
                      adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d,
                      avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d)
from .lp_pooling import lp_pool1d, lp_pool2d, lp_pool3d
from .fractional_pooling import fractional_max_pool2d, fractional_max_pool3d
from .pooling_with_indices import (adaptive_max_pool1d_with_indices,
                                   adaptive_max_pool2d_with_indices,
                                   adaptive_max_pool3d_with_indices,
                                   fractional_max_pool2d_with_indices,
                                   fractional_max_pool3d_with_indices, max_pool1d_with_indices,
                                   max_pool2d_with_indices, max_pool3d_with_indices)
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d
from .upsampling import interpolate, upsample, upsample_bilinear, upsample_nearest
from .shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle
from .fold import fold, unfold
from .grid_sample import affine_grid, grid_sample
from .penalties import elastic_net_penalty, l1_penalty, l2_penalty
from .vectors import bilinear, cosine_similarity, normalize, one_hot, pairwise_distance, pdist

__all__ = [
    "linear", "dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
    "feature_alpha_dropout", "embedding", "embedding_bag", "pad", "scaled_dot_product_attention",
    "multi_head_attention_forward",
    # convolution and pooling
    "conv1d", "conv2d", "conv3d", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_unpool1d", "max_unpool2d", "max_unpool3d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "fractional_max_pool2d",
    "fractional_max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
    "interpolate", "upsample", "upsample_bilinear", "upsample_nearest",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "unfold", "fold",
    "affine_grid", "grid_sample",
    # activations
    "step", "heaviside", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu",
    "silu", "swish", "softmax", "log_softmax", "softplus", "logsigmoid", "hardtanh",
    "relu6", "selu", "celu", "mish", "hardsigmoid", "hardswish", "softsign", "softmin", "glu",
    "hardshrink", "softshrink", "tanhshrink", "threshold", "rrelu", "gumbel_softmax",
    "relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_", "rrelu_",
    # normalisation
    "layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm",
    # losses
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "gaussian_nll_loss",
    "poisson_nll_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multi_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss",
    "ctc_loss",
    # divergences
    "gaussian_kl", "kl_div", "kl_div_gaussians", "bernoulli_kl",
    # penalties
    "l1_penalty", "l2_penalty", "elastic_net_penalty",
    # vectors
    "one_hot", "normalize", "cosine_similarity", "pairwise_distance", "pdist", "bilinear",
]
