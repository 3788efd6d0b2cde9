"""PyTorch's ``nansum`` and ``nanmean`` (functions and Tensor methods): sums and means
that skip NaN, as the mean IoU over classes of segmentation code is written
(``torch.nanmean(iu)``, a class absent from both prediction and label giving 0 / 0);
values and gradients against torch."""

import numpy as np
import pytest

import autograd as ag


def data() -> np.ndarray:
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    x[0, 1, 0] = x[2, 3, 1] = x[1, 0, 0] = x[1, 2, 0] = x[2, 2, 0] = np.nan
    return x


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), ((0, 2), True),
                                          (-1, True)])
def test_values_and_gradients_match_torch(torch, name, dim, keepdim):
    x = data()
    mine, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    args = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    for got, want in [(getattr(ag, name)(mine, **args), getattr(torch, name)(theirs, **args)),
                      (getattr(mine, name)(**args), getattr(theirs, name)(**args))]:
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12,
                                   equal_nan=True)
        assert got.shape == tuple(want.shape)
        upstream = np.random.default_rng(1).standard_normal(tuple(want.shape))
        mine.grad, theirs.grad = None, None
        got.backward(ag.tensor(upstream))
        want.backward(torch.tensor(upstream))
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_a_slice_of_nothing_but_nan(torch):
    """nansum 0 and nanmean NaN, as PyTorch; the NaN entries' gradient is 0 here, where
    PyTorch's nanmean multiplies its NaN upstream gradient by 0 and gives NaN."""
    x = np.array([[1.0, np.nan], [np.nan, np.nan]])
    mine, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for name in ("nansum", "nanmean"):
        got, want = getattr(mine, name)(dim=1), getattr(theirs, name)(dim=1)
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    mine.nanmean(dim=1).sum().backward()
    assert np.array_equal(mine.grad.numpy(), [[1.0, 0.0], [0.0, 0.0]])


def test_integer_nansum_and_dtype_argument(torch):
    labels = np.arange(6).reshape(2, 3)
    got, want = ag.nansum(ag.tensor(labels), 1), torch.nansum(torch.tensor(labels), 1)
    assert got.dtype == np.int64 and np.array_equal(got.numpy(), want.numpy())
    x = data()
    got = ag.tensor(x).nanmean(dim=0, dtype=ag.float32)
    want = torch.tensor(x).nanmean(dim=0, dtype=torch.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, equal_nan=True)


def test_nanmean_of_integers_is_refused_as_in_torch():
    with pytest.raises(TypeError, match="nanmean: expected a floating point"):
        ag.nanmean(ag.tensor([1, 2, 3]))


def test_mean_iou_with_an_absent_class(torch):
    """The segmentation metric: a class in neither prediction nor label is skipped."""
    for T in (ag, torch):
        hist = T.tensor([[3.0, 1.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
        iu = T.diag(hist) / (hist.sum(dim=1) + hist.sum(dim=0) - T.diag(hist))
        assert abs(float(T.nanmean(iu)) - (3 / 6 + 4 / 7) / 2) < 1e-12
