"""Gradient clipping and gradient-norm diagnostics."""
import math

import numpy as np
import pytest

import autograd
from autograd.errors import AutogradError
from nn.train import GradientClipping
from nn.utils import clip_grad_norm_, clip_grad_value_, grad_norms

SHAPES = [(3, 4), (5,), ()]


def params_with_grads(seed=0, scale=1.0, shapes=SHAPES, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        p = autograd.Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        p.grad = autograd.Tensor((scale * rng.standard_normal(shape)).astype(dtype))
        params.append(p)
    return params


def all_entries(params):
    return np.concatenate([p.grad.data.ravel() for p in params if p.grad is not None])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_scales_all_grads_together(norm_type):
    params = params_with_grads(scale=5.0)
    before = [p.grad.data.copy() for p in params]
    flat = all_entries(params)
    if norm_type == math.inf:
        total = np.abs(flat).max()
    else:
        total = (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    max_norm = total / 4
    returned = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert isinstance(returned, float)
    assert returned == pytest.approx(total, rel=1e-12)
    for p, g in zip(params, before):
        np.testing.assert_allclose(p.grad.data, g * (max_norm / (total + 1e-6)), rtol=1e-12)


def test_clip_grad_norm_below_the_limit_changes_nothing():
    params = params_with_grads()
    before = [p.grad.data.copy() for p in params]
    total = np.linalg.norm(all_entries(params))
    assert clip_grad_norm_(params, max_norm=total * 2) == pytest.approx(total, rel=1e-12)
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad.data, g)


def test_clip_grad_norm_skips_missing_grads_and_accepts_one_tensor():
    params = params_with_grads()
    params[1].grad = None
    total = np.linalg.norm(all_entries(params))
    assert clip_grad_norm_(iter(params), 1e9) == pytest.approx(total, rel=1e-12)
    single = params[0]
    assert clip_grad_norm_(single, 1e9) == pytest.approx(np.linalg.norm(single.grad.data))
    assert clip_grad_norm_([autograd.Tensor(np.zeros(2), requires_grad=True)], 1.0) == 0.0


def test_clip_grad_norm_keeps_float32():
    params = params_with_grads(scale=10.0, dtype=np.float32)
    clip_grad_norm_(params, 0.5)
    assert all(p.grad.data.dtype == np.float32 for p in params)
    assert np.linalg.norm(all_entries(params).astype(np.float64)) == pytest.approx(0.5, rel=1e-5)


def test_clip_grad_norm_nonfinite():
    params = params_with_grads()
    params[0].grad.data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="total norm .* is inf"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="clip_grad_norm_: max_norm must be a number >= 0; got -1"):
        clip_grad_norm_(params, -1)


def test_clip_grad_norm_on_gradients_from_backward():
    w = autograd.Tensor(np.array([3.0, 4.0]), requires_grad=True)
    b = autograd.Tensor(np.array(12.0), requires_grad=True)
    loss = (w * w).sum() / 2 + b * b / 2  # grads: w and b themselves
    loss.backward()
    total = clip_grad_norm_([w, b], max_norm=1.0)
    assert total == pytest.approx(13.0, rel=1e-12)
    np.testing.assert_allclose(w.grad.data, np.array([3.0, 4.0]) / (13.0 + 1e-6), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, 12.0 / (13.0 + 1e-6), rtol=1e-12)


def test_clip_grad_value():
    params = params_with_grads(scale=3.0)
    before = [p.grad.data.copy() for p in params]
    params[2].grad = None
    clip_grad_value_(params, 0.7)
    for p, g in zip(params[:2], before):
        np.testing.assert_array_equal(p.grad.data, np.minimum(np.maximum(g, -0.7), 0.7))
    with pytest.raises(ValueError, match="clip_grad_value_: clip_value must be a number >= 0; "
                                         "got -0.1"):
        clip_grad_value_(params, -0.1)


def test_grad_norms_named_and_positional():
    params = params_with_grads(seed=4)
    params[1].grad = None
    expected = {str(i): float(np.sqrt((p.grad.data ** 2).sum()))
                for i, p in enumerate(params) if p.grad is not None}
    got = grad_norms(params)
    assert list(got) == ["0", "2"]
    for k in expected:
        assert got[k] == pytest.approx(expected[k], rel=1e-12)
    named = grad_norms([("fc1.weight", params[0]), ("fc1.bias", params[1]),
                        ("fc2.weight", params[2])])
    assert named == {"fc1.weight": got["0"], "fc2.weight": got["2"]}
    assert grad_norms({"a": params[0]}) == {"a": got["0"]}
    assert grad_norms(params[0]) == {"0": got["0"]}


def test_grad_norms_show_vanishing_gradients_through_a_deep_sigmoid_chain():
    rng = np.random.default_rng(0)
    ws = [autograd.Tensor(rng.standard_normal((8, 8)) * 0.5, requires_grad=True)
          for _ in range(6)]
    h = autograd.Tensor(rng.standard_normal((4, 8)))
    for w in ws:
        h = (h @ w).sigmoid()
    h.sum().backward()
    norms = grad_norms([(f"layer{i}", w) for i, w in enumerate(ws)])
    assert list(norms) == [f"layer{i}" for i in range(6)]
    assert norms["layer0"] < norms["layer5"] / 10  # the first layers learn the slowest


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(max_norm=-1), ValueError, r"max_norm must be a number >= 0; got -1\."),
    (dict(max_norm=float("nan")), ValueError, "max_norm must be a number >= 0; got nan"),
    (dict(max_norm="1"), TypeError, r"max_norm must be a number >= 0; got '1' \(str\)"),
    (dict(clip_value=-0.5), ValueError, r"clip_value must be a number >= 0; got -0.5"),
    (dict(clip_value=None, max_norm=1.0, norm_type=float("nan")), ValueError,
     "norm_type must be a number, not NaN; got nan. 2 is"),
    (dict(max_norm=1.0, norm_type=None), TypeError, r"norm_type must be a number; got None"),
])
def test_bad_clip_arguments_are_named_errors_and_gradient_clipping_checks_them_at_once(
        kwargs, error, match):
    """GradientClipping(max_norm=-1) used to fail only at the first batch of fit; the
    functions raised bare TypeErrors ("'>=' not supported") for non-numbers."""
    with pytest.raises(error, match=f"GradientClipping: {match}") as info:
        GradientClipping(**kwargs)
    assert isinstance(info.value, AutogradError)
    params = [autograd.Tensor(np.ones(2), requires_grad=True)]
    params[0].grad = np.ones(2)
    with pytest.raises(error, match=match):
        if "clip_value" in kwargs and kwargs["clip_value"] is not None:
            clip_grad_value_(params, kwargs["clip_value"])
        else:
            clip_grad_norm_(params, kwargs["max_norm"], kwargs.get("norm_type", 2.0))


def test_norm_type_inf_may_be_a_string_as_in_pytorch():
    params = [autograd.Tensor(np.array([3.0, -4.0]), requires_grad=True)]
    params[0].grad = np.array([3.0, -4.0])
    assert clip_grad_norm_(params, 10.0, norm_type="inf") == 4.0
    GradientClipping(max_norm=1.0, norm_type="inf")


def test_the_deprecated_clip_grad_norm_clips_and_warns_as_pytorch(torch) -> None:
    """LSTNet's ``clip_grad_norm(params, max_norm)``: PyTorch's deprecated alias, the same
    clipping with a FutureWarning."""
    import nn.utils
    ours = params_with_grads(scale=3.0)
    theirs = [torch.nn.Parameter(torch.tensor(p.detach().numpy())) for p in ours]
    for t, p in zip(theirs, ours):
        t.grad = torch.tensor(p.grad.numpy())
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        got = nn.utils.clip_grad_norm(ours, 1.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        want = torch.nn.utils.clip_grad_norm(theirs, 1.0)
    np.testing.assert_allclose(float(got), want.item(), rtol=1e-12)
    for t, p in zip(theirs, ours):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
