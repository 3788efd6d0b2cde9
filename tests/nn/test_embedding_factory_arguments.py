"""PyTorch's factory arguments of ``nn.Embedding`` and ``nn.EmbeddingBag``: ``device=``
(models written ``nn.Embedding(n, d, device=device)``; the CPU is the only device here),
``dtype=``, and Embedding's ``_weight``/``_freeze`` in PyTorch's positions."""

import numpy as np
import pytest

import autograd as ag
import nn


@pytest.mark.parametrize("ctor", ["Embedding", "EmbeddingBag"])
def test_device_and_dtype_keywords_as_pytorch(torch, ctor) -> None:
    for device in (None, "cpu", torch.device("cpu")):
        ours = getattr(nn, ctor)(5, 3, device=device, dtype=ag.float32)
        theirs = getattr(torch.nn, ctor)(5, 3, device=device, dtype=torch.float32)
        assert ours.weight.dtype == np.float32 and theirs.weight.dtype == torch.float32
        assert repr(ours) == repr(theirs)
    with pytest.raises(ag.UsageError, match=f"{ctor}\\(device='cuda'\\).*CPU"):
        getattr(nn, ctor)(5, 3, device="cuda")


def test_embedding_weight_and_freeze_in_pytorch_s_positions(torch) -> None:
    weight = np.arange(6.0).reshape(3, 2)
    ours = nn.Embedding(3, 2, None, None, 2.0, False, False, weight, True)
    theirs = torch.nn.Embedding(3, 2, None, None, 2.0, False, False, torch.tensor(weight),
                                True)
    assert ours.weight.requires_grad is theirs.weight.requires_grad is False
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    assert nn.Embedding(3, 2, _weight=weight).weight.requires_grad  # _freeze=False
