"""PyTorch's ``torch.nn.modules.sparse``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.sparse.Embedding)``)."""

from .. import (Embedding, EmbeddingBag)

__all__ = ["Embedding", "EmbeddingBag"]
