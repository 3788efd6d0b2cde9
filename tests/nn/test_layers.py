"""Layers: forward against NumPy, gradients against finite differences, errors."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor
from autograd.errors import AxisError, DTypeError, ShapeError
from autograd.function import apply
from nn._random import manual_seed
from nn.functional.linear import Affine
from nn.layers import Dropout, Flatten, Identity, Linear, Residual, Sequential
from nn.module import functional_call

SEEDS = st.integers(0, 2**32 - 1)
SMALL = st.integers(1, 4)


def random_tensor(seed, shape, requires_grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape),
                  requires_grad=requires_grad)


def check_module_gradients(module, x):
    """gradcheck of ``module(x)`` with respect to x and every parameter."""
    names = [n for n, _ in module.named_parameters()]
    params = list(module.parameters())

    def fn(x, *tensors):
        return functional_call(module, dict(zip(names, tensors)), x)

    assert autograd.gradcheck(fn, [x, *params])


# ---------------------------------------------------------------- Linear
@given(seed=SEEDS, n_in=SMALL, n_out=SMALL, lead=st.lists(st.integers(1, 3), max_size=2),
       bias=st.booleans())
def test_linear_matches_numpy_and_its_gradients(seed, n_in, n_out, lead, bias):
    layer = Linear(n_in, n_out, bias=bias, rng=seed)
    x = random_tensor(seed, (*lead, n_in))
    expected = x.data @ layer.weight.data.T + (layer.bias.data if bias else 0.0)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12, atol=1e-14)
    assert layer(x).shape == (*lead, n_out)
    check_module_gradients(layer, x)


@given(seed=SEEDS, n_in=SMALL, n_out=SMALL)
def test_linear_second_derivatives(seed, n_in, n_out):
    layer = Linear(n_in, n_out, rng=seed)
    x, w = random_tensor(seed, (2, n_in)), random_tensor(seed + 1, (n_out, n_in))
    assert autograd.gradgradcheck(
        lambda x, w: autograd.tanh(functional_call(layer, {"weight": w}, x)), [x, w])


def test_linear_default_init_is_uniform_within_one_over_sqrt_in():
    layer = Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # the whole range is used
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)


def test_linear_is_reproducible_from_a_seed_or_a_generator():
    a, b = Linear(3, 2, rng=7), Linear(3, 2, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    rng = np.random.default_rng(7)
    c, d = Linear(3, 2, rng=rng), Linear(3, 2, rng=rng)
    np.testing.assert_array_equal(a.weight.data, c.weight.data)
    assert not np.array_equal(c.weight.data, d.weight.data)  # the generator advanced
    manual_seed(3)
    e = Linear(3, 2)
    manual_seed(3)
    np.testing.assert_array_equal(e.weight.data, Linear(3, 2).weight.data)


def test_linear_dtype_and_gradient_layout():
    layer = Linear(3, 2, rng=0, dtype=np.float32)
    assert layer.weight.dtype == layer.bias.dtype == np.float32
    y = layer(Tensor(np.ones((4, 3), np.float32)))
    assert y.dtype == np.float32
    y.sum().backward()
    assert layer.weight.grad.dtype == np.float32
    assert layer.weight.grad.shape == (2, 3) and layer.bias.grad.shape == (2,)
    assert "dtype=float32" in repr(layer)
    with pytest.raises(DTypeError, match="floating dtype"):
        Linear(3, 2, dtype=np.int64)


def test_linear_names_itself_and_the_shapes_on_a_wrong_input():
    layer = Linear(4, 2, rng=0)
    with pytest.raises(ShapeError, match=r"Linear\(in_features=4.*in_features=4.*\(5, 3\)"):
        layer(Tensor(np.ones((5, 3))))
    with pytest.raises(ShapeError, match=r"shape \(\)"):
        layer(Tensor(1.0))
    with pytest.raises(ValueError, match="Linear: in_features must be an int >= 0; got -1"):
        Linear(-1, 2)


@pytest.mark.parametrize("lead", [(), (4,), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_vjp_gives_each_gradient_in_its_inputs_shape_and_dtype(lead, dtype):
    """Affine sets ``exact_grads`` and ``fresh_grads`` (the engine then skips its shape
    check, and leaves take the gradients without a copy): verify both promises."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in ((*lead, 3), (2, 3), (2,))]
    op = Affine()
    out = apply(op, *[Tensor(a, requires_grad=True) for a in arrays])
    g = np.ones(out.shape, dtype)
    saved = (out.data, *arrays)
    grads = op.vjp(g, *saved)
    assert len({id(gradient) for gradient in grads}) == 3
    for gradient, array in zip(grads, arrays):
        assert gradient.shape == array.shape and gradient.dtype == array.dtype
        assert type(gradient) is np.ndarray and gradient.flags.writeable
        assert not any(np.shares_memory(gradient, other) for other in (g, *saved[1:]))
        assert gradient.base is None  # owns its memory


def test_linear_checks_parameters_whose_data_changed_shape():
    layer = Linear(3, 2, rng=0)
    layer.bias.data = np.ones(5)
    with pytest.raises(ShapeError, match="bias must have shape"):
        layer(Tensor(np.ones((4, 3))))
    layer.weight.data = np.ones((2, 4))
    with pytest.raises(ShapeError, match="in_features=4"):
        layer(Tensor(np.ones((4, 3))))


# ---------------------------------------------------------------- Sequential
@given(seed=SEEDS, n=SMALL, batch=SMALL)
def test_sequential_composes_and_its_gradients(seed, n, batch):
    model = Sequential(Linear(n, 3, rng=seed), Residual(Linear(3, 3, rng=seed + 1)),
                       Identity(), Linear(3, 2, rng=seed + 2))
    x = random_tensor(seed, (batch, n))
    expected = model[3](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).data, expected.data)
    check_module_gradients(model, x)


def test_sequential_indexing_naming_and_append():
    first, second = Linear(2, 3, rng=0), Linear(3, 1, rng=0)
    model = Sequential({"hidden": first, "out": second})
    assert model.hidden is first and model["out"] is second and model[-1] is second
    assert [n for n, _ in model.named_parameters()][:2] == ["hidden.weight", "hidden.bias"]
    head = model[:1]
    assert isinstance(head, Sequential) and head[0] is first and len(head) == 1
    model.append(Identity())
    assert len(model) == 3 and list(model)[2].__class__ is Identity
    assert Sequential()(x := Tensor(1.0)) is x
    with pytest.raises(TypeError, match="holds Modules"):
        Sequential(Linear(2, 2), np.tanh)
    with pytest.raises(ValueError, match="used twice"):
        Sequential({"a": first}).append(first)._add("a", second)
    with pytest.raises(AttributeError):
        model.missing


# ---------------------------------------------------------------- Residual
@given(seed=SEEDS, n=SMALL, batch=SMALL)
def test_residual_adds_the_input_and_its_gradients(seed, n, batch):
    block = Residual(Linear(n, n, rng=seed))
    x = random_tensor(seed, (batch, n))
    np.testing.assert_array_equal(block(x).data, (block.fn(x) + x).data)
    check_module_gradients(block, x)


def test_residual_needs_a_shape_preserving_function():
    with pytest.raises(ShapeError, match=r"Linear maps shape \(2, 3\) to \(2, 4\)"):
        Residual(Linear(3, 4, rng=0))(Tensor(np.ones((2, 3))))
    with pytest.raises(TypeError, match="Module"):
        Residual(np.tanh)


# ---------------------------------------------------------------- Dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_statistics(p):
    n = 200_000
    y = Dropout(p, rng=0)(Tensor(np.ones(n))).data
    dropped = np.mean(y == 0)
    assert abs(dropped - p) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-15)
    # E[y] = x; each y has variance p / (1 - p)
    assert abs(y.mean() - 1.0) < 5 * math.sqrt(p / (1 - p) / n)


@given(seed=SEEDS, shape=st.lists(SMALL, min_size=1, max_size=3),
       p=st.sampled_from([0.2, 0.5, 0.8]))
def test_dropout_gradient_is_the_scaled_mask(seed, shape, p):
    x = random_tensor(seed, shape)
    assert autograd.gradcheck(lambda x: Dropout(p, rng=seed)(x), [x])
    y = Dropout(p, rng=seed)(x)
    y.backward(Tensor(np.ones(shape)))
    np.testing.assert_allclose(x.grad.data, (y.data != 0) / (1 - p))


def test_dropout_is_the_identity_in_eval_and_for_p_zero():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    assert Dropout(0.5, rng=0).eval()(x) is x
    assert Dropout(0.0, rng=0)(x) is x


def test_dropout_with_p_one_gives_zeros_and_zero_gradients():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    y = Dropout(1.0)(x)
    assert not y.data.any()
    y.sum().backward()
    assert not x.grad.data.any()


def test_dropout_masks_are_reproducible_and_fresh_per_call():
    x = Tensor(np.ones(1000))
    layer = Dropout(0.5, rng=1)
    first, second = layer(x).data, layer(x).data
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, Dropout(0.5, rng=1)(x).data)
    assert layer(Tensor(np.ones(10, np.float32))).dtype == np.float32


@pytest.mark.parametrize("p, error", [(-0.1, ValueError), (1.5, ValueError),
                                      (float("nan"), ValueError), (True, TypeError),
                                      ("0.5", TypeError)])
def test_dropout_rejects_invalid_probabilities(p, error):
    with pytest.raises(error, match=r"in \[0, 1\]"):
        Dropout(p)


# ---------------------------------------------------------------- Flatten, Identity
@given(seed=SEEDS, shape=st.lists(SMALL, min_size=2, max_size=4), data=st.data())
def test_flatten_merges_axes_like_numpy(seed, shape, data):
    ndim = len(shape)
    start = data.draw(st.integers(0, ndim - 1))
    end = data.draw(st.integers(start, ndim - 1)) - data.draw(st.sampled_from([0, ndim]))
    x = random_tensor(seed, shape)
    y = Flatten(start, end)(x)
    stop = end % ndim + 1
    expected_shape = (*shape[:start], math.prod(shape[start:stop]), *shape[stop:])
    np.testing.assert_array_equal(y.data, x.data.reshape(expected_shape))
    assert autograd.gradcheck(Flatten(start, end), [x])


def test_flatten_defaults_and_errors():
    assert Flatten()(Tensor(np.ones((2, 3, 4)))).shape == (2, 12)
    with pytest.raises(AxisError, match=r"Flatten\(start_dim=1, end_dim=-1\).*\(5,\)"):
        Flatten()(Tensor(np.ones(5)))
    with pytest.raises(AxisError, match="start_dim <= end_dim"):
        Flatten(2, 1)(Tensor(np.ones((2, 3, 4))))


def test_identity_returns_its_input():
    x = Tensor(np.ones(3), requires_grad=True)
    assert Identity()(x) is x
    assert autograd.gradcheck(Identity(), [x])
    assert list(Identity().parameters()) == []
