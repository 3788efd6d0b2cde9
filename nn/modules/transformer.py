"""PyTorch's ``torch.nn.modules.transformer``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.transformer.TransformerEncoderLayer)``),
and ``MultiheadAttention``, which PyTorch's imports there too."""

from .. import (Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer,
                TransformerDecoderLayer, MultiheadAttention)

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer", "MultiheadAttention"]
