"""PyTorch's elementwise math that NumPy names otherwise or lacks, as functions
(``torch.sinc(x)``) and methods (``x.sinc()``): ``sinc hypot logaddexp logaddexp2 exp2
trunc fix frac remainder fmod copysign deg2rad rad2deg sgn``. A sinc-activated implicit
network writes ``torch.sinc(w * x)``, soft-DTW ``torch.logaddexp``, particle codes
``torch.hypot(dx, dy)`` and ``torch.remainder(x, box)``: each raised MissingNameError
(or AttributeError for the method). Values and gradients come from PyTorch, and from
central differences (``gradcheck``); edges follow PyTorch's (sinc at 0, copysign of -0.0,
logaddexp of large
arguments and of two infinities: soft-DTW's table borders)."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(7)
REAL = np.concatenate([RNG.normal(size=5) * 3, [0.0, 1.0, -2.0]])  # integers: sinc's zeros
OTHER = np.concatenate([RNG.normal(size=5) * 2, [1.5, -0.7, 2.5]])
UNARY = ["sinc", "exp2", "trunc", "fix", "frac", "deg2rad", "rad2deg", "sgn"]
BINARY = ["hypot", "logaddexp", "logaddexp2", "remainder", "fmod", "copysign"]


def _run(T, name, arrays, method):
    tensors = [T.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(tensors[0], name)(*tensors[1:]) if method else getattr(T, name)(*tensors)
    weights = T.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
    (out * weights).sum().backward()
    # PyTorch: copysign's other gets no gradient (None), sgn's a ZeroTensor; here zeros
    return [out.detach().numpy()] + [np.zeros(tuple(t.shape)) if t.grad is None
                                     else t.grad.numpy(force=True) for t in tensors]


@pytest.mark.parametrize("method", [False, True], ids=["function", "method"])
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_values_and_gradients_as_torch(torch, name, method) -> None:
    arrays = [REAL] if name in UNARY else [REAL[:, None], OTHER]  # binary: broadcast
    got, want = _run(ag, name, arrays, method), _run(torch, name, arrays, method)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sinc", "exp2", "frac", "deg2rad", "hypot", "logaddexp",
                                  "logaddexp2", "remainder", "copysign"])
def test_gradients_are_central_differences(name) -> None:
    x = ag.tensor(REAL[:5] + 0.1, requires_grad=True)  # away from kinks and steps
    if name in UNARY:
        assert ag.gradcheck(getattr(ag, name), (x,))
    else:
        y = ag.tensor(OTHER[:5], requires_grad=name != "copysign")
        assert ag.gradcheck(getattr(ag, name), (x, y))


def test_edges_follow_torch(torch) -> None:
    x = np.array([0.0, -0.0, 800.0, -800.0, -np.inf, np.inf])
    y = np.array([-0.0, 0.0, 799.0, 1e-300, -np.inf, np.inf])
    results = []
    for T in (ag, torch):
        a, b = T.tensor(x), T.tensor(y)
        results.append([T.sinc(a).numpy(), T.copysign(T.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), b),
                        T.logaddexp(a, b).numpy(), T.logaddexp2(a, b).numpy(),
                        T.trunc(T.tensor([-1.5, 1.5])).numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-13)


def test_out_argument_and_scalars(torch) -> None:
    out = ag.empty(3)
    assert ag.hypot(ag.tensor([3.0, 5.0, 8.0]), 4.0, out=out) is out
    np.testing.assert_allclose(out.numpy(), torch.hypot(torch.tensor([3.0, 5.0, 8.0]),
                                                        torch.tensor(4.0)).numpy())
    np.testing.assert_allclose(ag.remainder(ag.tensor([-3.0, 7.0]), 5).numpy(), [2.0, 2.0])


@pytest.mark.parametrize("function, method", [
    (np.sinc, "sinc"), (np.fix, "trunc"), (np.trunc, "trunc"), (np.deg2rad, "deg2rad"),
    (np.radians, "deg2rad"), (np.rad2deg, "rad2deg"), (np.degrees, "rad2deg"),
    (np.hypot, "hypot"), (np.copysign, "copysign"), (np.fmod, "fmod")])
def test_numpy_functions_of_the_names_are_differentiable(function, method) -> None:
    """NumPy's function of a Tensor method's name runs the method (as ``np.exp(t)``)."""
    x = ag.tensor(REAL[:5], requires_grad=True)
    operands = (x,) if method in UNARY else (x, OTHER[:5])
    got = function(*operands)
    assert isinstance(got, ag.Tensor) and got.requires_grad
    np.testing.assert_allclose(got.detach().numpy(), function(REAL[:5], *operands[1:]))
    np.testing.assert_array_equal(got.detach().numpy(),
                                  getattr(x, method)(*operands[1:]).detach().numpy())
