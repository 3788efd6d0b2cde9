"""``out=`` as PyTorch's (the s33 fuzzing pass): a view ``out`` that must be resized (and
a view's ``resize_``) keeps writing into its base, a float ``out`` of integer inputs is
computed in out's dtype, a tuple ``out`` comes back as the named pair, creation functions
make out's dtype and take ``requires_grad=True``, a ``dtype=`` that contradicts out's is
refused, and ``inverse`` takes ``out=``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, UnsupportedError


def _quiet(call):
    """call() without the resize warning (PyTorch gives it too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return call()


# ------------------------------------------------------------ 3: views resized
@pytest.mark.parametrize("view", [lambda b: b[1:4], lambda b: b[::2], lambda b: b[2:]])
def test_resized_view_out_writes_into_base(torch, view) -> None:
    def run(lib):
        base = lib.zeros(6)
        _quiet(lambda: lib.exp(lib.tensor([0.0, 1.0]), out=view(base)))
        return base
    np.testing.assert_allclose(run(ag).data, run(torch).numpy(), rtol=1e-15)


@pytest.mark.parametrize("size", [(2,), (5,), (2, 2), (3,)])
def test_view_resize_then_write_reaches_base(torch, size) -> None:
    def run(lib):
        base = lib.arange(6.0)
        view = base[1:4]
        view.resize_(*size)
        view.fill_(9.0)
        return base, view
    ours, theirs = run(ag), run(torch)
    for a, t in zip(ours, theirs):
        np.testing.assert_array_equal(a.data, t.numpy())


def test_strided_view_resize_lays_out_from_its_first_element(torch) -> None:
    def run(lib):
        base = lib.arange(6.0).reshape(2, 3)
        view = base.t()
        view.resize_(2, 3)
        return view
    np.testing.assert_array_equal(run(ag).data, run(torch).numpy())


def test_view_that_cannot_fit_is_refused_not_detached(torch) -> None:
    base = ag.zeros(5)
    with pytest.raises(UnsupportedError, match="resize a copy"):
        _quiet(lambda: ag.exp(ag.arange(6.0), out=base[1:3]))
    with pytest.raises(UnsupportedError, match="Resize the base"):
        ag.arange(6.0)[1:4].resize_(6)
    theirs = torch.arange(6.0)[1:4]
    theirs.resize_(6)  # PyTorch grows the storage it shares with the base
    assert theirs.shape == (6,)


# ------------------------------------------------------ 4: integer inputs, float out
INTEGER_CASES = [(name, dtype) for name in ("exp", "sqrt", "log", "sigmoid", "sin")
                 for dtype in ("bool", "uint8", "int8", "int16")
                 if dtype != "bool" or name in ("exp", "sin")]  # (sqrt, log of 0, 1: exact)


@pytest.mark.parametrize("name, dtype", INTEGER_CASES)
def test_integer_inputs_into_float64_out(torch, name, dtype) -> None:
    values = np.array([1, 0, 1], dtype) if dtype == "bool" else np.array([1, 2, 7], dtype)
    ours = getattr(ag, name)(ag.tensor(values), out=ag.zeros(3))
    theirs = getattr(torch, name)(torch.tensor(values), out=torch.zeros(3))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-15)


# ------------------------------------------------------------ 1: named pairs
@pytest.mark.parametrize("container", [tuple, list])
def test_pair_out_returns_named_pair_of_outs(torch, container) -> None:
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    ours_outs = container([ag.zeros(0), ag.zeros(0, dtype=ag.int64)])
    theirs_outs = container([torch.zeros(0), torch.zeros(0, dtype=torch.int64)])
    ours = ag.sort(ag.tensor(x), dim=1, out=ours_outs)
    theirs = torch.sort(torch.tensor(x), dim=1, out=theirs_outs)
    assert ours.values is ours_outs[0] and ours.indices is ours_outs[1]
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_max_dim_out_pair(torch) -> None:
    x = np.array([[1.0, 3.0], [4.0, 2.0]])
    ours = ag.max(ag.tensor(x), dim=1, out=(ag.zeros(0), ag.zeros(0, dtype=ag.int64)))
    theirs = torch.max(torch.tensor(x), dim=1,
                       out=(torch.zeros(0), torch.zeros(0, dtype=torch.int64)))
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())


# ------------------------------------------------- 2: creation in out's dtype
CREATIONS = {
    "zeros": lambda lib, out: lib.zeros(3, out=out),
    "ones": lambda lib, out: lib.ones(2, 2, out=out),
    "full": lambda lib, out: lib.full((2,), 2.5, out=out),
    "eye": lambda lib, out: lib.eye(2, out=out),
    "arange": lambda lib, out: lib.arange(0.5, 4.2, 1.1, out=out),
    "linspace": lambda lib, out: lib.linspace(0, 10, 5, out=out),
    "logspace": lambda lib, out: lib.logspace(0, 2, 3, out=out),
}


@pytest.mark.parametrize("name", sorted(CREATIONS))
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_creation_makes_out_dtype(torch, name, dtype) -> None:
    if dtype == "bool" and name in ("linspace", "logspace", "arange"):
        pytest.skip("PyTorch has no bool linspace/logspace/arange")
    make = CREATIONS[name]
    ours = make(ag, ag.zeros(0, dtype=getattr(ag, dtype)))
    theirs = make(torch, torch.zeros(0, dtype=getattr(torch, dtype)))
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


# ---------------------------------------------------- 12: dtype= against out's
@pytest.mark.parametrize("call", [
    lambda lib: lib.sum(lib.ones(2, 2), 0, dtype=lib.float32, out=lib.zeros(2)),
    lambda lib: lib.cumsum(lib.ones(2), dim=0, dtype=lib.float32, out=lib.zeros(2)),
    lambda lib: lib.softmax(lib.ones(2), dim=0, dtype=lib.float32, out=lib.zeros(2)),
    lambda lib: lib.arange(3, dtype=lib.float32, out=lib.zeros(0)),
    lambda lib: lib.linspace(0, 1, 3, dtype=lib.float32, out=lib.zeros(0)),
    lambda lib: lib.full((2,), 1.0, dtype=lib.float32, out=lib.zeros(2)),
    lambda lib: lib.zeros(2, dtype=lib.int64, out=lib.zeros(2)),
])
def test_dtype_contradicting_out_is_refused(torch, call) -> None:
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(DTypeError, match="must match"):
        call(ag)


# ------------------------------------------------------------ 10: inverse(out=)
def test_inverse_out(torch) -> None:
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    out = ag.zeros(0)
    ours = ag.inverse(ag.tensor(a), out=out)
    assert ours is out
    np.testing.assert_allclose(out.data, torch.inverse(torch.tensor(a)).numpy(), rtol=1e-14)


# ------------------------------------------------ 14c: requires_grad with out=
@pytest.mark.parametrize("make", [
    lambda lib, out: lib.zeros(2, requires_grad=True, out=out),
    lambda lib, out: lib.arange(3.0, requires_grad=True, out=out),
])
def test_creation_requires_grad_with_out(torch, make) -> None:
    ours_out, theirs_out = ag.zeros(0), torch.zeros(0)
    ours, theirs = make(ag, ours_out), make(torch, theirs_out)
    assert ours is ours_out and theirs is theirs_out
    assert ours.requires_grad == theirs.requires_grad
    assert ours.is_leaf == theirs.is_leaf
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
