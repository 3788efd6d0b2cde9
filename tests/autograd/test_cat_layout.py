"""``cat`` and ``stack`` of transposed tensors give a C-ordered result, as PyTorch's, so
that a ``view`` of it shares its memory (writes through the view reach it)."""

import numpy as np

import autograd as ag

X = np.arange(12.0).reshape(3, 4)


def _joins(T, x) -> dict:
    return {"cat rows": T.cat([x.t(), x.t()], dim=0), "cat columns": T.cat([x.t(), x.t()], 1),
            "stack": T.stack([x.t(), x.t()]), "stack last": T.stack([x.t(), x.t()], dim=-1)}


def test_joins_of_transposes_are_contiguous_as_pytorch(torch) -> None:
    ours, theirs = _joins(ag, ag.tensor(X)), _joins(torch, torch.tensor(X))
    for name in ours:
        a, b = ours[name], theirs[name]
        assert a.is_contiguous() == b.is_contiguous(), name
        assert a.stride() == b.stride(), name
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        for joined in (a, b):
            flat = joined.view(-1)
            flat[1] = -1.0  # a view: the write reaches the joined tensor
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.flatten()[1].item() == -1.0, name
