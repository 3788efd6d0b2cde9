"""``max``/``min``/``sort`` follow the library the call is spelled in: NumPy's spelling
(``axis=``, ``keepdims=``, NumPy's own functions) gives the values, PyTorch's (``dim=``, an
axis with ``keepdim=``, ``descending=``) gives PyTorch's pair ``(values, indices)``,
compared here with torch; a bare positional axis (``x.max(1)``) means both and raises.
``var``/``std`` spelled PyTorch's way take its default correction."""

from __future__ import annotations

import re

from typing import Callable

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, UsageError

torch = pytest.importorskip("torch")

# distinct entries: which index holds an extreme is not in doubt (ties are not compared)
DATA = np.random.default_rng(3).permutation(24).reshape(2, 3, 4) / 7.0 - 1.0

TORCH_CALLS = [
    ("max dim", lambda t: t.max(dim=1)),
    ("min dim", lambda t: t.min(dim=-1)),
    ("max dim keepdim", lambda t: t.max(dim=0, keepdim=True)),
    ("min axis keepdim", lambda t: t.min(2, keepdim=True)),
    ("sort dim", lambda t: t.sort(dim=1)),
    ("sort dim descending", lambda t: t.sort(dim=-1, descending=True)),
    ("sort descending", lambda t: t.sort(descending=True)),
    ("sort axis descending", lambda t: t.sort(0, descending=False)),
]


@pytest.mark.parametrize("name, call", TORCH_CALLS, ids=[c[0] for c in TORCH_CALLS])
def test_pytorch_spelling_gives_pytorchs_values_indices_and_gradient(name: str,
                                                                     call: Callable) -> None:
    x = Tensor(DATA, requires_grad=True)
    tx = torch.tensor(DATA, requires_grad=True)
    (values, indices), expected = call(x), call(tx)
    assert call(x).values is not None and call(x).indices is not None  # by name too
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    weights = np.random.default_rng(0).random(values.shape)
    (values * weights).sum().backward()
    (expected.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=1e-15)


def test_the_tutorial_idioms_mean_what_they_mean_in_pytorch() -> None:
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2]])  # two rows: the silent case
    out, t_out = Tensor(logits), torch.tensor(logits)
    _, pred = ag.max(out, dim=1)
    np.testing.assert_array_equal(pred.data, torch.max(t_out, dim=1)[1].numpy())
    np.testing.assert_array_equal(out.max(1, keepdim=True)[1].data,
                                  t_out.max(1, keepdim=True)[1].numpy())
    np.testing.assert_array_equal(out.max(dim=1)[0].data, t_out.max(dim=1)[0].numpy())
    np.testing.assert_array_equal(out.min(dim=0).indices.data,
                                  t_out.min(dim=0).indices.numpy())


def test_numpy_spelling_still_gives_the_values() -> None:
    x = Tensor(DATA)
    for values, expected in [(x.max(axis=1), DATA.max(1)), (x.min(axis=0), DATA.min(axis=0)),
                             (x.max(2, keepdims=True), DATA.max(2, keepdims=True)),
                             (np.max(x, axis=1), DATA.max(axis=1)), (x.max(), DATA.max()),
                             (np.max(x, 1), DATA.max(1)), (np.min(x, 1, None, True),
                                                           DATA.min(1, None, True)),
                             (ag.min(x, axis=1), DATA.min(1)), (np.sort(x, 1), np.sort(DATA, 1)),
                             (x.sort(axis=0), np.sort(DATA, axis=0)),
                             (x.sort(axis=None), np.sort(DATA, axis=None)),
                             (np.sort(x, axis=None), np.sort(DATA, axis=None)),
                             (x.max(None), DATA.max(None)), (x.max((0, 2)), DATA.max((0, 2)))]:
        assert isinstance(values, Tensor)
        np.testing.assert_array_equal(values.data, expected)


def test_nan_is_the_extreme_and_its_index_is_given_as_torch() -> None:
    data = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, -1.0]])
    for name in ("max", "min"):
        values, indices = getattr(Tensor(data), name)(dim=1)
        expected = getattr(torch.tensor(data), name)(dim=1)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())


def test_pytorch_spelling_takes_one_int_axis() -> None:
    x = Tensor(DATA)
    for call in (lambda: x.max(dim=(0, 1)), lambda: x.min(dim=[1]),
                 lambda: x.max(dim=True)):
        with pytest.raises(UsageError, match=r"takes one int axis.*amax|takes one int axis"):
            call()
    with pytest.raises(ag.AxisError, match="out of range|axis"):
        x.max(dim=3)


AMBIGUOUS = [
    ("x.max(1)", lambda t: t.max(1)), ("x.min(-1)", lambda t: t.min(-1)),
    ("max(x, 0)", lambda t: ag.max(t, 0)), ("min(x, 2)", lambda t: ag.min(t, 2)),
    ("x.sort(1)", lambda t: t.sort(1)), ("x.sort()", lambda t: t.sort()),
    ("sort(x)", lambda t: ag.sort(t)), ("sort(x, 0)", lambda t: ag.sort(t, 0)),
]


@pytest.mark.parametrize("call, spell", AMBIGUOUS, ids=[c[0] for c in AMBIGUOUS])
def test_a_bare_positional_axis_means_both_and_is_refused(call: str, spell: Callable) -> None:
    """``_, pred = out.max(1)`` and ``pred = out.max(1)[1]`` (PyTorch's CIFAR idioms) took
    NumPy's values: a row of maxima for a batch of 2, silently. Now named, never guessed,
    in the spelling the caller used: ``torch.max(outputs.data, 1)`` (the CIFAR-10
    tutorial) is answered with ``max(x, axis=1)`` and ``max(x, dim=1)``, not the method."""
    method = call.startswith("x.")
    name, axis = call[2:].split("(") if method else call.split("(")
    axis = axis.rstrip(")").removeprefix("x").removeprefix(", ") or "-1"
    values, pair = ((rf"x\.{name}\(axis={axis}\)", rf"x\.{name}\(dim={axis}\)") if method
                    else (rf"\b{name}\(x, axis={axis}\)", rf"\b{name}\(x, dim={axis}\)"))
    with pytest.raises(UsageError, match=rf"^{re.escape(call)} means two things.*"
                                         rf"{values} for the values, {pair} for the pair"):
        spell(Tensor(DATA))


def test_more_than_one_positional_argument_is_refused() -> None:
    with pytest.raises(UsageError, match="takes one positional argument.*by keyword"):
        Tensor(DATA).max(1, 2)  # (a bool there is PyTorch's keepdim: test_topk_count_s37)
    with pytest.raises(UsageError, match="got the axis twice"):
        Tensor(DATA).min(1, dim=1)
    with pytest.raises(ag.AxisError, match="both axis=0 and dim=1"):
        Tensor(DATA).sort(axis=0, dim=1)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("spell", ["dim", "axis keepdim", "unbiased", "correction"])
def test_var_and_std_spelled_as_pytorch_take_its_correction(name: str, spell: str) -> None:
    """``x.var(dim=1)`` was the population variance (ddof 0) where PyTorch's is the sample
    variance (correction 1); NumPy's spellings keep NumPy's ddof 0."""
    x, tx = Tensor(DATA, requires_grad=True), torch.tensor(DATA, requires_grad=True)
    kwargs = {"dim": {"dim": 1}, "axis keepdim": {"dim": 1, "keepdim": True},
              "unbiased": {"dim": 0, "unbiased": False},
              "correction": {"dim": 2, "correction": 2}}[spell]
    ours = getattr(x, name)(**kwargs) if spell != "axis keepdim" else \
        getattr(x, name)(1, keepdim=True)
    expected = getattr(tx, name)(**kwargs)
    np.testing.assert_allclose(ours.data, expected.detach().numpy(), rtol=1e-13)
    ours.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    numpy_way = getattr(Tensor(DATA), name)(axis=1)
    np.testing.assert_allclose(numpy_way.data, getattr(DATA, name)(axis=1), rtol=1e-13)
    for bare in ((), (1,)):  # n in NumPy, n - 1 in PyTorch: refused, naming both
        with pytest.raises(UsageError, match=r"ddof=0\) and by n - 1 in PyTorch"):
            getattr(Tensor(DATA), name)(*bare)


def test_var_refuses_two_corrections() -> None:
    with pytest.raises(UsageError, match="pass only one of ddof"):
        Tensor(DATA).var(dim=1, ddof=0, correction=1)


REPEATS = [((2,), (3,)), ((2, 1), (2, 2)), (((2, 3),), (2,))]


@pytest.mark.parametrize("counts, shape", REPEATS)
def test_repeat_spelled_both_ways_is_refused(counts: tuple, shape: tuple) -> None:
    """``x.repeat(2)`` of a 1-d tensor gave NumPy's [a, a, b, b] where PyTorch's gives
    [a, b, a, b] (same shape: silent); ``x.repeat(2, 1)`` NumPy's (n, 2m) for PyTorch's
    (2n, m). Both readings are named instead."""
    with pytest.raises(UsageError, match=r"means two things.*x\.tile\(.*repeat_interleave"):
        Tensor(np.ones(shape)).repeat(*counts)


def test_repeat_spelled_one_way_means_that_librarys() -> None:
    data = np.arange(6.0).reshape(2, 3)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    pairs = [(x.repeat(1, 2, 3), tx.repeat(1, 2, 3)),  # three counts: PyTorch's only
             (x.repeat_interleave(2, dim=1), tx.repeat_interleave(2, dim=1)),
             (x.repeat_interleave(np.array([1, 3]), dim=0),
              tx.repeat_interleave(torch.tensor([1, 3]), dim=0)),
             (x.repeat_interleave(2), tx.repeat_interleave(2))]
    weights = np.random.default_rng(0)
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
        w = weights.random(ours.shape)
        (ours * w).sum().backward()
        (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-14)
    for ours, expected in [(x.repeat(2), np.repeat(data, 2)),  # 2-d: NumPy's only
                           (x.repeat(2, axis=1), np.repeat(data, 2, axis=1)),
                           (x.repeat(repeats=[1, 2], dim=0), np.repeat(data, [1, 2], 0)),
                           (np.repeat(x, 2, 1), np.repeat(data, 2, 1)),
                           (ag.repeat(x[0], 2), np.repeat(data[0], 2)),
                           (Tensor(3.0).repeat(2), np.repeat(3.0, 2))]:
        np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize("counts, shape", [(((50, 1),), (50,)), ((4, 1), (5,)),
                                           (((3, 1),), (2, 3)), ((2, 3), (4, 2))])
def test_repeat_numpy_cannot_read_is_pytorchs(counts: tuple, shape: tuple) -> None:
    """d2l's Nadaraya-Watson: ``x_train.repeat((n_train, 1))`` of a 1-d tensor. NumPy's
    reading needs one count or one per element (flattened), or an axis the tensor has;
    where it cannot apply, only PyTorch's (the whole tensor repeated) is meant."""
    data = np.arange(float(np.prod(shape))).reshape(shape)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = x.repeat(*counts), tx.repeat(*counts)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    w = np.random.default_rng(1).random(ours.shape)
    (ours * w).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-14)
