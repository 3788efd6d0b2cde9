"""``Sequential`` runs a ``Linear`` and the ``ReLU`` after it as one op, ``AffineReLU``:
one graph node, the same numbers as the two ops bit for bit (values, gradients, an
infinite upstream gradient, second derivatives), and the two ops whenever the fused one
would change what a user sees (hooks, subclasses, inputs the layer converts)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from autograd.viz import topological_order
from nn.functional.linear import AffineReLU
from nn.layers import DTypePromotionWarning


def op_names(root: Tensor) -> list[str]:
    return [t.grad_fn.name() for t in topological_order([root]) if t.grad_fn is not None]


def two_layers(seed: int, n_in: int, n_out: int, dtype=np.float64) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, n_out, rng=seed, dtype=dtype), nn.ReLU())


def gradients_of(model: nn.Module, x: Tensor, g: np.ndarray, fused: bool) -> list[np.ndarray]:
    """(output, dx, dW, db) of ``model`` (a Linear and a ReLU) for upstream gradient g,
    through the fused op or through the two layers called one by one."""
    linear, relu = model[0], model[1]
    for p in (x, *model.parameters()):
        p.grad = None
    out = model(x) if fused else relu(linear(x))
    assert (op_names(out) == ["AffineReLU"]) == fused
    out.backward(g)
    return [out.data, x.grad.data, linear.weight.grad.data, linear.bias.grad.data]


@settings(max_examples=40)
@given(seed=st.integers(0, 2**16), n_in=st.integers(1, 5), n_out=st.integers(1, 5),
       lead=st.lists(st.integers(1, 3), max_size=2), float32=st.booleans(),
       inplace=st.booleans())
def test_fused_pair_equals_the_two_ops_bit_for_bit(seed, n_in, n_out, lead, float32, inplace):
    dtype = np.float32 if float32 else np.float64
    model = nn.Sequential(nn.Linear(n_in, n_out, rng=seed, dtype=dtype), nn.ReLU(inplace))
    rng = np.random.default_rng(seed)
    x_data = rng.standard_normal((*lead, n_in)).astype(dtype)
    x_data[..., 0] = 0.0  # a row of zeros with a zero bias below: A = 0 exactly
    model[0].bias.data[: n_out // 2] = 0.0
    model[0].weight.data[: n_out // 2] = 0.0
    x = Tensor(x_data, requires_grad=True)
    g = rng.standard_normal((*lead, n_out)).astype(dtype)
    fused, apart = (gradients_of(model, x, g, fused) for fused in (True, False))
    for ours, theirs in zip(fused, apart):
        assert ours.dtype == theirs.dtype == dtype
        np.testing.assert_array_equal(ours, theirs)


def test_an_infinite_gradient_stays_exactly_zero_where_the_relu_is_off():
    model = two_layers(0, 3, 4)
    model[0].bias.data[:] = [-100.0, 100.0, -100.0, 100.0]  # units 0, 2 off, 1, 3 on
    x = Tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    g = np.array([[np.inf, 1.0, -np.inf, 2.0], [np.inf, 3.0, np.inf, 4.0]])
    fused, apart = (gradients_of(model, x, g, fused) for fused in (True, False))
    assert np.isfinite(fused[2]).all()  # inf * 0 would be NaN: the mask selects instead
    for ours, theirs in zip(fused, apart):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("lead", [(), (3,), (2, 2)])
def test_affine_relu_gradcheck_and_gradgradcheck(lead):
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal((*lead, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    pre = x.data @ w.data.T + b.data
    assert np.abs(pre).min() > 1e-3  # away from the kink, where differences are exact
    assert gradcheck(AffineReLU.apply, [x, w, b])
    assert gradgradcheck(AffineReLU.apply, [x, w, b])
    assert gradcheck(lambda x, w: AffineReLU.apply(x, w), [x, w])  # no bias


@pytest.mark.parametrize("square", [True, False])
def test_second_derivatives_equal_the_two_ops_and_reach_the_bias(square):
    """The gradient's graph reaches every input (relu's derivative 0 included), as with
    the two ops: for L = sum(out), d/db of a function of dL/dx is 0, not "b is not
    used"."""
    results = []
    for fused in (True, False):
        model = two_layers(3, 4, 5)
        x = Tensor(np.random.default_rng(2).standard_normal((3, 4)), requires_grad=True)
        out = model(x) if fused else model[1](model[0](x))
        loss = (out * out).sum() if square else out.sum()
        (gx,) = autograd.grad(loss, [x], create_graph=True)
        results.append(autograd.grad((gx * gx).sum(), [x, *model.parameters()]))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-13, atol=1e-15)
    assert results[0][2].data.any() == square  # d/db: zero without the square, and there


def test_sequential_fuses_only_linear_then_relu_of_those_exact_types():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 4, rng=1),
                          nn.Tanh(), nn.ReLU(), nn.Linear(4, 2, rng=2), nn.ReLU())
    assert op_names(model(x)) == ["AffineReLU", "Affine", "Tanh", "Relu", "AffineReLU"]

    class MyLinear(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2.0

    class MyReLU(nn.ReLU):
        pass

    for pair in [(MyLinear(3, 4, rng=0), nn.ReLU()), (nn.Linear(3, 4, rng=0), MyReLU()),
                 (nn.Linear(3, 4, rng=0, bias=False), nn.ReLU()), (nn.LazyLinear(4), nn.ReLU())]:
        names = op_names(nn.Sequential(*pair)(x))
        assert "AffineReLU" not in names and names[-1] == "Relu"
    patched = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU())
    patched[1].forward = lambda x: F.relu(x) * 3.0  # an instance's own forward is called
    names = op_names(patched(x))
    assert "AffineReLU" not in names and names[-1] == "MulScalar"
    relu_first = nn.Sequential(nn.ReLU(), nn.Linear(3, 4, rng=0))
    assert op_names(relu_first(x)) == ["Relu", "Affine"]


@pytest.mark.parametrize("hooked", [0, 1])
def test_a_hook_on_either_layer_sees_the_two_ops(hooked):
    model = two_layers(0, 3, 4)
    seen = []
    model[hooked].register_forward_hook(lambda module, args, out: seen.append(out))
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    out = model(x)
    assert op_names(out) == ["Affine", "Relu"]
    expected = model[0](x) if hooked == 0 else out
    np.testing.assert_array_equal(seen[0].data, expected.data)


def test_inputs_the_layer_converts_take_the_two_ops_with_the_same_result():
    model = two_layers(4, 3, 4)
    x = np.random.default_rng(0).standard_normal((5, 3))
    out = model(x)  # an ndarray: F.linear converts it
    assert op_names(out) == ["Affine", "Relu"]
    np.testing.assert_array_equal(out.data, model(Tensor(x)).data)
    with pytest.raises(ShapeError, match=r"in_features=3"):
        model(Tensor(np.ones((2, 5))))


def test_wider_input_warns_once_naming_the_callers_line():
    model = two_layers(0, 3, 4, dtype=np.float32)
    x = Tensor(np.ones((2, 3)))  # float64 into a float32 layer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model(x)
        model(x)
    found = [w for w in caught if issubclass(w.category, DTypePromotionWarning)]
    assert len(found) == 1 and found[0].filename == __file__
    assert model(x).dtype == np.float64


def test_without_recording_the_fused_op_gives_the_same_values():
    model = two_layers(7, 3, 4)
    x = Tensor(np.random.default_rng(3).standard_normal((4, 3)))
    with autograd.no_grad():
        out = model(x)
    assert out.grad_fn is None
    np.testing.assert_array_equal(out.data, F.relu(model[0](x)).data)
