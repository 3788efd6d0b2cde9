"""The Transformer encoder, as PyTorch's: ``TransformerEncoderLayer`` (self-attention and
a feed-forward block, each with a residual connection and layer normalisation),
``TransformerEncoder`` (a stack of copies of one layer) and
``generate_square_subsequent_mask`` (the causal mask, PyTorch's
``nn.Transformer.generate_square_subsequent_mask``).

Parameter names and shapes are PyTorch's (``self_attn.in_proj_weight``, ``linear1.weight``,
``norm1.weight``, ``layers.0.…``), so a PyTorch state dict loads.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError

from . import functional as F
from ._checks import flag, integer, is_cpu, real_number
from ._random import RNGLike, as_generator, default_generator
from .attention import MultiheadAttention
from .containers import ModuleList
from .errors import ArgumentTypeError, ConfigError
from .functional.multi_head_attention import canonical_masks
from .layers import Dropout, Linear, factory_dtype
from .module import Module
from .normalization import LayerNorm
from .torch_dtypes import refuse_torch_dtype

__all__ = ["TransformerLayer", "TransformerEncoderLayer", "TransformerEncoder",
           "generate_square_subsequent_mask"]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def generate_square_subsequent_mask(sz: int, device: Any = None,
                                    dtype: Any = None) -> Tensor:
    """The (sz, sz) causal mask, so query i attends to keys 0..i (PyTorch's
    ``nn.Transformer.generate_square_subsequent_mask``): float (float64 unless ``dtype``
    is given) 0 on and below the diagonal and -inf above; with ``dtype=bool`` True above
    the diagonal (the keys not attended to). ``device`` may only be None or "cpu"."""
    owner = "generate_square_subsequent_mask"
    sz = integer(owner, "sz", sz, minimum=0)
    if not is_cpu(device):
        raise ConfigError(f"{owner}: only the CPU is offered (device=None or 'cpu'); got "
                          f"device={device!r}")
    kinds = "floating (np.float16, np.float32 or np.float64) or bool"
    refuse_torch_dtype(owner, dtype, f"The mask's dtype must be {kinds}.")
    try:
        mask_dtype = np.dtype(np.float64 if dtype is None else dtype)
    except TypeError:
        mask_dtype = None
    if mask_dtype == np.bool_:
        return Tensor(np.triu(np.ones((sz, sz), np.bool_), k=1))
    if mask_dtype not in (np.float16, np.float32, np.float64):
        raise DTypeError(f"{owner}: the mask's dtype must be {kinds}; got dtype={dtype!r}")
    return Tensor(np.triu(np.full((sz, sz), -np.inf, mask_dtype), k=1))


def _activation(activation: Any, name: str = "TransformerEncoderLayer"
                ) -> Callable[[Any], Any]:
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ConfigError(f"{name}: activation must be 'relu', 'gelu' or a callable "
                              f"(e.g. nn.GELU(approximate='tanh')); got {activation!r}")
        return _ACTIVATIONS[activation]
    if not callable(activation):
        raise ArgumentTypeError(f"{name}: activation must be 'relu', 'gelu' or a callable; "
                                f"got {type(activation).__name__}")
    return activation


class TransformerLayer(Module):
    """What the encoder and decoder layers share: their sub-modules, registered in
    PyTorch's order (the attentions, ``linear1``, ``dropout``, ``linear2``, ``norm1``...,
    ``dropout1``...: one norm and one dropout per residual block), ``batch_first``, and
    the self-attention and feed-forward blocks. The layers (and ``Transformer``) take
    PyTorch's ``device`` (the CPU) and ``dtype`` (float64 by default) in its positions."""

    def _build(self, name: str, attentions: tuple[str, ...], blocks: int, d_model: int,
               nhead: int, dim_feedforward: int, dropout: float, activation: Any,
               layer_norm_eps: float, batch_first: bool, norm_first: bool, bias: bool,
               device: Any, dtype: Any, rng: RNGLike) -> None:
        dtype = factory_dtype(name, device, dtype)
        d_model = integer(name, "d_model", d_model, minimum=1)
        dim_feedforward = integer(name, "dim_feedforward", dim_feedforward, minimum=1)
        dropout = real_number(name, "dropout", dropout, minimum=0, maximum=1,
                              advice="dropout is the probability of zeroing an element.")
        generator = as_generator(rng)
        for attention in attentions:
            setattr(self, attention, MultiheadAttention(
                d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                rng=generator, dtype=dtype))
        self.linear1 = Linear(d_model, dim_feedforward, bias, rng=generator, dtype=dtype)
        self.dropout = Dropout(dropout, rng=generator)
        self.linear2 = Linear(dim_feedforward, d_model, bias, rng=generator, dtype=dtype)
        self.norm_first = flag(name, "norm_first", norm_first)
        for k in range(1, blocks + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, layer_norm_eps, bias=bias,
                                                dtype=dtype))
        for k in range(1, blocks + 1):
            setattr(self, f"dropout{k}", Dropout(dropout, rng=generator))
        self.activation = _activation(activation, name)

    @property
    def batch_first(self) -> bool:
        """Whether inputs are (N, length, d_model), as the attention's ``batch_first``."""
        return self.self_attn.batch_first

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor, dropout: Module) -> Tensor:
        """linear2(dropout(activation(linear1(x)))), then the block's own ``dropout``."""
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoderLayer(TransformerLayer):
    """Self-attention, then a feed-forward block, PyTorch's ``nn.TransformerEncoderLayer``:

        x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(ff(x)))

    with ff(x) = linear2(dropout(activation(linear1(x)))); with ``norm_first`` the norms
    go first: x = x + dropout1(self_attn(norm1(x))), x = x + dropout2(ff(norm2(x))).
    ``layer(src, src_mask=None, src_key_padding_mask=None, is_causal=False)`` on
    (L, N, d_model), (N, L, d_model) with ``batch_first``, or unbatched (L, d_model);
    the masks as ``MultiheadAttention``'s ``attn_mask`` and ``key_padding_mask``
    (boolean True = left out, or float added). Every dropout draws from ``rng`` (one
    generator for the layer, which also draws the parameters)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Any], Any] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        self._build("TransformerEncoderLayer", ("self_attn",), 2, d_model, nhead,
                    dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                    norm_first, bias, device, dtype, rng)

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        x = as_tensor(src)
        src_mask, src_key_padding_mask = canonical_masks(  # PyTorch's mismatch warning
            src_mask, src_key_padding_mask, x.dtype, ("src_key_padding_mask", "src_mask"))
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))


def _check_modules(name: str, layer: Any, norm: Any, layer_name: str, example: str) -> None:
    """A named ArgumentTypeError unless ``layer`` is a Module and ``norm`` one or None."""
    if not isinstance(layer, Module):
        raise ArgumentTypeError(f"{name}: {layer_name} must be a Module (e.g. {example}); "
                                f"got {type(layer).__name__}")
    if norm is not None and not isinstance(norm, Module):
        raise ArgumentTypeError(f"{name}: norm must be a Module (e.g. nn.LayerNorm(d_model)) "
                                f"or None; got {type(norm).__name__}")


def _clones(layer: Module, n: int) -> list[Module]:
    """``n`` deep copies of ``layer``, as PyTorch's; each copy's generators are new ones
    seeded from the layer's (so the copies drop different elements), except nn's default
    generator, which they share (so ``nn.manual_seed`` still steers them)."""
    generators = {id(value): value for module in layer.modules()
                  for value in vars(module).values()
                  if isinstance(value, np.random.Generator)}
    copies = []
    for _ in range(n):
        memo: dict[int, Any] = {
            key: g if g is default_generator() else np.random.default_rng(
                int(g.integers(2 ** 63))) for key, g in generators.items()}
        copies.append(copy.deepcopy(layer, memo))
    return copies


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` applied in turn, then ``norm`` if
    given, PyTorch's ``nn.TransformerEncoder``: ``encoder(src, mask=None,
    src_key_padding_mask=None, is_causal=None)`` passes the masks to every layer.
    Each copy starts with the layer's parameters (as PyTorch) and draws its dropout
    from its own generator seeded from the layer's (nn's default one stays shared).
    ``enable_nested_tensor`` and ``mask_check`` are accepted and change nothing (PyTorch's
    speed-ups; its nested-tensor path, taken in inference without gradients, returns
    zeros at padded positions, which ours computes as in training); ``is_causal`` is
    PyTorch's hint that ``mask`` is causal."""

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        name = "TransformerEncoder"
        _check_modules(name, encoder_layer, norm, "encoder_layer",
                       "nn.TransformerEncoderLayer(d_model, nhead)")
        self.num_layers = integer(name, "num_layers", num_layers, minimum=0)
        self.enable_nested_tensor = flag(name, "enable_nested_tensor", enable_nested_tensor)
        self.mask_check = flag(name, "mask_check", mask_check)
        self.layers = ModuleList(_clones(encoder_layer, self.num_layers))
        self.norm = norm

    def forward(self, src: Any, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        if is_causal is not None:
            is_causal = flag("TransformerEncoder", "is_causal", is_causal)
        output = as_tensor(src)
        mask, src_key_padding_mask = canonical_masks(  # PyTorch's mismatch warning, once
            mask, src_key_padding_mask, output.dtype, ("src_key_padding_mask", "mask"))
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                           is_causal=bool(is_causal))
        return output if self.norm is None else self.norm(output)
