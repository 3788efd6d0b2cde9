"""``AdaptiveLogSoftmaxWithLoss``: PyTorch's adaptive softmax (Grave et al., 2017) for a
large number of classes, e.g. the items of a catalogue.

The classes are split by ``cutoffs`` c_1 < ... < c_k into a shortlist [0, c_1) and
clusters [c_i, c_{i+1}) (c_{k+1} = n_classes). The head, a Linear layer to
c_1 + k outputs, scores the shortlist and one entry per cluster; cluster i has its own
projection, Linear(in, in // div_value^(i+1)) then Linear to its size, both without bias.
For a target t in cluster i the log-probability is

    log p(t | x) = log_softmax(head(x))[c_1 + i - 1] + log_softmax(tail_i(x))[t - c_i]

(the head's own entry for a shortlist target), and the loss is the mean of -log p."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, cat
from autograd.errors import ShapeError, TensorIndexError

from ._checks import integer, real_number
from .containers import ModuleList, Sequential
from .errors import ConfigError
from .functional import log_softmax
from .layers import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss", "ASMoutput"]


class ASMoutput(NamedTuple):
    """What ``AdaptiveLogSoftmaxWithLoss`` returns: each target's log-probability
    (``output``) and their negated mean (``loss``), as PyTorch's ``_ASMoutput``."""

    output: Tensor
    loss: Tensor


def _checked_cutoffs(cutoffs: Any, n_classes: int) -> list[int]:
    """``cutoffs`` as a list of increasing ints in [1, n_classes - 1], else ConfigError."""
    values = list(cutoffs)
    if (values != sorted(values) or len(set(values)) != len(values) or not values
            or any(int(c) != c for c in values) or min(values) <= 0
            or max(values) > n_classes - 1):
        raise ConfigError(f"AdaptiveLogSoftmaxWithLoss: cutoffs must be unique positive "
                          f"integers in increasing order, each in [1, n_classes - 1] = "
                          f"[1, {n_classes - 1}]; got {values}")
    return [int(c) for c in values]


def _as_input(input: Any) -> Tensor:
    """``input`` as a Tensor: a Tensor as it is, a floating array keeping its dtype (float32
    data into a float32 module stays float32), anything else (lists, ints) as float64."""
    if isinstance(input, Tensor):
        return input
    values = np.asarray(input)
    return Tensor(values if values.dtype.kind == "f" else values.astype(np.float64))


def _add_at_rows(head_term: Tensor, cluster_terms: list[tuple[np.ndarray, Tensor]]
                 ) -> Tensor:
    """out[r] = head_term[r] + the cluster term of row r (none for a shortlist target), in
    the widest dtype among them: input narrower than the parameters (float32 into a
    float64 module) gives the parameters' dtype, as ``Linear`` and ``log_prob`` do."""
    dtype = np.result_type(head_term.dtype, *(term.dtype for _, term in cluster_terms))
    output = head_term if head_term.dtype == dtype else head_term.astype(dtype)
    for rows, term in cluster_terms:
        output = output.index_add(rows, term if term.dtype == dtype else term.astype(dtype))
    return output


class AdaptiveLogSoftmaxWithLoss(Module):
    """PyTorch's ``nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs,
    div_value=4.0, head_bias=False)``: ``asm(input, target)`` gives ``ASMoutput(output,
    loss)`` for input (B, in_features) and int targets (B,) (or one unbatched row);
    ``log_prob(input)`` the (B, n_classes) log-probabilities, ``predict(input)`` their
    argmax. Parameters: ``head`` and ``tail`` (a ModuleList of two-layer Sequentials), as
    PyTorch names them, so state dicts load across."""

    def __init__(self, in_features: int, n_classes: int, cutoffs: Any,
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = np.float64, *, rng: Any = None) -> None:
        super().__init__()
        owner = "AdaptiveLogSoftmaxWithLoss"
        self.in_features = integer(owner, "in_features", in_features, minimum=1)
        self.n_classes = integer(owner, "n_classes", n_classes, minimum=2)
        self.cutoffs = _checked_cutoffs(cutoffs, self.n_classes) + [self.n_classes]
        self.div_value = real_number(owner, "div_value", div_value, minimum=0, open_min=True,
                                     advice="Cluster i's hidden size is in_features // "
                                            "div_value ** (i + 1).")
        self.head_bias = bool(head_bias)
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias,
                           device=device, dtype=dtype, rng=rng)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            scale = self.div_value ** (i + 1)
            if not (scale > 0 and self.in_features / scale <= 2 ** 31):  # a div_value near 0
                raise ConfigError(f"{owner}: div_value={self.div_value!r} makes cluster "
                                  f"{i}'s hidden size in_features // div_value ** {i + 1} "
                                  f"too large to build; use a div_value >= 1")
            hsz = int(self.in_features // scale)
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(
                Linear(self.in_features, hsz, bias=False, device=device, dtype=dtype, rng=rng),
                Linear(hsz, osz, bias=False, device=device, dtype=dtype, rng=rng)))

    def reset_parameters(self) -> None:
        """Draw new weights for the head and every cluster's projections."""
        for module in [self.head, *[layer for seq in self.tail for layer in seq]]:
            module.reset_parameters()

    def forward(self, input_: Any, target_: Any) -> ASMoutput:  # (PyTorch's names)
        """Each target's log-probability and the loss, their negated mean."""
        x = _as_input(input_)
        t = np.asarray(getattr(target_, "data", target_))
        batched = t.ndim == 1
        if t.ndim > 1 or x.ndim != t.ndim + 1 or (batched and x.shape[0] != t.shape[0]):
            raise ShapeError(f"AdaptiveLogSoftmaxWithLoss: input and target must be (B, "
                             f"in_features) and (B,), or (in_features,) and a 0-d target; "
                             f"got {x.shape} and {t.shape}")
        if not batched:
            x, t = x.reshape(1, -1), t.reshape(1)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise TensorIndexError(f"AdaptiveLogSoftmaxWithLoss: targets must be in [0, "
                                   f"{self.n_classes - 1}]; got values in [{t.min()}, "
                                   f"{t.max()}]")
        head_index, cluster_terms = self._cluster_terms(x, t)
        head_logprob = log_softmax(self.head(x), dim=1)
        head_term = head_logprob.gather(1, Tensor(head_index.reshape(-1, 1))).reshape(-1)
        output = _add_at_rows(head_term, cluster_terms)
        loss = (-output).mean()
        return ASMoutput(output if batched else output.reshape(()), loss)

    def _cluster_terms(self, x: Tensor, t: np.ndarray
                       ) -> tuple[np.ndarray, list[tuple[np.ndarray, Tensor]]]:
        """For targets ``t`` of the rows of x (B, in_features): the head entry each row
        reads (its own for a shortlist target, else its cluster's c_1 + i - 1) and, per
        cluster i holding targets, (rows, log_softmax(tail_i(x[rows]))[t - c_i])."""
        head_index = t.copy()
        terms = []
        for i in range(1, len(self.cutoffs)):
            low, high = self.cutoffs[i - 1], self.cutoffs[i]
            rows = np.flatnonzero((t >= low) & (t < high))
            if rows.size == 0:
                continue
            head_index[rows] = self.shortlist_size + i - 1
            cluster_logprob = log_softmax(self.tail[i - 1](x[rows]), dim=1)
            local = cluster_logprob.gather(1, Tensor((t[rows] - low).reshape(-1, 1)))
            terms.append((rows, local.reshape(-1)))
        return head_index, terms

    def log_prob(self, input: Any) -> Tensor:
        """The (B, n_classes) log-probabilities of every class (a 1-d input: (n_classes,))."""
        x = _as_input(input)
        rows = x if x.ndim == 2 else x.reshape(1, -1)
        head_logprob = log_softmax(self.head(rows), dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = log_softmax(self.tail[i](rows), dim=1)
            entry = self.shortlist_size + i
            parts.append(cluster_logprob + head_logprob[:, entry:entry + 1])
        out = cat(parts, dim=1)
        return out if x.ndim == 2 else out.reshape(-1)

    def predict(self, input: Any) -> Tensor:
        """The most likely class of each row (int64)."""
        return self.log_prob(input).argmax(dim=-1)
