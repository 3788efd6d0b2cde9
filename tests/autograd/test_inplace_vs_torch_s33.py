"""In-place methods against PyTorch: atan2 with a bool operand, named errors for shapes
that do not broadcast (or broadcast beyond x's shape in place), index_put_ out of bounds,
shape changes on a view of a leaf, clamp_ with bounds that require grad, nan_to_num_ of
bool, and the names cumsum_ cumprod_ addmv_ addr_ addbmm_ greater greater_equal less
less_equal not_equal."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, ShapeError, TensorIndexError


def _grads(L, xs, ys, in_place):
    P = L.tensor(xs, requires_grad=True)
    y = L.tensor(ys)
    if in_place:
        out = P * 1
        out.atan2_(y)
    else:
        out = L.atan2(P, y)
    out.sum().backward()
    return P.grad


@pytest.mark.parametrize("in_place", [False, True])
def test_atan2_with_a_bool_operand_backward_as_torch(torch, in_place):
    xs, ys = [0.5, 1.8, -0.3], [True, False, True]
    np.testing.assert_allclose(_grads(ag, xs, ys, in_place).data,
                               _grads(torch, xs, ys, in_place).numpy())


@pytest.mark.parametrize("name", ["fmax", "fmin", "heaviside", "nextafter", "gcd", "lcm"])
def test_binary_functions_refuse_shapes_that_do_not_broadcast(torch, name):
    dtype = "int64" if name in ("gcd", "lcm") else "float64"
    a, b = np.zeros(2, dtype), np.ones(3, dtype)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    with pytest.raises(ShapeError):
        getattr(ag, name)(ag.tensor(a), ag.tensor(b))
    with pytest.raises(ShapeError):
        getattr(ag.tensor(a), name)(ag.tensor(b))


def test_igamma_method_refuses_shapes_that_do_not_broadcast(torch):
    with pytest.raises(RuntimeError):
        torch.zeros(2).igamma(torch.ones(3))
    with pytest.raises(ShapeError):
        ag.zeros(2).igamma(ag.ones(3))


def test_copy_of_a_source_that_requires_grad_and_does_not_broadcast(torch):
    with pytest.raises(RuntimeError):
        torch.zeros(2).copy_(torch.tensor([1., 2., 3.], requires_grad=True))
    with pytest.raises(ShapeError):
        ag.zeros(2).copy_(ag.tensor([1., 2., 3.], requires_grad=True))


_GROWING = [("atan2_", 1.0), ("copy_", 1.0), ("pow_", 1.0), ("hypot_", 1.0),
            ("eq_", 1.0), ("lt_", 1.0), ("logical_and_", 1.0), ("fmod_", 1.0),
            ("lerp_", 0.5)]


@pytest.mark.parametrize("name, extra", _GROWING)
def test_in_place_refuses_an_operand_that_grows_x(torch, name, extra):
    def run(L):
        x = L.ones(2)
        args = (L.ones(1, 2),) + ((extra,) if name == "lerp_" else ())
        return getattr(x, name)(*args)
    with pytest.raises(RuntimeError):
        run(torch)
    with pytest.raises(ShapeError):
        run(ag)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_out_of_bounds_is_a_tensor_index_error(torch, accumulate):
    with pytest.raises(IndexError):
        torch.zeros(2, 3).index_put_((torch.tensor([2]),), torch.ones(3), accumulate)
    with pytest.raises(TensorIndexError):
        ag.zeros(2, 3).index_put_((ag.tensor([2]),), ag.ones(3), accumulate)


@pytest.mark.parametrize("change", [lambda v: v.squeeze_(0), lambda v: v.unsqueeze_(0),
                                    lambda v: v.t_(), lambda v: v.transpose_(0, 1),
                                    lambda v: v.swapdims_(0, 1)])
def test_shape_change_in_place_on_a_view_of_a_leaf_is_refused(torch, change):
    with pytest.raises(RuntimeError):
        change(torch.ones(1, 3, requires_grad=True)[0:1])
    with pytest.raises(InplaceError):
        change(ag.ones(1, 3, requires_grad=True)[0:1])


_X = np.array([[0.1, 0.9, -0.4, 0.35], [1.3, -2.0, 0.5, 0.05], [0.2, 0.6, 0.0, 2.5]])
_LO = np.array([0.3, -0.2, 0.1, 0.4])
_HI = np.array([[0.8], [0.25], [1.5]])  # below lo in row 1: the result is hi there


def _clamped(L, method, lo, hi, weights):
    P = L.tensor(_X, requires_grad=True)
    bounds = [None if b is None else L.tensor(b, requires_grad=True) for b in (lo, hi)]
    x = P * 1
    args = {"clamp_": bounds, "clip_": bounds, "clamp_min_": bounds[:1],
            "clamp_max_": bounds[1:]}[method]
    getattr(x, method)(*args)
    (x * L.tensor(weights)).sum().backward()
    return [x] + [t.grad for t in [P] + bounds if t is not None]


@pytest.mark.parametrize("method, lo, hi", [("clamp_", _LO, _HI), ("clip_", _LO, _HI),
                                            ("clamp_", _LO, None), ("clamp_", None, _HI),
                                            ("clamp_min_", _LO, None),
                                            ("clamp_max_", None, _HI)])
def test_clamp_in_place_with_bounds_that_require_grad_as_torch(torch, method, lo, hi):
    weights = np.random.default_rng(0).normal(size=_X.shape)
    ours, theirs = _clamped(ag, method, lo, hi, weights), _clamped(torch, method, lo, hi,
                                                                   weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy())


def test_clamp_bound_gradients_match_finite_differences():
    weights = np.random.default_rng(1).normal(size=_X.shape)

    def loss(lo, hi):
        return float((np.minimum(np.maximum(_X, lo), hi) * weights).sum())

    _, _, lo_grad, hi_grad = _clamped(ag, "clamp_", _LO, _HI, weights)
    step = 1e-6
    for bound, grad in ((0, lo_grad), (1, hi_grad)):
        values = [_LO.copy(), _HI.copy()]
        numeric = np.zeros_like(values[bound])
        for i in np.ndindex(numeric.shape):
            up = [v.copy() for v in values]
            down = [v.copy() for v in values]
            up[bound][i] += step
            down[bound][i] -= step
            numeric[i] = (loss(*up) - loss(*down)) / (2 * step)
        np.testing.assert_allclose(grad.data, numeric, atol=1e-6)


def test_nan_to_num_in_place_of_bool_is_itself(torch):
    ours = ag.tensor([True, False])
    assert ours.nan_to_num_() is ours
    assert ours.tolist() == torch.tensor([True, False]).nan_to_num_().tolist()


def _matrices(L):
    rng = np.random.default_rng(2)
    arrays = {"x3": rng.normal(size=3), "m34": rng.normal(size=(3, 4)),
              "v4": rng.normal(size=4), "b235": rng.normal(size=(2, 3, 5)),
              "b254": rng.normal(size=(2, 5, 4))}
    return {k: L.tensor(v) for k, v in arrays.items()}


_NEW_IN_PLACE = [
    lambda t: t["m34"].cumsum_(1),
    lambda t: t["m34"].cumprod_(0),
    lambda t: t["x3"].addmv_(t["m34"], t["v4"], beta=0.5, alpha=2.0),
    lambda t: t["m34"].addr_(t["x3"], t["v4"], alpha=-1.5),
    lambda t: t["m34"].addbmm_(t["b235"], t["b254"], beta=2.0),
]


@pytest.mark.parametrize("call", _NEW_IN_PLACE)
def test_new_in_place_methods_as_torch(torch, call):
    ours, theirs = _matrices(ag), _matrices(torch)
    result = call(ours)
    assert any(result is t for t in ours.values())  # written into self, returned
    np.testing.assert_allclose(result.data, call(theirs).numpy())


def test_in_place_scan_refuses_another_dtype(torch):
    with pytest.raises(RuntimeError):
        torch.ones(3).cumsum_(0, dtype=torch.float32)
    with pytest.raises(ag.DTypeError):
        ag.ones(3).cumsum_(0, dtype=ag.float32)


@pytest.mark.parametrize("name", ["greater", "greater_equal", "less", "less_equal",
                                  "not_equal"])
def test_comparison_long_names_as_torch(torch, name):
    a = np.array([[0., 1., 2.], [2., 1., 0.]])
    b = np.array([1., 1., 0.])
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
    np.testing.assert_array_equal(getattr(ag, name)(ag.tensor(a), ag.tensor(b)).data,
                                  expected)
    np.testing.assert_array_equal(getattr(ag.tensor(a), name)(ag.tensor(b)).data, expected)
    out = ag.zeros(0, dtype=ag.bool)
    assert getattr(ag, name)(ag.tensor(a), ag.tensor(b), out=out) is out
    np.testing.assert_array_equal(out.data, expected)
