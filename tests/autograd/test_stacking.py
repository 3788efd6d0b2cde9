"""``hstack``, ``vstack`` (``row_stack``) and ``column_stack``, as PyTorch's (and NumPy's):
PINN programs build their collocation points with them
(``torch.hstack((X.flatten()[:, None], T.flatten()[:, None]))``). They were missing.
Values and gradients agree with PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
CASES = {  # name -> the shapes stacked
    "vectors": [(3,), (2,)], "equal vectors": [(3,), (3,)], "columns": [(3, 1), (3, 2)],
    "matrices": [(2, 3), (1, 3)],
    "scalars": [(), ()], "mixed": [(3,), (3, 2)], "images": [(2, 3, 4), (2, 3, 4)]}
WORKS = {"hstack": ["vectors", "columns", "scalars", "images"],
         "vstack": ["equal vectors", "matrices", "scalars", "images"],
         "column_stack": ["equal vectors", "columns", "scalars", "mixed"],
         "row_stack": ["matrices"]}


@pytest.mark.parametrize("name, case", [(n, c) for n, cs in WORKS.items() for c in cs])
def test_values_and_gradients_as_torch(torch, name: str, case: str) -> None:
    arrays = [RNG.standard_normal(shape) for shape in CASES[case]]
    results = []
    for T in (ag, torch):
        tensors = [T.tensor(a, requires_grad=True) for a in arrays]
        out = getattr(T, name)(tuple(tensors) if name != "row_stack" else tensors)
        (out * T.tensor(np.arange(out.numel()).reshape(out.shape) * 1.0)).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in tensors])
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want)
        assert got.shape == want.shape


def test_shape_mismatch_is_a_named_error(torch) -> None:
    with pytest.raises(RuntimeError):
        torch.vstack([torch.zeros(2), torch.zeros(3)])
    with pytest.raises(ag.ShapeError, match="vstack"):
        ag.vstack([ag.zeros(2), ag.zeros(3)])
    with pytest.raises(ag.UsageError, match="hstack: expected a sequence of tensors"):
        ag.hstack(ag.zeros(2))


def test_an_empty_sequence_names_the_function_called():
    for join in (ag.hstack, ag.vstack, ag.column_stack, ag.row_stack):
        with pytest.raises(ag.UsageError, match=rf"{join.__name__}: expected a sequence of "
                                                rf"tensors, at least one"):
            join([])
