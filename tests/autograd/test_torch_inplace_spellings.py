"""PyTorch's in-place methods (``add_ sub_ mul_ div_ neg_ clamp_ copy_``): the values
PyTorch gives, the rules of ``+=`` (refused on tensors that require grad unless under
no_grad(), stamped so an older graph refuses to backward), and named errors."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import DataError, DTypeError, InplaceError, ShapeError, Tensor, UsageError

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
ROW = RNG.standard_normal(4) + 2.0  # broadcasts along the rows; away from 0 for div_


def _torch() -> Any:
    return pytest.importorskip("torch")


# (name, update): the update takes the tensor and a function turning an array into the
# library's tensor, and calls one in-place method
UPDATES: list[tuple[str, Callable[[Any, Callable], Any]]] = [
    ("add_", lambda t, of: t.add_(of(ROW))),
    ("add_ alpha", lambda t, of: t.add_(of(ROW), alpha=-0.5)),
    ("add_ number", lambda t, of: t.add_(2.5, alpha=3)),
    ("sub_", lambda t, of: t.sub_(of(ROW))),
    ("sub_ alpha", lambda t, of: t.sub_(of(X), alpha=0.1)),
    ("mul_", lambda t, of: t.mul_(of(ROW))),
    ("mul_ number", lambda t, of: t.mul_(-2.0)),
    ("div_", lambda t, of: t.div_(of(ROW))),
    ("neg_", lambda t, of: t.neg_()),
    ("clamp_", lambda t, of: t.clamp_(-0.5, 0.5)),
    ("clamp_ min", lambda t, of: t.clamp_(min=0.0)),
    ("clamp_ max", lambda t, of: t.clamp_(max=0.1)),
    ("clamp_ min > max", lambda t, of: t.clamp_(1.0, -1.0)),
    ("clamp_ tensor bound", lambda t, of: t.clamp_(min=of(ROW - 2.0))),
    ("copy_", lambda t, of: t.copy_(of(X[::-1]))),
    ("copy_ broadcast", lambda t, of: t.copy_(of(ROW))),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, update", UPDATES, ids=[u[0] for u in UPDATES])
def test_in_place_methods_match_pytorch(name: str, update: Callable, dtype: str) -> None:
    torch = _torch()
    ours, theirs = Tensor(X.astype(dtype)), torch.tensor(X.astype(dtype))
    assert update(ours, lambda a: Tensor(a.astype(dtype))) is ours  # returns self
    update(theirs, lambda a: torch.tensor(a.astype(dtype)))
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("update", [
    lambda t, of: t.copy_(of([1.7, -2.5, 3.9])),  # floats truncate toward 0
    lambda t, of: t.clamp_(1, 3),
    lambda t, of: t.add_(of([1, 2, 3]), alpha=2),
    lambda t, of: t.mul_(3),
], ids=["copy_ float to int", "clamp_", "add_ alpha", "mul_"])
def test_integer_tensors_as_pytorch(update: Callable) -> None:
    torch = _torch()
    ours, theirs = Tensor(np.arange(6).reshape(2, 3)), torch.arange(6).reshape(2, 3)
    update(ours, lambda a: Tensor(np.array(a)))
    update(theirs, torch.tensor)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_copy_casts_to_bool_and_neg_wraps_unsigned_as_pytorch() -> None:
    torch = _torch()
    ours = Tensor(np.zeros(3, bool)).copy_(Tensor([0.0, 0.5, -2.0]))
    np.testing.assert_array_equal(
        ours.data, torch.zeros(3, dtype=torch.bool).copy_(torch.tensor([0.0, 0.5, -2.0])))
    ours = Tensor(np.array([1, 2], np.uint8)).neg_()
    np.testing.assert_array_equal(ours.data, torch.tensor([1, 2], dtype=torch.uint8).neg_())


def test_a_hand_written_optimizer_step_matches_pytorch() -> None:
    torch = _torch()
    w, tw = Tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    target, t_target = Tensor(np.zeros_like(X)), torch.zeros(X.shape, dtype=torch.float64)
    for _ in range(3):
        (w * w * w).sum().backward()
        (tw * tw * tw).sum().backward()
        with ag.no_grad():
            w.sub_(0.1 * w.grad)
            target.mul_(0.5).add_(w, alpha=0.5)  # a moving average of the weights
        with torch.no_grad():
            tw.sub_(0.1 * tw.grad)
            t_target.mul_(0.5).add_(tw, alpha=0.5)
        w.grad, tw.grad = None, None
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(target.data, t_target.numpy(), rtol=1e-12)
    assert w.requires_grad and w.is_leaf
    with ag.no_grad():
        target.copy_(w)
    np.testing.assert_array_equal(target.data, w.data)
    assert not target.requires_grad


CALLS = [("add_", "x = x \\+ y", lambda t, o: t.add_(o)),
         ("add_", "x = x \\+ 2 \\* y", lambda t, o: t.add_(o, alpha=2)),
         ("sub_", "x = x - y", lambda t, o: t.sub_(o)),
         ("mul_", "x = x \\* y", lambda t, o: t.mul_(o)),
         ("div_", "x = x / y", lambda t, o: t.div_(o)),
         ("neg_", "x = -x", lambda t, o: t.neg_()),
         ("clamp_", "x = x.clamp", lambda t, o: t.clamp_(o)),
         ("copy_", "x = y.broadcast_to", lambda t, o: t.copy_(o))]


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_refused_on_a_tensor_requiring_grad_while_recording(name: str, instead: str,
                                                            call: Callable) -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(InplaceError, match=rf"in-place {name} on a leaf tensor that requires "
                                           rf"grad.*Write {instead}.*no_grad\(\)"):
        call(w, Tensor(np.ones(3)))  # on computed tensors: recorded (test_inplace_methods_recorded)
    with ag.no_grad():
        assert call(w, Tensor(np.full(3, 0.5))) is w
    np.testing.assert_array_equal(call(Tensor(np.ones(3)), 0.5).data,
                                  call(Tensor(np.ones(3)), Tensor(np.full(3, 0.5))).data)


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_writes_are_stamped_so_an_older_graph_refuses(name: str, instead: str,
                                                      call: Callable) -> None:
    a = Tensor(np.full(3, 2.0))
    w = Tensor(np.ones(3), requires_grad=True)
    y = (a * w).sum()  # Mul saved a's values for w's gradient
    call(a[1:], 0.5)  # through a view
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_read_only_arrays_are_refused(name: str, instead: str, call: Callable) -> None:
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(UsageError, match=f"in-place {name} into a read-only array"):
        call(Tensor(frozen), 0.5)


def test_shape_and_dtype_errors_are_named() -> None:
    with pytest.raises(ShapeError, match=r"in-place add_: .*\(2,3\)"):
        Tensor(np.ones(3)).add_(Tensor(np.ones((2, 3))))  # PyTorch refuses to grow self
    with pytest.raises(ShapeError, match=r"in-place copy_: .*\(4,\).*\(3,\)"):
        Tensor(np.ones(3)).copy_(Tensor(np.ones(4)))
    with pytest.raises(DTypeError, match="in-place div_ cannot store the result in a int64"):
        Tensor(np.arange(3)).div_(2)  # PyTorch: Float can't be cast to Long
    with pytest.raises(DTypeError, match="in-place add_ cannot store the result in a int64"):
        Tensor(np.arange(3)).add_(Tensor(np.arange(3)), alpha=2.5)
    with pytest.raises(DTypeError, match="in-place clamp_ cannot store the result in a int64"):
        Tensor(np.arange(3)).clamp_(1.5, 3)
    with pytest.raises(DTypeError, match="in-place neg_ .* bool tensor.*logical_not"):
        Tensor(np.ones(3, bool)).neg_()
    with pytest.raises(UsageError, match="clamp_: give at least one of min and max"):
        Tensor(np.ones(3)).clamp_()
    with pytest.raises(DTypeError, match="holds bool, integer or float data; got dtype <U1"):
        Tensor(np.ones(3)).copy_(["a", "b", "c"])
    with pytest.raises(DataError, match="ragged"):
        Tensor(np.ones(2)).copy_([[1.0], [1.0, 2.0]])


# ------------------------------------------------------------------ uniform_ and normal_
def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_fills_draw_as_rand_and_randn_do(dtype: Any) -> None:
    t = Tensor(np.zeros((40, 50), dtype))
    assert t.uniform_(-2.0, 3.0, generator=_rng()) is t and t.dtype == dtype
    expected = (ag.rand(40, 50, generator=_rng()) * 5.0 - 2.0).astype(dtype)
    np.testing.assert_allclose(t.data, expected.data, rtol=1e-6)
    assert t.data.min() >= -2.0 and t.data.max() < 3.0
    t.normal_(1.5, 0.5, generator=_rng())
    expected = (ag.randn(40, 50, generator=_rng()) * 0.5 + 1.5).astype(dtype)
    np.testing.assert_allclose(t.data, expected.data, rtol=1e-6)
    assert t.uniform_().data.max() < 1.0 and abs(t.normal_().data.mean()) < 0.2  # unseeded


def test_random_fills_of_degenerate_ranges_as_pytorch() -> None:
    torch = _torch()
    np.testing.assert_array_equal(Tensor(np.zeros(3)).uniform_(1, 1).data,
                                  torch.zeros(3, dtype=torch.float64).uniform_(1, 1).numpy())
    np.testing.assert_array_equal(Tensor(np.zeros(3)).normal_(2, 0).data,
                                  torch.zeros(3, dtype=torch.float64).normal_(2, 0).numpy())


def test_random_fills_follow_the_in_place_rules() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(InplaceError, match=r"in-place uniform_ .*Write x = autograd.rand"):
        w.uniform_()
    with pytest.raises(InplaceError, match=r"in-place normal_ .*Write x = autograd.randn"):
        w.normal_()
    with ag.no_grad():  # initialising a parameter, as nn.init does
        w.normal_(0, 0.01, generator=_rng())
    assert w.requires_grad and w.is_leaf and np.abs(w.data).max() < 0.1
    a = Tensor(np.ones(3))
    y = (a * w).sum()
    a.uniform_()
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(UsageError, match="in-place normal_ into a read-only array"):
        Tensor(frozen).normal_()


def test_random_fills_name_bad_arguments() -> None:
    torch = _torch()
    with pytest.raises(RuntimeError):  # PyTorch refuses the same three
        torch.ones(3).uniform_(1, 0)
    with pytest.raises(UsageError, match=r"a <= b; got a=1, b=0"):
        Tensor(np.ones(3)).uniform_(1, 0)
    with pytest.raises(UsageError, match="must be finite"):
        Tensor(np.ones(3)).uniform_(0, float("inf"))
    with pytest.raises(RuntimeError):
        torch.ones(3).normal_(0, -1)
    with pytest.raises(UsageError, match="std must be >= 0; got -1"):
        Tensor(np.ones(3)).normal_(0, -1)
    with pytest.raises(NotImplementedError):
        torch.ones(3, dtype=torch.long).uniform_()
    for fill in ("uniform_", "normal_"):
        with pytest.raises(DTypeError, match=f"{fill} fills a floating tensor.*int64"):
            getattr(Tensor(np.arange(3)), fill)()
        with pytest.raises(ag.GeneratorError, match="numpy.random.Generator.*got int"):
            getattr(Tensor(np.ones(3)), fill)(generator=0)


# ------------------------------------------------------------------ type_as, clamp_min/max
@pytest.mark.parametrize("method, bound", [("clamp_min", 0.2), ("clamp_max", -0.1),
                                           ("clamp_min", ROW - 2.0), ("clamp_max", ROW - 2.0)])
def test_clamp_min_and_max_as_pytorch(method: str, bound: Any) -> None:
    torch = _torch()
    x = Tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    theirs = getattr(tx, method)(torch.tensor(bound) if isinstance(bound, np.ndarray) else bound)
    g = RNG.standard_normal(X.shape)
    getattr(x, method)(bound).backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_array_equal(getattr(x, method)(bound).data, theirs.detach().numpy())
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    assert ag.gradcheck(lambda t: getattr(t, method)(bound), [Tensor(X, requires_grad=True)])
    with pytest.raises(UsageError, match=f"{method} needs a bound"):
        getattr(x, method)(None)


@pytest.mark.parametrize("source, target", [("float64", "float32"), ("float32", "float64"),
                                            ("float64", "int64"), ("int64", "float32"),
                                            ("float32", "bool")])
def test_type_as_as_pytorch(source: str, target: str) -> None:
    torch = _torch()
    values = X * 3
    ours = Tensor(values.astype(source)).type_as(Tensor(np.ones(2, target)))
    theirs = torch.tensor(values.astype(source)).type_as(torch.ones(2).to(getattr(torch, target)))
    assert ours.dtype == np.dtype(target)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_type_as_keeps_the_graph_between_floats_and_returns_self_for_the_same_dtype() -> None:
    x = Tensor(X, requires_grad=True)
    assert x.type_as(Tensor(np.ones(1))) is x  # PyTorch returns self too
    y = x.type_as(Tensor(np.ones(1, np.float32)))
    assert y.dtype == np.float32 and y.requires_grad
    y.sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, np.ones(X.shape))
    labels = x.type_as(Tensor(np.ones(1, np.int64)))  # a constant, as x.long()
    assert labels.dtype == np.int64 and not labels.requires_grad
    with pytest.raises(UsageError, match="type_as needs a Tensor.*got str.*astype"):
        x.type_as("float32")


# ------------------------------------------------------------------ inference_mode
def _modes(lib: Any, outer: bool, mode: bool) -> list[bool]:
    """is_grad_enabled() seen inside inference_mode(mode) used four ways, under ``outer``."""
    @lib.inference_mode
    def bare() -> bool:
        return lib.is_grad_enabled()

    @lib.inference_mode(mode)
    def decorated() -> bool:
        return lib.is_grad_enabled()

    @lib.inference_mode(mode=mode)
    def generate():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()

    with lib.set_grad_enabled(outer):
        with lib.inference_mode(mode):
            seen = [lib.is_grad_enabled()]
        seen += [lib.is_grad_enabled(), bare(), decorated()]
        for inside in generate():
            seen += [inside, lib.is_grad_enabled()]  # the caller keeps its own mode
    return seen


@pytest.mark.parametrize("outer", [True, False])
@pytest.mark.parametrize("mode", [True, False])
def test_inference_mode_switches_as_pytorch(outer: bool, mode: bool) -> None:
    assert _modes(ag, outer, mode) == _modes(_torch(), outer, mode)


def test_inference_mode_is_no_grad_here() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    with ag.inference_mode():
        y = x * 2
    assert not y.requires_grad
    z = (y * x).sum()  # PyTorch would refuse y (an inference tensor) here; here it is
    z.backward()       # an ordinary constant
    np.testing.assert_array_equal(x.grad.data, y.data)
    with ag.inference_mode():
        x.add_(1)  # allowed, as under no_grad()
    np.testing.assert_array_equal(x.data, np.full(3, 2.0))
    assert ag.is_grad_enabled() and x.requires_grad


# ------------------------------------------------------------------ from_numpy
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "uint8", "bool"])
def test_from_numpy_shares_memory_as_pytorch(dtype: str) -> None:
    torch = _torch()
    a, b = (np.arange(6).reshape(2, 3).astype(dtype) for _ in range(2))
    ours, theirs = ag.from_numpy(a), torch.from_numpy(b)
    assert ours.dtype == a.dtype and theirs.numpy().dtype == b.dtype
    a[0, 0] = b[0, 0] = 1  # a write through the array is seen by the tensor
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    ours.copy_(Tensor(np.zeros(3, dtype)))
    theirs.copy_(torch.zeros(3).to(theirs.dtype))  # and a write through the tensor
    np.testing.assert_array_equal(a, b)
    assert not ours.requires_grad and ag.from_numpy(np.array(2.5)).shape == ()


@pytest.mark.parametrize("data, error, match", [
    ([1.0, 2.0], UsageError, "needs a numpy.ndarray; got list.*autograd.tensor"),
    (np.float64(1.0), UsageError, "needs a numpy.ndarray; got float64"),
    (np.array(["a"]), DTypeError, "bool, integer or float data; got an array of dtype <U1"),
    (np.array([1], dtype=object), DTypeError, "got an array of dtype object"),
    (np.ones(2, ">f8"), DataError, r"byte order \(>f8\).*newbyteorder"),
], ids=["list", "numpy scalar", "text", "object", "big-endian"])
def test_from_numpy_refuses_as_pytorch(data: Any, error: type, match: str) -> None:
    torch = _torch()
    with pytest.raises(TypeError if error is not DataError else ValueError):
        torch.from_numpy(data)  # the same built-in class as ours
    with pytest.raises(error, match=match):
        ag.from_numpy(data)


# ------------------------------------------------------------------ fill_ and zero_ casts
@pytest.mark.parametrize("dtype", ["bool", "int64", "uint8", "float32"])
@pytest.mark.parametrize("value", [0, 1, 2.7, -0.5, True])
def test_fill_and_zero_cast_as_pytorch(dtype: str, value: Any) -> None:
    torch = _torch()
    if dtype == "uint8" and value == -0.5:
        pytest.skip("a negative float into uint8 is undefined in C, so in both libraries")
    ours, theirs = Tensor(np.ones(3, dtype)), torch.ones(3).to(getattr(torch, dtype))
    np.testing.assert_array_equal(ours.fill_(value).data, theirs.fill_(value).numpy())
    np.testing.assert_array_equal(ours.zero_().data, theirs.zero_().numpy())
    assert ours.dtype == np.dtype(dtype)


def test_an_integer_out_of_range_wraps_as_pytorch_and_beyond_int64_is_a_dtype_error() -> None:
    torch = _torch()
    ours = Tensor(np.zeros(2, np.uint8)).__iadd__(300)
    assert ours.tolist() == torch.zeros(2, dtype=torch.uint8).__iadd__(300).tolist()
    with pytest.raises(DTypeError, match="does not fit in uint8 nor in int64"):
        Tensor(np.zeros(2, np.uint8)).__iadd__(2 ** 70)


@pytest.mark.parametrize("value", [lambda m: m.tensor([1.0, 2.0, 3.0]),
                                   lambda m: m.ones((1,))])
def test_fill_takes_one_value_as_pytorch(value: Any) -> None:
    torch = _torch()
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor"):
        torch.zeros(3).fill_(value(torch))
    ours = Tensor(np.zeros(3))
    with pytest.raises(UsageError, match=r"fill_ takes one value .*write t.copy_\(values\)"):
        ours.fill_(value(ag))
    with pytest.raises(UsageError, match=r"got a ndarray of shape \(3,\)"):
        ours.fill_(np.arange(3.0))
    np.testing.assert_array_equal(ours.data, np.zeros(3))  # nothing written
    np.testing.assert_array_equal(ours.fill_(ag.tensor(2.0)).data,
                                  torch.zeros(3, dtype=torch.float64).fill_(
                                      torch.tensor(2.0)).numpy())
