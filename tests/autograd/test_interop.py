"""NumPy interop: NumPy functions on Tensors run the differentiable ops, ``out=`` gives
plain NumPy, and what has no op says so. Also: a foreign ``autograd`` package found
before this one makes ``import nn`` say what happened."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, UsageError
from autograd.extend import Function


def leaf(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).uniform(0.5, 2.0, shape), requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: np.exp(x), lambda x: np.log(x), lambda x: np.sqrt(x), lambda x: np.tanh(x),
    lambda x: np.abs(x), lambda x: -np.negative(x), lambda x: np.maximum(x, 1.0),
    lambda x: np.minimum(1.0, x), lambda x: np.power(x, 3), lambda x: np.multiply(2.0, x),
    lambda x: np.arange(6.0).reshape(2, 3) * x, lambda x: np.ones(3) - x,
    lambda x: np.ones((3, 3)) @ x.T, lambda x: np.sum(x, axis=0), lambda x: np.mean(x),
    lambda x: np.var(x, axis=1), lambda x: np.max(x, axis=1), lambda x: np.clip(x, 0.7, 1.5),
    lambda x: np.reshape(x, (3, 2)), lambda x: np.transpose(x),
    lambda x: np.concatenate([x, np.ones((1, 3))]), lambda x: np.stack([x, x], axis=1),
    lambda x: np.where(x.data > 1, x, 0.0), lambda x: np.expand_dims(x, 0),
])
def test_numpy_functions_on_tensors_are_differentiable(fn) -> None:
    x = leaf(2, 3)
    y = fn(x)
    assert isinstance(y, Tensor) and y.requires_grad
    assert ag.gradcheck(lambda t: fn(t), [x])


def test_numpy_results_match_numpy() -> None:
    x = leaf(2, 3)
    np.testing.assert_allclose(np.exp(x).data, np.exp(x.data))
    np.testing.assert_allclose(np.sum(x, axis=1, keepdims=True).data,
                               np.sum(x.data, axis=1, keepdims=True))
    assert (np.ones(3, dtype=np.float32) * Tensor(np.ones(3, dtype=np.float32))).dtype \
        == np.float32


SPD = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.2], [0.5, 0.2, 1.5]])  # symmetric positive definite


@pytest.mark.parametrize("name, fn", [
    ("solve", lambda a: np.linalg.solve(a, np.arange(3.0))),
    ("solve matrices", lambda a: np.linalg.solve(a, np.ones((3, 2)) + a[:, :2])),
    ("slogdet", lambda a: np.linalg.slogdet(a)[1]),
    ("cholesky", lambda a: np.linalg.cholesky(a @ a.T)),
    ("det", lambda a: np.linalg.det(a)), ("inv", lambda a: np.linalg.inv(a)),
    ("norm", lambda a: np.linalg.norm(a)), ("norm fro", lambda a: np.linalg.norm(a, "fro")),
    ("norm axis", lambda a: np.linalg.norm(a, 1, axis=0, keepdims=True)),
    ("norm vector", lambda a: np.linalg.norm(a[0], np.inf)),
    ("einsum", lambda a: np.einsum("ii", a)),
])
def test_numpy_linalg_on_tensors_matches_numpy_and_is_differentiable(name, fn) -> None:
    a = Tensor(SPD.copy(), requires_grad=True)
    y = fn(a)
    assert isinstance(y, Tensor) and y.requires_grad, name
    np.testing.assert_allclose(y.data, fn(SPD), rtol=1e-12, err_msg=name)
    assert ag.gradcheck(fn, [a]), name


@pytest.mark.parametrize("ord_, axis", [(2, None), (1, None), (np.inf, (0, 1)), ("nuc", None)])
def test_numpy_matrix_norms_are_numpys_not_vector_norms(ord_, axis) -> None:
    """np.linalg.norm(matrix, 2) is the spectral norm; t.norm(2) is the 2-norm of all
    elements. Dispatching one to the other would be a silent wrong answer."""
    out = np.linalg.norm(Tensor(SPD), ord_, axis)
    np.testing.assert_allclose(out.data, np.linalg.norm(SPD, ord_, axis), rtol=1e-12)


def test_numpy_norm_fro_of_a_vector_is_refused() -> None:
    with pytest.raises(UsageError, match="t.norm"):
        np.linalg.norm(Tensor(SPD), "fro", 0)


def test_the_escape_hatch_w_data_minus_equals_lr_times_grad() -> None:
    w = leaf(3)
    (w * w).sum().backward()
    before, grad = w.data.copy(), w.grad.data.copy()
    w.data -= 0.1 * w.grad  # the first line of a hand-written gradient-descent step
    np.testing.assert_allclose(w.data, before - 0.1 * grad)
    assert type(w.data) is np.ndarray and w.requires_grad


def test_out_gives_plain_untracked_numpy() -> None:
    x = leaf(3)
    out = np.empty(3)
    result = np.multiply(x, 2.0, out=out)
    assert result is out and type(result) is np.ndarray
    np.testing.assert_allclose(out, 2 * x.data)
    with pytest.raises(UsageError, match="cannot be a NumPy output"):
        np.multiply(x.data, 2.0, out=(Tensor(np.empty(3)),))


def test_concatenate_with_axis_none_flattens_first_as_numpy() -> None:
    a, b = leaf(2, 3), leaf(3, seed=1)
    for joined in (np.concatenate([a, b], axis=None), ag.concatenate([a, b], axis=None)):
        np.testing.assert_array_equal(joined.data, np.concatenate([a.data, b.data], axis=None))
    assert ag.gradcheck(lambda a, b: np.concatenate([a, b * b], axis=None), [a, b])


def test_where_with_only_a_condition_gives_the_indices_as_numpy() -> None:
    x = leaf(2, 3, seed=2) - 1.25
    for found in (np.where(x > 0), ag.where(x > 0)):
        assert len(found) == 2
        for ours, numpys in zip(found, np.where(x.data > 0)):
            np.testing.assert_array_equal(ours, numpys)
    with pytest.raises(UsageError, match="give both a and b.*or neither"):
        ag.where(x > 0, x)


def test_functions_without_an_op_name_the_alternative() -> None:
    x = leaf(3)
    with pytest.raises(UsageError, match=r"np\.unwrap has no differentiable version.*"
                                         r"np\.unwrap\(t\.data\)"):
        np.unwrap(x)  # (np.cov and np.cbrt were here: they have one now)
    with pytest.raises(UsageError, match=r"np\.add\.reduce has no differentiable version"):
        np.add.reduce(x)
    with pytest.raises(UsageError, match=r"np\.piecewise has no differentiable version "
                                         r"for Tensors: use np\.select"):
        np.piecewise(x, [x > 1], [0.0, 1.0])  # a function with a hint says what to write
    with pytest.raises(UsageError, match=r"np\.linalg\.eig returns complex.*np\.linalg\.eigh"
                                         r".*np\.linalg\.eig\(t\.data\)"):
        np.linalg.eig(x * x[:, None])  # was "np.eig(t.data)", which does not exist
    with pytest.raises(TypeError):  # UsageError is also the built-in a user would catch
        np.unwrap(x)


def test_inspecting_functions_return_plain_numpy() -> None:
    x = leaf(2, 3)
    assert np.shape(x) == (2, 3) and np.ndim(x) == 2 and np.size(x) == 6
    assert np.allclose(x, x.data) and type(np.array_equal(x, x.data)) is not Tensor
    assert type(np.count_nonzero(x > 0)) is Tensor  # as t.count_nonzero() (set_methods)
    assert type(np.logical_not(x > 0)) is Tensor  # a method of its name exists (tensor_logic)


def test_a_numpy_function_gives_what_the_tensor_method_of_its_name_gives() -> None:
    """np.f(t) is a Tensor exactly when t.f() is one: only functions without a method of
    their name return plain NumPy."""
    from autograd.interop import INSPECTING
    for function in INSPECTING:  # allclose: a Python bool from both, as PyTorch's method
        method = getattr(Tensor, function.__name__, None)
        assert method is None or isinstance(method, property) or function is np.allclose, \
            function.__name__
    assert type(np.allclose(Tensor([1.0]), 1.0)) is type(Tensor([1.0]).allclose(1.0)) is bool
    data = np.array([[0.5, -np.inf, np.nan], [-2.0, 0.0, 3.0]])
    x = Tensor(data)
    for name, kwargs in (("sign", {}), ("isnan", {}), ("isinf", {}), ("isfinite", {}),
                         ("argmax", {"axis": 1}), ("argmin", {}), ("all", {"axis": 0}),
                         ("any", {"axis": 1, "keepdims": True})):
        ours, method = getattr(np, name)(x, **kwargs), getattr(x, name)(**kwargs)
        assert type(ours) is Tensor and not ours.requires_grad, name
        np.testing.assert_array_equal(ours.data, method.data)
        expected = getattr(np, name)(data, **kwargs)
        if name == "sign":  # PyTorch's sign of NaN, 0 (NumPy's is NaN)
            expected = np.where(np.isnan(data), 0.0, expected)
        np.testing.assert_array_equal(ours.data, expected)
    y = Tensor(np.array([0.5, -2.0]), requires_grad=True)
    assert np.sign(y).requires_grad and np.sign(y).grad_fn is not None  # as y.sign()


class _ExpByNumpy(Function):
    """y = e^x, its VJP written with np.exp: it must also work at second order."""

    def forward(self, x):
        return np.exp(x)

    def vjp(self, g, out, x):
        return (g * np.exp(x),)


def test_a_vjp_written_with_numpy_works_at_second_order() -> None:
    x = leaf(3)
    assert ag.gradgradcheck(lambda t: _ExpByNumpy()(t), [x])


def test_gradcheck_accepts_one_bare_tensor() -> None:
    x = leaf(3, 2)
    assert ag.gradcheck(lambda t: (t * t).sum(), x)  # not iterated row by row
    assert ag.gradgradcheck(lambda t: (t * t * t).sum(), x)


def test_a_foreign_autograd_package_makes_nn_say_what_happened() -> None:
    code = """
import sys, types
fake = types.ModuleType("autograd")  # what HIPS autograd looks like to us: no Tensor
fake.__file__ = "/site-packages/autograd/__init__.py"
sys.modules["autograd"] = fake
try:
    import nn
except ImportError as exc:
    print(exc)
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, timeout=60)
    assert "another package with the same name at /site-packages/autograd" in run.stdout
    assert "pip uninstall autograd" in run.stdout


def test_array_protocol_refuses_a_copy_that_copy_false_forbids() -> None:
    """np.array(t, dtype=other, copy=False) copied silently (NumPy 2 expects a refusal,
    as for an ndarray); the same dtype shares the memory, as np.asarray does."""
    t = Tensor(np.arange(3.0))
    with pytest.raises(UsageError, match="Unable to avoid copy"):  # also a ValueError
        np.array(t, dtype=np.float32, copy=False)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.array(np.arange(3.0), dtype=np.float32, copy=False)  # NumPy's own rule
    assert np.shares_memory(np.array(t, copy=False), t.data)
    assert np.array(t, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("compare", [np.less, np.less_equal, np.greater, np.greater_equal,
                                     np.equal, np.not_equal])
def test_an_array_compared_with_a_tensor_gives_numpys_answer(compare) -> None:
    """``array < t`` runs as ``t > array``: a wrong swap table passed the other tests."""
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    np.testing.assert_array_equal(compare(a, ag.Tensor(b)).data, compare(a, b))
    np.testing.assert_array_equal(compare(ag.Tensor(a), b).data, compare(a, b))


def test_ufunc_keywords_and_matrix_norms_of_3d_tensors_are_refused() -> None:
    """np.exp(t, where=m) would silently ignore where=; NumPy refuses 'fro' on 3-d."""
    t = ag.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    with pytest.raises(ag.UsageError, match=r"np\.exp\(t, where=\.\.\.\): the differentiable "
                                            r"np\.exp takes no keyword arguments.*autograd\.where"):
        np.exp(t, where=np.array([True, False, True]))  # names the keyword, not "no version"
    with pytest.raises(ValueError):
        np.linalg.norm(np.ones((2, 2, 2)), "fro")
    with pytest.raises(ag.UsageError, match=r"or a matrix \(axis a pair"):
        np.linalg.norm(ag.Tensor(np.ones((2, 2, 2))), "fro")
