"""``nansum`` / ``nanmean`` (methods and functions) against PyTorch: values, gradients
(0 at NaN entries), ``dim``/``keepdim``, all-NaN slices, ``out=`` and the integer error."""

import numpy as np
import pytest

import autograd as ag

X = np.array([[1.0, np.nan, 3.0, 4.0], [np.nan, np.nan, np.nan, np.nan],
              [0.5, -2.0, np.nan, 1.5]])


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": 0, "keepdim": True},
                                    {"dim": (0, 1)}, {"dim": -1, "keepdim": True}])
@pytest.mark.parametrize("rows", [[0, 1, 2], [0, 2]])
def test_matches_pytorch(torch, name, kwargs, rows) -> None:
    """Values with an all-NaN row; gradients without it (PyTorch's is NaN there, 0/0
    through nanmean's division; ours 0)."""
    results = []
    for T in (ag, torch):
        x = T.tensor(X[rows], requires_grad=True)
        method = getattr(x, name)(**kwargs)
        function = getattr(T, name)(x, **kwargs)
        weights = T.tensor(np.arange(1.0, 1.0 + method.numel()).reshape(method.shape))
        (T.nan_to_num(method, nan=0.0) * weights).sum().backward()
        results.append([method.detach().numpy(), function.detach().numpy()]
                       + ([x.grad.numpy()] if len(rows) == 2 or name == "nansum" else []))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_out_and_named_errors() -> None:
    out = ag.zeros(3)
    ag.nanmean(ag.tensor(X), 1, out=out)
    np.testing.assert_allclose(out.numpy(), [8 / 3, np.nan, 0.0], equal_nan=True)
    with pytest.raises(ag.DTypeError, match="floating"):
        ag.tensor([1, 2]).nanmean()


def test_numpy_functions_on_tensors_dispatch_with_numpys_rules():
    """np.nansum/np.nanmean of a Tensor run the differentiable methods with NumPy's
    arguments; NumPy averages integers as float64 (the method refuses them, as PyTorch)."""
    data = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 6.0]])
    t = ag.tensor(data, requires_grad=True)
    got = np.nanmean(t, axis=1, keepdims=True)
    np.testing.assert_allclose(got.detach().numpy(), np.nanmean(data, axis=1, keepdims=True))
    got.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [[0.5, 0.0, 0.5], [0.0, 0.0, 1.0]])
    assert float(np.nansum(t)) == np.nansum(data)
    ints = np.array([1, 2, 4])
    assert float(np.nanmean(ag.tensor(ints))) == np.nanmean(ints)
