"""``fake_quantize_per_tensor_affine``, ``fake_quantize_per_channel_affine`` and
``aminmax`` (quantization-aware training), checked against PyTorch: values, the
straight-through gradient (g inside the integer grid, 0 where clamped) and PyTorch's
errors. They were missing (``MissingNameError``).

No op-table row: the straight-through gradient is by definition not the derivative of the
piecewise-constant forward (finite differences give 0 inside the grid), so PyTorch's
gradients are the reference here."""

import numpy as np
import pytest

import autograd as ag


def _pair(torch, values: np.ndarray):
    ours = ag.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    return ours, theirs


def _grads(ours, theirs, out_ours, out_theirs, upstream: np.ndarray) -> None:
    out_ours.backward(ag.tensor(upstream))
    out_theirs.backward(theirs.new_tensor(upstream))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_per_tensor_matches_torch_values_and_straight_through_gradient(torch, dtype):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(4, 50)) * 4).astype(dtype)
    upstream = rng.normal(size=x.shape).astype(dtype)
    for scale, zero_point, qmin, qmax in [(0.0331, 3, -128, 127), (0.05, 0, 0, 255),
                                          (0.3, 10, 0, 15)]:
        ours, theirs = _pair(torch, x)
        got = ag.fake_quantize_per_tensor_affine(ours, scale, zero_point, qmin, qmax)
        want = torch.fake_quantize_per_tensor_affine(theirs, scale, zero_point, qmin, qmax)
        assert got.dtype == dtype
        # PyTorch multiplies by the float32 scale in float32 also for a float64 input; ours
        # is (q - z) * s in the input's dtype: the same grid point, to float32's rounding
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-7,
                                   atol=0)
        levels = np.round(got.detach().numpy().astype(np.float64) / np.float32(scale))
        np.testing.assert_array_equal(levels, np.round(want.detach().numpy() /
                                                       np.float32(scale)))
        _grads(ours, theirs, got, want, upstream)
        assert 0 < (ours.grad.numpy() == 0).sum() < x.size  # both sides of the clamp


def test_per_tensor_takes_tensor_scale_and_zero_point(torch):
    x = np.linspace(-3, 3, 41)
    got = ag.fake_quantize_per_tensor_affine(ag.tensor(x), ag.tensor(0.1), ag.tensor(3), 0, 63)
    want = torch.fake_quantize_per_tensor_affine(torch.tensor(x), torch.tensor(0.1),
                                                 torch.tensor(3), 0, 63)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-7)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_per_channel_matches_torch_exactly(torch, axis):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 5)) * 2
    channels = x.shape[axis]
    scale = (rng.uniform(0.01, 0.2, size=channels)).astype(np.float32)
    zero_point = rng.integers(-5, 5, size=channels).astype(np.int32)
    upstream = rng.normal(size=x.shape)
    ours, theirs = _pair(torch, x)
    got = ag.fake_quantize_per_channel_affine(ours, ag.tensor(scale), ag.tensor(zero_point),
                                              axis, -16, 15)
    want = torch.fake_quantize_per_channel_affine(theirs, torch.tensor(scale),
                                                  torch.tensor(zero_point), axis, -16, 15)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    _grads(ours, theirs, got, want, upstream)


def test_per_channel_float_zero_point_is_added_before_rounding(torch):
    x = np.linspace(-2, 2, 24).reshape(4, 6)
    scale, zero_point = np.full(6, 0.25, np.float32), np.linspace(-1.6, 1.4, 6, dtype=np.float32)
    got = ag.fake_quantize_per_channel_affine(ag.tensor(x), scale, zero_point, 1, -4, 4)
    want = torch.fake_quantize_per_channel_affine(
        torch.tensor(x), torch.tensor(scale), torch.tensor(zero_point), 1, -4, 4)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15, atol=1e-15)


def test_gradient_of_the_gradient_is_a_masked_graph():
    x = ag.tensor([-3.0, 0.12, 0.5, 9.0], requires_grad=True)
    y = ag.fake_quantize_per_tensor_affine(x, 0.25, 0, -8, 7)
    (g,) = ag.grad((y * y).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * y.detach().numpy() * [0, 1, 1, 0])


def test_errors_as_torch(torch):
    x = torch.randn(3, 4)
    for call in [lambda T, x: T.fake_quantize_per_tensor_affine(x, 0.1, 300, 0, 255),
                 lambda T, x: T.fake_quantize_per_tensor_affine(x, 0.1, 3, 10, 5)]:
        with pytest.raises(RuntimeError) as theirs:
            call(torch, x)
        with pytest.raises(ag.UsageError) as ours:
            call(ag, ag.tensor(x.numpy()))
        assert str(theirs.value).split()[0] in str(ours.value)
    with pytest.raises(ag.ShapeError, match="per_channel"):
        ag.fake_quantize_per_tensor_affine(ag.ones(3, 4), np.ones(4), 0, 0, 255)
    with pytest.raises(ag.ShapeError, match=r"input.shape\[1\] = 4"):
        ag.fake_quantize_per_channel_affine(ag.ones(3, 4), np.ones(3, np.float32),
                                            np.zeros(3, np.int32), 1, 0, 255)
    with pytest.raises(RuntimeError, match="`axis` must be between"):
        torch.fake_quantize_per_channel_affine(x, torch.ones(4, dtype=torch.float32),
                                               torch.zeros(4, dtype=torch.int32), -1, 0, 255)
    with pytest.raises(ag.UsageError, match="`axis` must be between"):
        ag.fake_quantize_per_channel_affine(ag.ones(3, 4), np.ones(4, np.float32),
                                            np.zeros(4, np.int32), -1, 0, 255)
    with pytest.raises(ag.DTypeError, match="float tensor"):
        ag.fake_quantize_per_tensor_affine(ag.ones(3, dtype=ag.int64), 0.1, 0, 0, 255)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_aminmax_values_and_gradients_as_torch(torch, dim):
    x = np.array([[1.0, 5.0, 5.0], [-2.0, 0.5, -2.0]])
    upstream = (np.array(2.0), np.array(3.0)) if dim is None else (np.ones(3 - dim),
                                                                  np.full(3 - dim, 2.0))
    ours, theirs = _pair(torch, x)
    kwargs = {} if dim is None else {"dim": dim, "keepdim": False}
    got, want = ag.aminmax(ours, **kwargs), torch.aminmax(theirs, **kwargs)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert got.min is got[0] and got.max is got[1]
    (got.min * ag.tensor(upstream[0])).sum().add((got.max * ag.tensor(upstream[1])).sum()) \
        .backward()
    ((want.min * torch.tensor(upstream[0])).sum()
     + (want.max * torch.tensor(upstream[1])).sum()).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())


def test_aminmax_writes_out_as_torch(torch):
    x = np.array([[1.0, 5.0, 2.0], [-2.0, 0.5, 3.0]])
    got = (ag.zeros(0), ag.zeros(0))
    result = ag.aminmax(ag.tensor(x), dim=1, out=got)  # PyTorch's named pair of the outs
    assert result.min is got[0] and result.max is got[1]
    want = (torch.zeros(0), torch.zeros(0))
    torch.aminmax(torch.tensor(x), dim=1, out=want)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
