"""Losses as modules: ``criterion = CrossEntropyLoss(); loss = criterion(logits, labels)``.

Each wraps the function of the same name in ``nn.functional`` (see it for the math) and
checks ``reduction`` ("mean", "sum" or "none") when it is built. Names and defaults
follow PyTorch; so do the deprecated ``size_average`` / ``reduce`` (keyword-only here), on
the modules PyTorch gives them to: they replace ``reduction`` by PyTorch's rule, with its
``UserWarning`` (see ``nn.functional.loss_base``).
"""

from __future__ import annotations

import inspect
from typing import Any

from autograd import Tensor

from . import functional as F
from .functional.loss_base import (check_number, check_reduction, init_stacklevel,
                                   legacy_reduction)
from .functional.weighted import check_ignore_index, check_label_smoothing, weight_values
from ._checks import flag, integer, real_number
from .errors import ArgumentTypeError
from .module import Module

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "NLLLoss", "GaussianKLLoss", "GaussianKLDivLoss",
           "BernoulliKLLoss", "GaussianNLLLoss", "PoissonNLLLoss", "MarginRankingLoss",
           "HingeEmbeddingLoss", "SoftMarginLoss", "MultiMarginLoss",
           "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss"]


class _Loss(Module):
    """A loss module: holds ``reduction`` and calls ``function(input, target, ...)``.
    ``size_average`` / ``reduce`` (PyTorch's deprecated pair, None unless given) replace
    ``reduction`` by PyTorch's rule, with its warning. An argument given both by
    position and by keyword (PyTorch's positional order with a keyword, e.g.
    ``CrossEntropyLoss(w, reduction="sum")``) raises ``ArgumentTypeError``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if args and kwargs:  # checked here: Python's bare TypeError comes before __init__
            _refuse_given_twice(cls, args, kwargs)
        return super().__new__(cls)

    def __init__(self, reduction: str = "mean", *, size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        if size_average is not None or reduce is not None:
            reduction = legacy_reduction(name, reduction, size_average, reduce,
                                         stacklevel=init_stacklevel(self))
        check_reduction(name, reduction)
        self.reduction = reduction


def _refuse_given_twice(cls: type, args: tuple, kwargs: dict) -> None:
    """``ArgumentTypeError`` when a keyword of ``kwargs`` names a parameter of
    ``cls.__init__`` that ``args`` already fill by position: PyTorch's order is not this
    one in several losses (weight first in cross-entropy, NLL and BCE; HuberLoss's
    reduction before delta), so its positional calls shift."""
    params = inspect.signature(cls.__init__).parameters
    positional = [p.name for p in params.values()
                  if p.kind is p.POSITIONAL_OR_KEYWORD][1:]  # without self
    twice = [name for name in positional[:len(args)] if name in kwargs]
    if not twice:
        return
    name, given = cls.__name__, positional.index(twice[0])
    example = ("weight=w, reduction='sum'" if "weight" in params
               else ", ".join(f"{p}=..." for p in positional))
    raise ArgumentTypeError(
        f"{name}: {twice[0]} was given twice, by position (argument {given + 1}, of type "
        f"{type(args[given]).__name__}) and as {twice[0]}=. The positional parameters "
        f"here are ({', '.join(positional)}); PyTorch's order differs in several losses "
        f"(weight first in its cross-entropy, NLL and BCE losses, reduction before delta "
        f"in HuberLoss). Pass the arguments by keyword, e.g. {name}({example}).")


class MSELoss(_Loss):
    """Mean squared error, (input - target)^2 reduced."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (MAE), |input - target| reduced."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """Huber loss: quadratic for |d| <= delta, linear beyond."""

    def __init__(self, delta: float = 1.0, reduction: str = "mean") -> None:
        delta = check_number("HuberLoss", "delta", delta, minimum=0, open_min=True,
                             finite=False)  # first: a reduction here has the better hint
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.huber_loss(input, target, self.delta, self.reduction)


class SmoothL1Loss(_Loss):
    """PyTorch's smooth L1: d^2 / (2 beta) for |d| < beta, |d| - beta / 2 beyond."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0, *,
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        beta = check_number("SmoothL1Loss", "beta", beta, minimum=0, finite=False)
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)


class _WeightedLoss(_Loss):
    """A loss taking PyTorch's ``weight`` (keyword-only: ``reduction`` stays first). The
    weight is checked against the input at the first call. It is a buffer, as in
    PyTorch: in ``state_dict()``, cast by ``.to()`` / ``.float()`` / ``.double()``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None,
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.register_buffer("weight", None if weight is None else weight_values(
            type(self).__name__, "weight", weight))


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (logs clamped at -100)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction, weight=self.weight)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy on logits (sigmoid fused in, stable for any logit);
    ``pos_weight`` scales the positive term (e.g. negatives / positives per class); a
    buffer, as ``weight``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None,
                 pos_weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__(reduction, weight=weight, size_average=size_average, reduce=reduce)
        self.register_buffer("pos_weight", None if pos_weight is None else weight_values(
            "BCEWithLogitsLoss", "pos_weight", pos_weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction,
                                                  weight=self.weight,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits (N, C) with integer labels (N,) or probability
    targets (N, C); PyTorch's ``weight``, ``ignore_index``, ``label_smoothing``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None,
                 ignore_index: int = -100, label_smoothing: float = 0.0,
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        super().__init__(reduction, weight=weight, size_average=size_average, reduce=reduce)
        self.ignore_index = check_ignore_index("CrossEntropyLoss", ignore_index)
        self.label_smoothing = check_label_smoothing("CrossEntropyLoss", label_smoothing)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction, weight=self.weight,
                               ignore_index=self.ignore_index,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of integer labels under log-probabilities (N, C);
    PyTorch's ``weight`` and ``ignore_index``."""

    def __init__(self, reduction: str = "mean", *, weight: Any = None,
                 ignore_index: int = -100, size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__(reduction, weight=weight, size_average=size_average, reduce=reduce)
        self.ignore_index = check_ignore_index("NLLLoss", ignore_index)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.reduction, weight=self.weight,
                          ignore_index=self.ignore_index)


class GaussianKLLoss(_Loss):
    """The VAE term KL(N(mu, e^logvar) || N(0, I)): ``criterion(mu, logvar)``; summed
    over the latent (last) axis, reduced over the samples (mean by default)."""

    def __init__(self, reduction: str = "mean") -> None:  # no PyTorch legacy keywords
        super().__init__(reduction)

    def forward(self, mu: Any, logvar: Any) -> Tensor:
        return F.gaussian_kl(mu, logvar, self.reduction)

    def extra_repr(self) -> str:  # not a PyTorch loss: its reduction is shown
        return f"reduction={self.reduction!r}"


class GaussianKLDivLoss(_Loss):
    """KL between diagonal Gaussians: ``criterion(mu1, logvar1, mu2, logvar2)``."""

    def __init__(self, reduction: str = "mean") -> None:  # no PyTorch legacy keywords
        super().__init__(reduction)

    def forward(self, mu1: Any, logvar1: Any, mu2: Any, logvar2: Any) -> Tensor:
        return F.kl_div_gaussians(mu1, logvar1, mu2, logvar2, self.reduction)

    def extra_repr(self) -> str:  # not a PyTorch loss: its reduction is shown
        return f"reduction={self.reduction!r}"


class BernoulliKLLoss(_Loss):
    """Sparsity penalty sum_j KL(rho || rho_hat_j): ``criterion(rho_hat)`` with the
    target activation ``rho`` fixed at construction (reduction "sum" by default)."""

    def __init__(self, rho: float = 0.05, reduction: str = "sum") -> None:
        super().__init__(reduction)
        self.rho = real_number("BernoulliKLLoss", "rho", rho, minimum=0, maximum=1)

    def forward(self, rho_hat: Any) -> Tensor:
        return F.bernoulli_kl(self.rho, rho_hat, self.reduction)

    def extra_repr(self) -> str:
        return f"rho={self.rho}, reduction={self.reduction!r}"


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood: ``criterion(input, target, var)`` with a predicted
    mean ``input`` and variance ``var`` (see ``F.gaussian_nll_loss``). Keyword-only
    arguments, as PyTorch."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = flag("GaussianNLLLoss", "full", full)
        self.eps = check_number("GaussianNLLLoss", "eps", eps, minimum=0)

    def forward(self, input: Any, target: Any, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood of counts ``target`` given ``input``, a log-rate
    (``log_input=True``) or a rate (see ``F.poisson_nll_loss``)."""

    def __init__(self, log_input: bool = True, full: bool = False, *, eps: float = 1e-8,
                 reduction: str = "mean", size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.log_input = flag("PoissonNLLLoss", "log_input", log_input)
        self.full = flag("PoissonNLLLoss", "full", full)
        self.eps = check_number("PoissonNLLLoss", "eps", eps, minimum=0)

    def forward(self, log_input: Any, target: Any) -> Tensor:  # (PyTorch's names)
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps,
                                  reduction=self.reduction)


# ------------------------------------------------------------------ margin losses
class _MarginLoss(_Loss):
    """A loss with a ``margin`` (first, as PyTorch) and a keyword-only ``reduction``."""

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean",
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        margin = check_number(type(self).__name__, "margin", margin)
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.margin = margin


class MarginRankingLoss(_MarginLoss):
    """max(0, -y (x1 - x2) + margin): ``criterion(input1, input2, target)``, y in {1, -1}."""

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """x where y = 1, max(0, margin - x) where y = -1 (margin 1 by default)."""

    def __init__(self, margin: float = 1.0, *, reduction: str = "mean",
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        super().__init__(margin, reduction=reduction, size_average=size_average,
                         reduce=reduce)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1."""

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, self.margin,
                                       reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """The two-class logistic loss log(1 + e^{-y x}), y in {1, -1}."""

    def __init__(self, *, reduction: str = "mean", size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__(reduction, size_average=size_average, reduce=reduce)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class SVM hinge on scores (N, C) and labels (N,); ``weight`` (C,) is a
    buffer, as in PyTorch."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None, *,
                 reduction: str = "mean", size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        p = integer("MultiMarginLoss", "p", p, minimum=1, maximum=2,
                    advice="Only 1 and 2 are supported, as in PyTorch.")
        margin = check_number("MultiMarginLoss", "margin", margin)
        super().__init__(reduction, weight=weight, size_average=size_average, reduce=reduce)
        self.p, self.margin = p, margin

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight,
                                   reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Per-label logistic loss on logits (N, C) and 0/1 targets (N, C), averaged over the
    labels; ``weight`` (broadcast to the input) is a buffer."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean",
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        super().__init__(reduction, weight=weight, size_average=size_average, reduce=reduce)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, self.weight,
                                             reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, d(a, pos) - d(a, neg) + margin) with the p-norm distance:
    ``criterion(anchor, positive, negative)``."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, *, reduction: str = "mean",
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        name = "TripletMarginLoss"
        margin = check_number(name, "margin", margin, minimum=0, open_min=True)
        p = check_number(name, "p", p, minimum=0, open_min=True, finite=False)
        eps = check_number(name, "eps", eps, minimum=0)
        swap = flag(name, "swap", swap)
        super().__init__(reduction, size_average=size_average, reduce=reduce)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p,
                                     self.eps, self.swap, reduction=self.reduction)
