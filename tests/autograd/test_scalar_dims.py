"""A 0-d tensor's dim 0 or -1 names its one element, as in PyTorch (``maybe_wrap_dim``
with scalars wrapped): reductions, softmax, sort, argsort, topk, max/min with dim,
cumsum/cumprod with ``dim=``, flip and transpose give a 0-d result, and the gradient
reaches the tensor. Values, shapes and gradients are compared with PyTorch's; another
dim is an error in both."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

torch = pytest.importorskip("torch")

CASES = {
    "sum(dim=0)": lambda a, T: a.sum(dim=0),
    "sum(dim=-1, keepdim)": lambda a, T: a.sum(dim=-1, keepdim=True),
    "mean(dim=-1)": lambda a, T: a.mean(dim=-1),
    "prod(dim=0)": lambda a, T: a.prod(dim=0),
    "amax(0)": lambda a, T: a.amax(0),
    "logsumexp(0)": lambda a, T: a.logsumexp(0),
    "norm(dim=0)": lambda a, T: a.norm(dim=0),
    "var(dim=0, correction=0)": lambda a, T: a.var(dim=0, correction=0),
    "softmax(dim=0)": lambda a, T: a.softmax(dim=0) * a,
    "log_softmax(dim=-1)": lambda a, T: a.log_softmax(dim=-1) + a,
    "F.softmax(dim=-1)": lambda a, T: T.softmax(a, dim=-1) * a,
    "max(dim=0)": lambda a, T: a.max(dim=0)[0],
    "min(dim=-1, keepdim)": lambda a, T: a.min(dim=-1, keepdim=True).values,
    "sort(dim=0)": lambda a, T: a.sort(dim=0)[0] * 2,
    "sort(dim=-1, descending)": lambda a, T: a.sort(dim=-1, descending=True).values,
    "topk(1)": lambda a, T: a.topk(1)[0],
    "cumsum(dim=0)": lambda a, T: a.cumsum(dim=0),
    "cumprod(dim=-1)": lambda a, T: a.cumprod(dim=-1),
    "flip(0)": lambda a, T: a.flip(0),
    "transpose(0, -1)": lambda a, T: a.transpose(0, -1) * a,
    "F.normalize(dim=0)": lambda a, T: T.normalize(a, dim=0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dim_0_of_a_0d_tensor_as_pytorch(name):
    ours = ag.tensor(-1.7, requires_grad=True)
    theirs = torch.tensor(-1.7, dtype=torch.float64, requires_grad=True)
    y = CASES[name](ours, F)
    expected = CASES[name](theirs, torch.nn.functional)
    assert y.shape == tuple(expected.shape) == ()
    np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-14)
    y.backward()
    expected.backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name, call, expected", [
    ("argmax", lambda a: a.argmax(dim=0), 0), ("argmin", lambda a: a.argmin(dim=-1), 0),
    ("argsort", lambda a: a.argsort(dim=0), 0), ("max indices", lambda a: a.max(dim=0)[1], 0),
    ("sort indices", lambda a: a.sort(dim=-1)[1], 0), ("topk", lambda a: a.topk(1)[1], 0),
    ("count_nonzero", lambda a: a.count_nonzero(0), 1), ("all", lambda a: (a < 0).all(0), True),
    ("any", lambda a: (a > 0).any(dim=-1), False)])
def test_indices_and_tests_of_a_0d_tensor(name, call, expected):
    ours, theirs = call(ag.tensor(-1.7)), call(torch.tensor(-1.7))
    assert ours.shape == tuple(theirs.shape) == ()
    assert ours.item() == theirs.item() == expected


def test_other_dims_of_a_0d_tensor_are_errors():
    x = ag.tensor(2.0)
    for call in (lambda a: a.sum(dim=1), lambda a: a.softmax(dim=1),
                 lambda a: a.sum(dim=(0, -1)), lambda a: a.argsort(dim=1)):
        with pytest.raises(ag.AxisError):
            call(x)
        with pytest.raises((IndexError, RuntimeError)):
            call(torch.tensor(2.0))


def test_numpy_spelling_of_cumsum_keeps_numpys_shape():
    """``axis=`` is NumPy's cumsum, which flattens a 0-d array first: shape (1,)."""
    assert ag.tensor(2.0).cumsum(axis=0).shape == np.cumsum(np.array(2.0), axis=0).shape
