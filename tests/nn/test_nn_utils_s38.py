"""Found comparing nn.utils with PyTorch (session 38): a Linear without bias fused with a
BatchNorm1d(1) crashed in forward (F.linear refused a (1,) bias, which PyTorch
broadcasts), functional_call with a None value, a float structured-pruning dim and an
integer orthogonal weight gave bare errors, global_unstructured took one tensor twice,
ln_structured refused n=None (PyTorch's 2-norm) and nn.utils.stateless.functional_call
did not warn as PyTorch's deprecated spelling does."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.errors import DTypeError, ShapeError, UsageError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils import prune
from nn.utils.fusion import fuse_linear_bn_eval


def _values(t: ag.Tensor) -> np.ndarray:
    return t.detach().numpy()


def test_fuse_linear_without_bias_and_batchnorm1d_of_one_feature_runs() -> None:
    linear, bn = nn.Linear(5, 4, bias=False).eval(), nn.BatchNorm1d(1).eval()
    mean, var, gamma, beta = 0.3, 2.0, 1.5, -0.25
    bn.running_mean.data = np.array([mean])
    bn.running_var.data = np.array([var])
    bn.weight.data = np.array([gamma])
    bn.bias.data = np.array([beta])
    fused = fuse_linear_bn_eval(linear, bn)
    assert fused.bias.shape == (4,)
    x = np.random.default_rng(0).standard_normal((3, 1, 5))
    plain = x @ _values(linear.weight).T  # the one BatchNorm channel is axis 1, size 1
    want = (plain - mean) / np.sqrt(var + bn.eps) * gamma + beta
    np.testing.assert_allclose(_values(fused(ag.tensor(x))), want, rtol=1e-12)


@pytest.mark.parametrize("bias_shape", [(1,), ()])
@pytest.mark.parametrize("x_shape", [(5,), (3, 5), (2, 3, 5)])
def test_linear_broadcasts_a_single_bias_value(bias_shape: tuple, x_shape: tuple) -> None:
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(bias_shape), requires_grad=True)
    y = F.linear(x, w, b)
    np.testing.assert_allclose(_values(y), _values(x) @ _values(w).T + _values(b))
    y.sum().backward()
    assert b.grad.shape == bias_shape  # d sum / db = one per output entry
    np.testing.assert_allclose(b.grad.numpy(), np.full(bias_shape, y.numel()))
    assert ag.gradcheck(F.linear, (x, w, b))


def test_linear_still_refuses_a_bias_of_another_length() -> None:
    with pytest.raises(ShapeError, match=r"bias must have shape \(4,\)"):
        F.linear(ag.ones(3, 5), ag.ones(4, 5), ag.ones(2))


def test_functional_call_with_a_none_bias_runs_without_it() -> None:
    layer = nn.Linear(2, 3)
    bias = layer.bias
    x = np.random.default_rng(2).standard_normal((4, 2))
    got = ag.func.functional_call(layer, {"bias": None}, (ag.tensor(x),))
    np.testing.assert_allclose(_values(got), x @ _values(layer.weight).T, rtol=1e-12)
    assert layer.bias is bias  # put back


def test_functional_call_with_a_none_the_module_needs_is_a_named_error() -> None:
    layer = nn.Linear(2, 3)
    weight = layer.weight
    with pytest.raises(UsageError, match=r"\['weight'\] given as None"):
        ag.func.functional_call(layer, {"weight": None}, (ag.ones(1, 2),))
    assert layer.weight is weight


@pytest.mark.parametrize("dim", [1.0, True, None])
def test_structured_pruning_dim_must_be_an_int(dim: object) -> None:
    layer = nn.Linear(4, 3)
    with pytest.raises(ArgumentTypeError, match="dim must be an int"):
        prune.ln_structured(layer, "weight", 1, n=2, dim=dim)
    with pytest.raises(ArgumentTypeError, match="dim must be an int"):
        prune.random_structured(layer, "weight", 1, dim=dim)
    assert not prune.is_pruned(layer)


def test_orthogonal_refuses_an_integer_weight_before_registering() -> None:
    layer = nn.Linear(3, 3)
    layer.weight = nn.Parameter(ag.tensor(np.eye(3, dtype=np.int64)), requires_grad=False)
    with pytest.raises(DTypeError, match="floating-point"):
        nn.utils.parametrizations.orthogonal(layer)
    assert not hasattr(layer, "parametrizations")
    assert layer.weight.dtype == np.int64


def test_global_unstructured_refuses_one_tensor_listed_twice() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(ConfigError, match="more than once"):
        prune.global_unstructured([(layer, "weight"), (layer, "weight")],
                                  prune.L1Unstructured, amount=3)
    assert not prune.is_pruned(layer)


def test_global_unstructured_refuses_a_method_instance() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(ArgumentTypeError, match="must be the class"):
        prune.global_unstructured([(layer, "weight")], prune.L1Unstructured(amount=2))


def test_ln_structured_n_none_is_the_2_norm() -> None:
    weight = np.array([[3.0, 4.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 2.5]])
    # row 2-norms 5, sqrt(3), 2.5 (1-norms 7, 3, 2.5 would prune row 2 instead)
    layer = nn.Linear(3, 3, bias=False)
    layer.weight.data = weight.copy()
    prune.ln_structured(layer, "weight", 1, n=None, dim=0)
    norms = np.sqrt((weight ** 2).sum(axis=1))
    want = np.ones_like(weight)
    want[np.argmin(norms)] = 0
    np.testing.assert_array_equal(_values(layer.weight_mask), want)


def test_stateless_functional_call_warns_and_names_the_new_spelling() -> None:
    layer = nn.Linear(2, 2)
    x = ag.ones(1, 2)
    params = {"weight": ag.tensor(np.eye(2))}
    with pytest.warns(FutureWarning, match="autograd.func.functional_call") as record:
        got = nn.utils.stateless.functional_call(layer, params, (x,))
    assert record[0].filename == __file__  # points at the caller's line
    want = ag.func.functional_call(layer, params, (x,))
    np.testing.assert_array_equal(_values(got), _values(want))
