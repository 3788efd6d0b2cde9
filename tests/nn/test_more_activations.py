"""PyTorch's further activations (nn.functional.more_activations, nn.more_activations):
values and gradients against torch on random inputs that include the kinks, gradients
against finite differences (first and second order, away from the kinks), float32
kept, module reprs as PyTorch's, and the errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import AutogradError, AxisError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.functional.more_activations import SELU_ALPHA, SELU_SCALE

# name -> (ours, PyTorch's name in torch.nn.functional, keyword arguments, kinks)
CASES = {
    "relu6": (F.relu6, "relu6", {}, [0.0, 6.0]),
    "selu": (F.selu, "selu", {}, [0.0]),
    "celu": (F.celu, "celu", {}, [0.0]),
    "celu_2": (F.celu, "celu", {"alpha": 2.0}, [0.0]),
    "celu_negative_alpha": (F.celu, "celu", {"alpha": -1.5}, [0.0]),
    "mish": (F.mish, "mish", {}, [0.0]),
    "hardsigmoid": (F.hardsigmoid, "hardsigmoid", {}, [-3.0, 3.0]),
    "hardswish": (F.hardswish, "hardswish", {}, [-3.0, 3.0]),
    "softsign": (F.softsign, "softsign", {}, [0.0]),
    "hardshrink": (F.hardshrink, "hardshrink", {}, [-0.5, 0.5, 0.0]),
    "hardshrink_1": (F.hardshrink, "hardshrink", {"lambd": 1.0}, [-1.0, 1.0]),
    "softshrink": (F.softshrink, "softshrink", {}, [-0.5, 0.5, 0.0]),
    "softshrink_0": (F.softshrink, "softshrink", {"lambd": 0.0}, [0.0]),
    "tanhshrink": (F.tanhshrink, "tanhshrink", {}, [0.0]),
    "threshold": (F.threshold, "threshold", {"threshold": 0.5, "value": -2.0}, [0.5]),
}

# the kinks of each function (its gradient jumps there); finite differences avoid them
KINKS = {name: case[3] for name, case in CASES.items()}


def _inputs(name, rng, dtype=np.float64):
    """Random values (some large, to reach every branch) followed by the kinks."""
    values = np.concatenate([rng.normal(0.0, 3.0, 40), KINKS[name], [-8.0, 8.0]])
    return values.astype(dtype)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch_also_at_the_kinks(name):
    torch = pytest.importorskip("torch")
    ours, theirs, kwargs, _ = CASES[name]
    rng = np.random.default_rng(0)
    x = _inputs(name, rng)
    upstream = rng.normal(size=x.shape)
    t = Tensor(x, requires_grad=True)
    out = ours(t, **kwargs)
    out.backward(upstream)
    tx = torch.tensor(x, requires_grad=True)
    tout = getattr(torch.nn.functional, theirs)(tx, **kwargs)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    # rtol 1e-7: PyTorch's hardsigmoid/hardswish gradients use 1/6 rounded to float32
    np.testing.assert_allclose(t.grad.data, tx.grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_agree_with_finite_differences_away_from_the_kinks(name):
    ours, _, kwargs, kinks = CASES[name]
    rng = np.random.default_rng(1)
    x = rng.uniform(-7.0, 7.0, (3, 4))
    for kink in kinks:  # at least 0.05 from every kink
        x = np.where(np.abs(x - kink) < 0.05, kink + 0.1, x)
    t = Tensor(x, requires_grad=True)
    assert gradcheck(lambda v: ours(v, **kwargs), [t])
    assert gradgradcheck(lambda v: ours(v, **kwargs), [t])


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_stays_float32(name):
    ours, _, kwargs, _ = CASES[name]
    t = Tensor(_inputs(name, np.random.default_rng(2), np.float32), requires_grad=True)
    out = ours(t, **kwargs)
    out.sum().backward()
    assert out.dtype == np.float32 and t.grad.dtype == np.float32


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmin_and_glu_along_an_axis_match_torch(axis):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, upstream = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    for ours, theirs, up in ((F.softmin, torch.nn.functional.softmin, upstream),
                             (F.glu, torch.nn.functional.glu, None)):
        t, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = ours(t, dim=axis), theirs(tx, dim=axis)
        g = rng.normal(size=out.shape) if up is None else up
        out.backward(g)
        tout.backward(torch.tensor(g))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(t.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert gradcheck(lambda v: ours(v, axis), [Tensor(x, requires_grad=True)])
        positional = ours(x, axis)  # NumPy's spelling: the axis by position
        np.testing.assert_allclose(positional.data, tout.detach().numpy(), rtol=1e-12)


def test_modules_compute_their_functions():
    x = np.linspace(-7.0, 7.0, 24).reshape(3, 8)
    pairs = [(nn.ReLU6(), F.relu6(x)), (nn.SELU(), F.selu(x)), (nn.CELU(2.0), F.celu(x, 2.0)),
             (nn.Mish(), F.mish(x)), (nn.Hardsigmoid(), F.hardsigmoid(x)),
             (nn.Hardswish(), F.hardswish(x)), (nn.Softsign(), F.softsign(x)),
             (nn.Softmin(0), F.softmin(x, 0)), (nn.GLU(dim=-1), F.glu(x)),
             (nn.Hardshrink(1.0), F.hardshrink(x, 1.0)),
             (nn.Softshrink(1.0), F.softshrink(x, 1.0)), (nn.Tanhshrink(), F.tanhshrink(x)),
             (nn.Threshold(0.1, 20.0), F.threshold(x, 0.1, 20.0))]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(Tensor(x)).data, expected.data)


def test_module_reprs_are_pytorchs():
    torch = pytest.importorskip("torch")
    pairs = [(nn.ReLU6(), torch.nn.ReLU6()), (nn.ReLU6(True), torch.nn.ReLU6(True)),
             (nn.SELU(inplace=True), torch.nn.SELU(inplace=True)), (nn.SELU(), torch.nn.SELU()),
             (nn.CELU(), torch.nn.CELU()), (nn.CELU(2.0, True), torch.nn.CELU(2.0, True)),
             (nn.Mish(True), torch.nn.Mish(True)),
             (nn.Hardsigmoid(True), torch.nn.Hardsigmoid(True)),
             (nn.Hardswish(True), torch.nn.Hardswish(True)), (nn.Softsign(), torch.nn.Softsign()),
             (nn.Hardshrink(), torch.nn.Hardshrink()),
             (nn.Softshrink(0.3), torch.nn.Softshrink(0.3)),
             (nn.Tanhshrink(), torch.nn.Tanhshrink()),
             (nn.Threshold(0.1, 20.0), torch.nn.Threshold(0.1, 20.0)),
             (nn.Threshold(0.1, 2.0, True), torch.nn.Threshold(0.1, 2.0, True))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    # the axis is shown under PyTorch's name, dim, as nn.Softmax shows it
    assert repr(nn.Softmin(dim=1)) == repr(torch.nn.Softmin(dim=1))
    assert repr(nn.GLU()) == repr(torch.nn.GLU())


def test_kink_conventions_in_words():
    """The documented values at the kinks (torch compares them above)."""
    def grad_at(f, v, **kwargs):
        t = Tensor(np.array([v]), requires_grad=True)
        f(t, **kwargs).sum().backward()
        return t.grad.data[0]
    assert grad_at(F.relu6, 0.0) == 0 and grad_at(F.relu6, 6.0) == 0
    assert grad_at(F.hardswish, -3.0) == 0 and grad_at(F.hardswish, 3.0) == 1
    assert grad_at(F.celu, 0.0, alpha=3.0) == 1
    assert grad_at(F.selu, 0.0) == pytest.approx(SELU_SCALE * SELU_ALPHA)
    assert grad_at(F.softshrink, 0.5) == 0 and grad_at(F.threshold, 1.0, threshold=1.0,
                                                       value=5.0) == 0


@pytest.mark.parametrize("name", ["hardshrink", "softshrink", "threshold"])
def test_nan_stays_nan_as_in_pytorch(name):
    """A NaN input is not mistaken for a small one (replaced by 0 or ``value``): it comes
    out NaN and passes the upstream gradient on, as PyTorch's, and as relu and hardtanh."""
    torch = pytest.importorskip("torch")
    ours, theirs, kwargs, _ = CASES[name]
    x, upstream = np.array([np.nan, -2.0, 0.1, 2.0]), np.array([0.3, -1.2, 0.7, 2.0])
    t, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(t, **kwargs).backward(upstream)
    tout = getattr(torch.nn.functional, theirs)(tx, **kwargs)
    tout.backward(torch.tensor(upstream))
    out = ours(Tensor(x), **kwargs)
    assert np.isnan(out.data[0])
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(t.grad.data, tx.grad.numpy(), rtol=1e-12)


def test_large_inputs_do_not_overflow():
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for f in (F.celu, F.selu, F.mish, F.softsign):
            out = f(x)
            out.sum().backward()
            assert np.isfinite(out.data).all() and np.isfinite(x.grad.data).all()
            x.grad = None


def test_errors_are_named():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ConfigError, match="celu: alpha cannot be 0"):
        F.celu(x, 0.0)
    with pytest.raises(ConfigError, match="CELU: alpha cannot be 0"):
        nn.CELU(0)
    with pytest.raises(ConfigError, match=r"softshrink: lambd must be a finite number >= 0"):
        F.softshrink(x, -1.0)
    with pytest.raises(ConfigError, match="Softshrink: lambd"):
        nn.Softshrink(-0.1)
    with pytest.raises(ArgumentTypeError, match="hardshrink: lambd must be"):
        F.hardshrink(x, "0.5")
    with pytest.raises(ShapeError, match=r"glu: axis 1 .* has size 3; .* must be even"):
        F.glu(x)
    with pytest.raises(ShapeError, match="glu: a 0-d tensor cannot be halved"):
        F.glu(Tensor(1.0))
    with pytest.raises(AxisError, match="glu: axis 2 is out of range for a 2-d tensor"):
        F.glu(x, 2)
    with pytest.raises(AxisError, match="glu: got axis=0 and dim=1"):
        F.glu(x, 0, dim=1)
    with pytest.raises(AxisError, match="Softmin: got axis=0 and dim=1"):
        nn.Softmin(0, dim=1)
    with pytest.raises(ArgumentTypeError, match="threshold: value must be"):
        F.threshold(x, 0.5, None)
    with pytest.raises(TypeError):
        nn.Threshold(0.5)  # both numbers are required, as in PyTorch
    with pytest.raises(ArgumentTypeError, match="inplace"):
        nn.ReLU6(inplace=1)
    for error in (ConfigError, ArgumentTypeError, ShapeError, AxisError):
        assert issubclass(error, AutogradError)
