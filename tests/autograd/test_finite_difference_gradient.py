"""``torch.gradient(f, spacing=..., dim=..., edge_order=...)``: derivatives of sampled
values by finite differences (a learned PDE's right-hand side from data, a sampled
trajectory's velocity); it raised MissingNameError. Values and the gradients with
respect to the samples come from PyTorch, for uniform steps, per-axis steps and
coordinates, both edge orders."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(11)
VALUES = RNG.normal(size=(4, 6))
COORDINATES = np.cumsum(RNG.uniform(0.2, 1.0, 6))


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("arguments", [
    {}, {"spacing": 0.5}, {"dim": 1}, {"dim": -2, "spacing": 2.0},
    {"dim": [0, 1], "spacing": [0.5, 3.0]}, {"dim": 1, "spacing": ["coordinates"]},
    {"spacing": [[0.0, 1.0, 3.0, 4.5], "coordinates"]}],
    ids=["default", "number", "dim", "negative dim", "per axis", "coordinates",
         "coordinates per axis"])
def test_gradient_as_torch(torch, arguments, edge_order) -> None:
    results = []
    for T in (ag, torch):
        kwargs = dict(arguments)
        if isinstance(kwargs.get("spacing"), list):  # coordinates as 1-d tensors
            kwargs["spacing"] = [T.tensor(COORDINATES if s == "coordinates" else s)
                                 if isinstance(s, (str, list)) else s
                                 for s in kwargs["spacing"]]
        f = T.tensor(VALUES, requires_grad=True)
        derivatives = T.gradient(f, edge_order=edge_order, **kwargs)
        assert isinstance(derivatives, tuple)
        rng = np.random.default_rng(1)  # the same upstream gradients in both runs
        weights = [T.tensor(rng.normal(size=VALUES.shape)) for _ in derivatives]
        sum((d * w).sum() for d, w in zip(derivatives, weights)).backward()
        results.append([d.detach().numpy() for d in derivatives] + [f.grad.numpy()])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gradient_is_exact_for_quadratics_with_edge_order_2() -> None:
    x = ag.tensor(COORDINATES)
    (derivative,) = ag.gradient(3 * x ** 2 - x, spacing=[x], edge_order=2)
    np.testing.assert_allclose(derivative.numpy(), 6 * COORDINATES - 1, rtol=1e-10)


def test_what_cannot_be_differenced_is_named() -> None:
    with pytest.raises(ag.ShapeError, match="edge_order=2 needs at least 3"):
        ag.gradient(ag.ones(2), edge_order=2)
    with pytest.raises(ag.UsageError, match="2 spacings for 1 axes"):
        ag.gradient(ag.ones(4), spacing=[1.0, 2.0])
    with pytest.raises(ag.ShapeError, match="one coordinate per sample"):
        ag.gradient(ag.ones(4), spacing=[ag.ones(3)])
    with pytest.raises(ag.UsageError, match="edge_order must be 1 or 2"):
        ag.gradient(ag.ones(4), edge_order=3)


@pytest.mark.parametrize("kwargs", [dict(), dict(spacing=0.5, edge_order=2),
                                    dict(spacing=[np.array([0.0, 1.0, 3.0]), 2.0])])
def test_a_float32_tensor_keeps_float32_as_numpy_and_pytorch(kwargs) -> None:
    """The weights and steps are computed in float64; multiplying them in made a float32
    tensor's derivatives float64 (NumPy's np.gradient and torch.gradient keep float32)."""
    values = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    numpy_kwargs = {"edge_order": kwargs.get("edge_order", 1)}
    spacing = kwargs.get("spacing", 1.0)
    args = spacing if isinstance(spacing, list) else [spacing]
    expected = np.gradient(values, *args, **numpy_kwargs)
    for got, want in zip(ag.gradient(ag.Tensor(values), **kwargs), expected):
        assert got.dtype == want.dtype == np.float32
        np.testing.assert_allclose(got.data, want, rtol=1e-5, atol=1e-6)
    assert np.gradient(ag.Tensor(values), axis=1).dtype == np.float32
