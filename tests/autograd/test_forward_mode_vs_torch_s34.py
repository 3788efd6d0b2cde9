"""Forward-mode AD (``forward_ad``, ``func.jvp``, ``functional.jvp``) against PyTorch and
finite differences: an in-place write into a dual tensor, writes with repeated indices,
a custom op whose VJP is NumPy, det at a singular matrix, integer outputs of
``func.jvp``, and the names in ``hessian``'s and ``pad``'s errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.forward_ad as fwad
import autograd.functional as AF
from autograd import func
from autograd.errors import DTypeError, IndependentError, UsageError
from autograd.extend import Function

X, V, OTHER = [1.0, 2.0, 3.0], [1.0, 0.5, -2.0], [4.0, 5.0, 6.0]

WRITES = {  # an in-place write into the dual d (e: another dual), then what is unpacked
    "mul_": lambda d, e: (d.mul_(2.0), d.sin()),
    "add_ itself": lambda d, e: (d.add_(d),),
    "add_ another dual": lambda d, e: (d.add_(e), d * 1),
    "sin_": lambda d, e: (d.sin_(),),
    "setitem number": lambda d, e: (d.__setitem__(0, 5.0) or d,),
    "setitem dual": lambda d, e: (d.__setitem__(slice(0, 2), e[1:]) or d,),
    "zero_": lambda d, e: (d.zero_(),),
    "copy_": lambda d, e: (d.copy_(e * 3),),
    "read before the write": lambda d, e: (lambda y: (d.mul_(3.0), y))(d.sin()),
    "through a view": lambda d, e: (lambda w: (w.mul_(3.0), d, w))(d[1:]),
    "twice": lambda d, e: (d.mul_(3.0).add_(1.0).sin_(),),
}


def _tangents(lib, fw, write, as_tensor):
    x = as_tensor(X, requires_grad=True) * 1  # the primal requires grad (not a leaf)
    with fw.dual_level():
        d = fw.make_dual(x, as_tensor(V))
        e = fw.make_dual(as_tensor(OTHER), as_tensor([1.0, 1.0, 1.0]))
        return [np.array(fw.unpack_dual(y).tangent.detach().tolist()) for y in write(d, e)]


@pytest.mark.parametrize("name", list(WRITES))
def test_an_in_place_write_into_a_dual_gives_the_tangent_of_its_new_value(torch, name):
    import torch.autograd.forward_ad as torch_fwad
    ours = _tangents(ag, fwad, WRITES[name], lambda a, **k: ag.Tensor(a, **k))
    theirs = _tangents(torch, torch_fwad, WRITES[name], lambda a, **k: torch.tensor(a, **k))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------ repeated indices
REPEATS = {  # f(lib, x, v): writes v into x with a repeated position
    "index_put": (lambda L, x, v: x.index_put((L.tensor([0, 0, 2]),), v), (3, 4), (3, 4)),
    "index_copy": (lambda L, x, v: x.index_copy(0, L.tensor([0, 0, 2]), v), (3, 4), (3, 4)),
    "put": (lambda L, x, v: x.put(L.tensor([1, 1, 5]), v), (3, 4), (3,)),
    "scatter dim 0": (lambda L, x, v: x.scatter(0, L.tensor([[0, 0, 0, 0], [0, 1, 1, 0]]),
                                                v), (3, 4), (2, 4)),
    "scatter dim 1": (lambda L, x, v: x.scatter(1, L.tensor([[0, 0], [1, 1], [2, 0]]), v),
                      (3, 4), (3, 2)),
    "setitem": (lambda L, x, v: _setitem(x, L.tensor([[0, 1], [1, 0]]), v), (3, 4),
                (2, 2, 4)),
    "broadcast value": (lambda L, x, v: x.index_put((L.tensor([2, 2, 2]),), v), (3, 4),
                        (4,)),
}


def _setitem(x, index, v):
    y = x * 1
    y[index] = v
    return y


def _arrays(*shapes):
    rng = np.random.default_rng(34)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name", list(REPEATS))
def test_a_repeated_index_gives_the_tangent_of_the_write_that_wins(torch, name):
    import torch.autograd.forward_ad as torch_fwad
    f, xs, vs = REPEATS[name]
    x, v, dx, dv = _arrays(xs, vs, xs, vs)
    with fwad.dual_level():
        ours = fwad.unpack_dual(f(ag, fwad.make_dual(ag.Tensor(x), ag.Tensor(dx)),
                                  fwad.make_dual(ag.Tensor(v), ag.Tensor(dv))))
    with torch_fwad.dual_level():
        theirs = torch_fwad.unpack_dual(f(torch, torch_fwad.make_dual(torch.tensor(x),
                                                                      torch.tensor(dx)),
                                          torch_fwad.make_dual(torch.tensor(v),
                                                               torch.tensor(dv))))
    np.testing.assert_allclose(ours.primal.data, theirs.primal.detach().numpy())
    np.testing.assert_allclose(ours.tangent.data, theirs.tangent.numpy(), rtol=1e-12)
    jvp = func.jvp(lambda a, b: f(ag, a, b), (ag.Tensor(x), ag.Tensor(v)),
                   (ag.Tensor(dx), ag.Tensor(dv)))[1]
    np.testing.assert_allclose(jvp.data, theirs.tangent.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", list(REPEATS))
def test_a_repeated_index_gives_gradients_that_finite_differences_confirm(name):
    f, xs, vs = REPEATS[name]
    x, v = _arrays(xs, vs)
    inputs = (ag.Tensor(x, requires_grad=True), ag.Tensor(v, requires_grad=True))
    assert ag.gradcheck(lambda a, b: f(ag, a, b), inputs)
    assert ag.gradgradcheck(lambda a, b: f(ag, a, b), inputs)


@pytest.mark.parametrize("index", [[2, 0, 1], [[2], [0]], [[0, 2]]])
def test_distinct_indices_give_pytorchs_gradients_as_before(torch, index):
    x, v = _arrays((3, 4), np.shape(index) + (4,))
    g = _arrays((3, 4))[0]
    a, b = ag.Tensor(x, requires_grad=True), ag.Tensor(v, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(v, requires_grad=True)
    a.index_put((ag.tensor(index),), b).backward(ag.Tensor(g))
    ta.index_put((torch.tensor(index),), tb).backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy())
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy())


# ------------------------------------------------------------ custom ops
class _NumPyCube(Function):
    """y = x^3 with a VJP computed with NumPy: right for backward, not differentiable."""

    def forward(self, x):
        return x ** 3

    def vjp(self, g, out, x):
        return (np.asarray(g) * 3 * np.asarray(x) ** 2,)


class _DataCube(Function):
    """y = x^3, PyTorch's way, with a backward that reads g.data."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.Tensor(g.data * 3 * x.data ** 2)


class _TensorCube(Function):
    """y = x^3 with a VJP of Tensor operations: forward mode works through it."""

    def forward(self, x):
        return x ** 3

    def vjp(self, g, out, x):
        return (g * 3 * x * x,)


def _dual_tangent(f, x, v):
    with fwad.dual_level():
        return fwad.unpack_dual(f(fwad.make_dual(x, v))).tangent


FORWARD_MODES = {
    "forward_ad": _dual_tangent,
    "functional.jvp": lambda f, x, v: AF.jvp(f, x, v)[1],
    "func.jvp": lambda f, x, v: func.jvp(f, (x,), (v,))[1],
    "func.linearize": lambda f, x, v: func.linearize(f, x)[1](v),
}


@pytest.mark.parametrize("mode", list(FORWARD_MODES))
@pytest.mark.parametrize("op", [lambda t: _NumPyCube()(t), lambda t: _DataCube.apply(t),
                                lambda t: (_NumPyCube()(t) + t.sin()).sum()])
def test_a_custom_op_with_a_numpy_vjp_is_refused_in_forward_mode(mode, op):
    x, v = ag.Tensor([1.0, 2.0]), ag.Tensor([1.0, 1.0])
    with pytest.raises(UsageError, match="depend on g"):
        FORWARD_MODES[mode](op, x, v)
    t = ag.Tensor([1.0, 2.0], requires_grad=True)
    op(t).sum().backward()  # reverse mode is right
    np.testing.assert_allclose(t.grad.data, 3 * t.data ** 2 + (np.cos(t.data) if op(
        t).ndim == 0 else 0))


@pytest.mark.parametrize("mode", list(FORWARD_MODES))
def test_a_custom_op_with_a_tensor_vjp_gives_its_tangent(mode):
    x, v = ag.Tensor([1.0, 2.0]), ag.Tensor([1.0, -1.0])
    tangent = FORWARD_MODES[mode](lambda t: _TensorCube()(t) + t, x, v)
    np.testing.assert_allclose(tangent.data, (3 * x.data ** 2 + 1) * v.data)


# ------------------------------------------------------------ det at a singular matrix
def _cofactors(a):
    n = a.shape[-1]
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1))
                      for j in range(n)] for i in range(n)])


SINGULAR = {"ones 3x3": np.ones((3, 3)), "zeros 3x3": np.zeros((3, 3)),
            "zero 1x1": np.zeros((1, 1)),
            "rank 2 of 4x4": (lambda u: u @ u.T)(np.random.default_rng(3).normal(size=(4, 2)))}


@pytest.mark.parametrize("name", list(SINGULAR))
def test_det_at_a_singular_matrix_has_a_tangent_as_in_pytorch(torch, name):
    a = SINGULAR[name]
    v = np.random.default_rng(4).standard_normal(a.shape)
    expected = torch.autograd.functional.jvp(torch.linalg.det, torch.tensor(a),
                                             torch.tensor(v))[1].numpy()
    for mode in ("forward_ad", "functional.jvp", "func.jvp"):
        tangent = FORWARD_MODES[mode](ag.linalg.det, ag.Tensor(a), ag.Tensor(v))
        np.testing.assert_allclose(tangent.data, expected, atol=1e-12)


@pytest.mark.parametrize("name", list(SINGULAR))
def test_det_hessian_at_a_singular_matrix_matches_finite_differences(name):
    a, eps = SINGULAR[name], 1e-6
    hessian = AF.hessian(ag.linalg.det, ag.Tensor(a))
    for index in np.ndindex(*a.shape):  # the derivative of det's gradient, cof(A)
        step = np.zeros_like(a)
        step[index] = eps
        numeric = (_cofactors(a + step) - _cofactors(a - step)) / (2 * eps)
        np.testing.assert_allclose(hessian.data[index], numeric, atol=1e-6)
    x = ag.Tensor(a, requires_grad=True)
    (gradient,) = ag.grad(ag.linalg.det(x), x, create_graph=True)
    np.testing.assert_allclose(gradient.data, _cofactors(a), atol=1e-12)
    assert ag.gradgradcheck(ag.linalg.det, (ag.Tensor(a, requires_grad=True),))


# ------------------------------------------------------------ func.jvp: integer outputs
def test_func_jvp_gives_integer_and_bool_outputs_zero_tangents_as_torch_func(torch):
    def f(lib):
        return lambda x: (x.sin(), x.argmax(), x > 0)
    ours = func.jvp(f(ag), (ag.Tensor([1.0, 3.0]),), (ag.Tensor([1.0, 1.0]),))
    theirs = torch.func.jvp(f(torch), (torch.tensor([1.0, 3.0]),), (torch.ones(2),))
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        assert a.dtype == b.numpy().dtype
        np.testing.assert_allclose(a.data, b.numpy())
    out, jvp_fn = func.linearize(f(ag), ag.Tensor([1.0, 3.0]))
    tangents = jvp_fn(ag.Tensor([1.0, 1.0]))
    assert tangents[1].dtype == np.int64 and tangents[1].item() == 0
    assert tangents[2].dtype == np.bool_ and not tangents[2].data.any()


def test_func_jvp_errors_name_jvp():
    with pytest.raises(UsageError, match="^jvp: the function must return Tensors"):
        func.jvp(lambda x: (x.sin(), 3), (ag.Tensor([1.0]),), (ag.Tensor([1.0]),))


# ------------------------------------------------------------ messages
def test_hessians_strict_error_names_hessian():
    with pytest.raises(IndependentError, match="^hessian"):
        AF.hessian(lambda x: (x * 3).sum(), ag.Tensor([1.0, 2.0]), strict=True,
                   create_graph=True)


@pytest.mark.parametrize("dtype, value", [(np.int8, 300), (np.uint8, -1),
                                          (np.float16, 1e6), (np.int64, float("nan"))])
def test_pad_refuses_a_value_its_dtype_cannot_hold(torch, dtype, value):
    x = ag.tensor(np.zeros(2, dtype=dtype))
    with pytest.raises(DTypeError, match="pad: constant_values"):
        ag.pad(x, 1, value)
    with pytest.raises(RuntimeError):  # PyTorch refuses it too
        torch.nn.functional.pad(torch.tensor(np.zeros(2, dtype=dtype)), (1, 1), value=value)
