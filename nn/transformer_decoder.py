"""The Transformer decoder, as PyTorch's: ``TransformerDecoderLayer`` (self-attention,
attention over the encoder's output ``memory`` and a feed-forward block, each with a
residual connection and layer normalisation), ``TransformerDecoder`` (a stack of
copies of one layer) and ``Transformer`` (an encoder and a decoder).

Parameter names and shapes are PyTorch's (``self_attn.in_proj_weight``,
``multihead_attn.out_proj.weight``, ``norm3.bias``, ``layers.0.…``), so a PyTorch state
dict loads.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from . import init
from ._checks import flag, integer
from ._random import RNGLike, as_generator
from .containers import ModuleList
from .layers import factory_dtype
from .module import Module
from .normalization import LayerNorm
from .transformer import (TransformerEncoder, TransformerEncoderLayer, TransformerLayer,
                          _check_modules, _clones, generate_square_subsequent_mask)

__all__ = ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]


class TransformerDecoderLayer(TransformerLayer):
    """Self-attention, attention over ``memory``, then a feed-forward block, PyTorch's
    ``nn.TransformerDecoderLayer``:

        x = norm1(x + dropout1(self_attn(x)))
        x = norm2(x + dropout2(multihead_attn(x, memory)))
        x = norm3(x + dropout3(ff(x)))

    with ff(x) = linear2(dropout(activation(linear1(x)))); with ``norm_first`` each norm
    goes first (x = x + dropout1(self_attn(norm1(x))), and so on).
    ``layer(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)`` on
    tgt (T, N, d_model) and memory (S, N, d_model), batch first with ``batch_first``, or
    unbatched (T, d_model) and (S, d_model); the masks as ``MultiheadAttention``'s
    ``attn_mask`` and ``key_padding_mask`` (boolean True = left out, or float added), the
    ``*_is_causal`` flags its ``is_causal`` hint. Every dropout draws from ``rng`` (one
    generator for the layer, which also draws the parameters)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Any], Any] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        self._build("TransformerDecoderLayer", ("self_attn", "multihead_attn"), 3, d_model,
                    nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                    norm_first, bias, device, dtype, rng)

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        x, memory = as_tensor(tgt), as_tensor(memory)
        self_masks = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        memory_masks = (memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), *self_masks)
            x = x + self._mha_block(self.norm2(x), memory, *memory_masks)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._sa_block(x, *self_masks))
        x = self.norm2(x + self._mha_block(x, memory, *memory_masks))
        return self.norm3(x + self._ff_block(x, self.dropout3))

    def _mha_block(self, x: Tensor, memory: Tensor, attn_mask: Any, key_padding_mask: Any,
                   is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, need_weights=False,
                                is_causal=is_causal)[0]
        return self.dropout2(x)



class TransformerDecoder(Module):
    """``num_layers`` deep copies of ``decoder_layer`` applied in turn, then ``norm`` if
    given, PyTorch's ``nn.TransformerDecoder``: ``decoder(tgt, memory, tgt_mask=None,
    memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    tgt_is_causal=None, memory_is_causal=False)`` passes ``memory`` and the masks to
    every layer. Each copy starts with the layer's parameters (as PyTorch) and draws its
    dropout from its own generator seeded from the layer's (nn's default one stays
    shared); ``tgt_is_causal`` is PyTorch's hint that ``tgt_mask`` is causal."""

    def __init__(self, decoder_layer: Module, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        name = "TransformerDecoder"
        _check_modules(name, decoder_layer, norm, "decoder_layer",
                       "nn.TransformerDecoderLayer(d_model, nhead)")
        self.num_layers = integer(name, "num_layers", num_layers, minimum=0)
        self.layers = ModuleList(_clones(decoder_layer, self.num_layers))
        self.norm = norm

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        if tgt_is_causal is not None:
            tgt_is_causal = flag("TransformerDecoder", "tgt_is_causal", tgt_is_causal)
        output, memory = as_tensor(tgt), as_tensor(memory)
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=bool(tgt_is_causal),
                           memory_is_causal=memory_is_causal)
        return output if self.norm is None else self.norm(output)


class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al., 2017), PyTorch's ``nn.Transformer``:
    ``memory = encoder(src)``, ``output = decoder(tgt, memory)``.

    The encoder is a ``TransformerEncoder`` of ``num_encoder_layers`` copies of a
    ``TransformerEncoderLayer`` and a final ``LayerNorm``, the decoder likewise (or
    ``custom_encoder`` / ``custom_decoder`` as given); then every parameter with more than
    one axis is drawn again Xavier-uniform from ``rng``, as PyTorch does (biases and norms
    keep their start). ``model(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)`` on src (S, N, d_model)
    and tgt (T, N, d_model) (batch first with ``batch_first``, or unbatched (S, d_model),
    (T, d_model)) returns (T, N, d_model); the masks are the encoder's and decoder's.
    ``Transformer.generate_square_subsequent_mask(sz)`` is the causal mask for ``tgt_mask``.
    Parameter names are PyTorch's (``encoder.layers.0.…``, ``decoder.norm.weight``)."""

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Any], Any] = "relu",
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = "Transformer"
        dtype = factory_dtype(name, device, dtype)
        self.d_model = integer(name, "d_model", d_model, minimum=1)
        self.nhead = integer(name, "nhead", nhead, minimum=1)
        self.batch_first = flag(name, "batch_first", batch_first)
        generator = as_generator(rng)
        layer = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                 batch_first, norm_first, bias)
        if custom_encoder is None:
            layers = integer(name, "num_encoder_layers", num_encoder_layers, minimum=0)
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer, rng=generator, dtype=dtype), layers,
                LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype))
        else:
            _check_modules(name, custom_encoder, None, "custom_encoder",
                           "nn.TransformerEncoder(layer, num_layers)")
            self.encoder = custom_encoder
        if custom_decoder is None:
            layers = integer(name, "num_decoder_layers", num_decoder_layers, minimum=0)
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer, rng=generator, dtype=dtype), layers,
                LayerNorm(d_model, layer_norm_eps, bias=bias, dtype=dtype))
        else:
            _check_modules(name, custom_decoder, None, "custom_decoder",
                           "nn.TransformerDecoder(layer, num_layers)")
            self.decoder = custom_decoder
        # without rng= the override-friendly call, PyTorch's _reset_parameters(self)
        self._reset_parameters() if rng is None else self._reset_parameters(generator)

    def _reset_parameters(self, rng: RNGLike = None) -> None:
        """PyTorch's start: Xavier-uniform for every parameter of more than one axis."""
        generator = as_generator(rng)
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p, rng=generator)

    def forward(self, src: Any, tgt: Any, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        src, tgt = as_tensor(src), as_tensor(tgt)
        self._check_inputs(src, tgt)
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    def _check_inputs(self, src: Tensor, tgt: Tensor) -> None:
        """A named ShapeError unless src and tgt are both batched (3-d) with one batch size
        or both unbatched (2-d), with d_model features."""
        layout = "(N, length, d_model)" if self.batch_first else "(length, N, d_model)"
        if src.ndim not in (2, 3) or tgt.ndim != src.ndim:
            raise ShapeError(f"Transformer: src and tgt must both be 3-d {layout} "
                             f"(batch_first={self.batch_first}) or both 2-d (length, d_model);"
                             f" got shapes {src.shape} and {tgt.shape}")
        axis = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[axis] != tgt.shape[axis]:
            raise ShapeError(f"Transformer: src and tgt need the same batch size (axis {axis},"
                             f" batch_first={self.batch_first}); got shapes {src.shape} and "
                             f"{tgt.shape}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ShapeError(f"Transformer: src and tgt need d_model={self.d_model} features "
                             f"on their last axis; got shapes {src.shape} and {tgt.shape}")
