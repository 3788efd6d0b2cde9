"""``F.fractional_max_pool2d`` and ``nn.FractionalMaxPool2d`` (they were missing): with
the same ``_random_samples`` the windows, values, indices and gradients are PyTorch's,
with ties (the first maximum) and NaN; unbatched input, ``output_ratio``, the module's
buffer and the checks as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("shape, kernel, output_size, output_ratio", [
    ((2, 3, 9, 11), (2, 3), (4, 5), None), ((3, 10, 10), 3, None, (0.5, 0.7)),
    ((1, 2, 7, 7), 2, (6, 6), None), ((2, 2, 8, 8), (3, 2), (1, 3), None)])
def test_values_indices_and_gradients_as_torch(torch, shape, kernel, output_size,
                                               output_ratio):
    assert_pool_as_torch(torch, 2, shape, kernel, output_size, output_ratio)


def assert_pool_as_torch(torch, dims, shape, kernel, output_size, output_ratio):
    """``fractional_max_pool{dims}d`` of data with ties and a NaN: values, int64 indices
    and gradients as PyTorch's for the same ``_random_samples`` (also for the 3-d tests)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).round(1)  # ties
    x.reshape(-1)[5] = np.nan
    batched = len(shape) == dims + 2
    samples = rng.random((shape[0] if batched else 1, shape[-dims - 1], dims))
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    name = f"fractional_max_pool{dims}d"
    out, idx = getattr(F, name)(ours, kernel, output_size, output_ratio, True,
                                ag.tensor(samples))
    want, want_idx = getattr(torch.nn.functional, name)(
        theirs, kernel, output_size, output_ratio, True, torch.tensor(samples))
    assert out.shape == tuple(want.shape) and idx.dtype == np.int64
    np.testing.assert_array_equal(out.detach().numpy(), want.detach().numpy())
    np.testing.assert_array_equal(idx.numpy(), want_idx.numpy())
    upstream = rng.normal(size=tuple(want.shape))
    out.backward(ag.tensor(upstream))
    want.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_module_as_torch(torch):
    x = np.random.default_rng(1).normal(size=(2, 3, 8, 8))
    samples = np.random.default_rng(2).random((2, 3, 2))
    ours = nn.FractionalMaxPool2d(3, output_ratio=0.5, _random_samples=ag.tensor(samples))
    theirs = torch.nn.FractionalMaxPool2d(3, output_ratio=0.5,
                                          _random_samples=torch.tensor(samples))
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_array_equal(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    drawn = nn.FractionalMaxPool2d((2, 2), output_size=5, return_indices=True)
    out, indices = drawn(ag.tensor(x))  # windows drawn from nn's default generator
    assert out.shape == (2, 3, 5, 5) and indices.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), np.take_along_axis(
        x.reshape(2, 3, -1), indices.numpy().reshape(2, 3, -1), -1).reshape(2, 3, 5, 5))


def test_checks_as_torch(torch):
    for lib in (nn, torch.nn):
        with pytest.raises(ValueError, match="requires specifying either an output size"):
            lib.FractionalMaxPool2d(2)
        with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
            lib.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)
    with pytest.raises(ValueError, match=r"needs an input of at least \(6, 6\)"):
        F.fractional_max_pool2d(ag.ones(1, 1, 5, 5), 2, output_size=5)
