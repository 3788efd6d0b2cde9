"""arcsinh, arccosh, arctanh (PyTorch's asinh, acosh, atanh): values and first and second
derivatives as PyTorch's, edge values included, and NumPy's ufuncs on Tensors run them."""

import numpy as np
import pytest

import autograd as ag

CASES = [("arcsinh", "asinh", [-3.0, -0.2, 0.0, 0.7, 40.0]),
         ("arccosh", "acosh", [1.0001, 1.5, 3.0, 50.0]),
         ("arctanh", "atanh", [-0.99, -0.3, 0.0, 0.5, 0.999])]


@pytest.mark.parametrize("ours, theirs, values", CASES, ids=[c[0] for c in CASES])
def test_values_and_two_derivatives_as_pytorch(ours, theirs, values, torch):
    x = ag.Tensor(np.array(values), requires_grad=True)
    y = getattr(ag, ours)(x)
    (dy,) = ag.grad(y.sum(), x, create_graph=True)
    (d2y,) = ag.grad(dy.sum(), x)
    xt = torch.tensor(values, requires_grad=True)
    yt = getattr(torch, theirs)(xt)
    (dyt,) = torch.autograd.grad(yt.sum(), xt, create_graph=True)
    (d2yt,) = torch.autograd.grad(dyt.sum(), xt)
    for a, b in ((y, yt), (dy, dyt), (d2y, d2yt)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_edges_as_pytorch(torch):
    edges = {"arccosh": ("acosh", [1.0, 0.5]), "arctanh": ("atanh", [1.0, -1.0, 2.0])}
    for ours, (theirs, values) in edges.items():
        x = ag.Tensor(np.array(values), requires_grad=True)
        xt = torch.tensor(values, requires_grad=True)
        y, yt = getattr(x, ours)(), getattr(torch, theirs)(xt)
        y.backward(np.ones(len(values)))  # (y.sum() of inf and -inf would be NaN)
        yt.backward(torch.ones(len(values)))
        np.testing.assert_array_equal(y.data, yt.detach().numpy())
        np.testing.assert_array_equal(x.grad.data, xt.grad.numpy())


def test_numpy_ufuncs_and_pytorch_spellings():
    x = ag.Tensor(np.array([0.25, 0.5]), requires_grad=True)
    assert np.arctanh(x).grad_fn.name() == "Arctanh"
    np.testing.assert_allclose(np.arcsinh(x).data, np.arcsinh(x.data))
    np.testing.assert_array_equal(ag.atanh(x).data, ag.arctanh(x).data)  # PyTorch's name
    np.testing.assert_array_equal(x.asinh().data, x.arcsinh().data)
