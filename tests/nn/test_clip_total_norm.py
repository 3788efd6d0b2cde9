"""nn.utils.get_total_norm and nn.utils.clip_grads_with_norm_ (PyTorch >= 2.6's two halves
of clip_grad_norm_) compared with torch, and their named errors."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError, NonFiniteGradientError
from nn.utils import clip_grad_norm_, clip_grads_with_norm_, get_total_norm

SHAPES = [(3, 4), (5,), ()]


def _grads(seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return [np.asarray(scale * rng.standard_normal(shape)) for shape in SHAPES]


def _params(grads):
    params = []
    for g in grads:
        p = Tensor(np.zeros(g.shape), requires_grad=True)
        p.grad = Tensor(g.copy())
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
def test_get_total_norm_as_torch(norm_type):
    torch = pytest.importorskip("torch")
    grads = _grads()
    ours = get_total_norm([Tensor(g) for g in grads], norm_type)
    theirs = torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads], norm_type)
    assert isinstance(ours, np.float64)
    np.testing.assert_allclose(ours, theirs.item(), rtol=1e-13)
    assert get_total_norm(grads[0], norm_type) == get_total_norm([grads[0]], norm_type)
    assert get_total_norm([], norm_type) == 0.0 == torch.nn.utils.get_total_norm([]).item()


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grads_with_norm_as_torch(max_norm):
    torch = pytest.importorskip("torch")
    grads = _grads(1)
    params = _params(grads)
    total = get_total_norm([p.grad for p in params])
    assert clip_grads_with_norm_(params, max_norm, total) is None
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    torch_total = torch.nn.utils.get_total_norm([t.grad for t in theirs])
    torch.nn.utils.clip_grads_with_norm_(theirs, max_norm, torch_total)
    for p, t in zip(params, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-13)


def test_the_two_halves_give_clip_grad_norm_():
    grads = _grads(2)
    whole, halves = _params(grads), _params(grads)
    returned = clip_grad_norm_(whole, 1.0, 3.0)
    total = get_total_norm([p.grad for p in halves], 3.0)
    clip_grads_with_norm_(halves, 1.0, Tensor(np.array(total)))  # a 0-d Tensor works too
    assert returned == total
    for a, b in zip(whole, halves):
        np.testing.assert_array_equal(a.grad.data, b.grad.data)


def test_one_total_over_two_models():
    first, second = nn.Linear(3, 2, rng=0), nn.Linear(2, 1, rng=1)
    params = list(first.parameters()) + list(second.parameters())
    for i, p in enumerate(params):
        p.grad = Tensor(np.full(p.shape, float(i + 1)))
    total = get_total_norm([p.grad for p in params])
    clip_grads_with_norm_(first.parameters(), 1.0, total)
    clip_grads_with_norm_(second.parameters(), 1.0, total)
    np.testing.assert_allclose(get_total_norm([p.grad for p in params]), 1.0, rtol=1e-5)


def test_nonfinite_and_nan():
    grads = _grads(3)
    grads[0][0, 0] = np.inf
    with pytest.raises(NonFiniteGradientError, match="total norm of order 2.0"):
        get_total_norm(grads, error_if_nonfinite=True)
    params = _params(_grads(4))
    before = [p.grad.data.copy() for p in params]
    clip_grads_with_norm_(params, 1.0, float("nan"))  # scales nothing, as clip_grad_norm_
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.grad.data, b)
    clip_grads_with_norm_(params, 1.0, math.inf)
    assert all(np.all(p.grad.data == 0) for p in params)


def test_errors_are_named():
    params = _params(_grads())
    with pytest.raises(ArgumentTypeError, match="get_total_norm: tensors must be"):
        get_total_norm([None])
    with pytest.raises(ConfigError, match="get_total_norm: norm_type must be"):
        get_total_norm(_grads(), math.nan)
    with pytest.raises(ConfigError, match="clip_grads_with_norm_: total_norm must be >= 0"):
        clip_grads_with_norm_(params, 1.0, -2.0)
    with pytest.raises(ArgumentTypeError, match="clip_grads_with_norm_: total_norm must be"):
        clip_grads_with_norm_(params, 1.0, "2")
    with pytest.raises(ShapeError, match="total_norm must hold one real number"):
        clip_grads_with_norm_(params, 1.0, np.ones(2))
    with pytest.raises(ConfigError, match="clip_grads_with_norm_: max_norm must be"):
        clip_grads_with_norm_(params, -1.0, 2.0)
    with pytest.raises(ArgumentTypeError, match="clip_grads_with_norm_: got the module"):
        clip_grads_with_norm_(nn.Linear(2, 2), 1.0, 2.0)
