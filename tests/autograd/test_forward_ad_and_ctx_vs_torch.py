"""Forward-mode AD and PyTorch-style (ctx) custom Functions against PyTorch: a saved input
changed in place after ``apply``, logcumsumexp's tangent, gammainc's second derivative,
``needs_input_grad`` under ``no_grad()``, a None output, std of one element, and
``make_dual`` / ``unpack_dual`` with bad arguments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import autograd.forward_ad as fwad
from autograd import func
from autograd.errors import AutogradError, InplaceError


def _square_class(base: type) -> type:
    class Square(base):
        """y = x^2, saving its input x."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x
    return Square


_WRITES = {
    "mul_": lambda x: x.mul_(10.0),
    "setitem": lambda x: x.__setitem__(0, 7.0),
    "iadd": lambda x: x.__iadd__(1.0),
    "view": lambda x: x[:1].mul_(3.0),
}


def _saved_input_gradient(lib, base, write, create_graph):
    """d/da sum((a * 1)^2) through Square, with ``write`` applied to its saved input."""
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1.0
    y = _square_class(base).apply(x)
    write(x)
    y.sum().backward(create_graph=create_graph)
    return np.asarray(a.grad.tolist())


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("write", sorted(_WRITES))
def test_saved_input_written_in_place_after_apply_raises(torch, write, create_graph):
    """A saved non-leaf input changed in place after apply: PyTorch refuses the backward;
    here it gave the gradient at the new values. Writing into a copy instead (what the
    error advises) keeps PyTorch's gradient."""
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _saved_input_gradient(torch, torch.autograd.Function, _WRITES[write], create_graph)
    with pytest.raises(InplaceError, match="saved tensor 0"):
        _saved_input_gradient(ag, ag.Function, _WRITES[write], create_graph)
    on_copy = [_saved_input_gradient(lib, base, lambda x: _WRITES[write](x.clone()),
                                     create_graph)
               for lib, base in ((ag, ag.Function), (torch, torch.autograd.Function))]
    np.testing.assert_allclose(on_copy[0], on_copy[1])


def _tangent(lib, fw, f, primal, tangent):
    with fw.dual_level():
        dual = fw.make_dual(lib.tensor(primal), lib.tensor(tangent))
        return np.asarray(fw.unpack_dual(f(dual)).tangent.tolist())


@pytest.mark.parametrize("dim", [0, 1])
def test_logcumsumexp_tangent(torch, dim):
    """The tangent was 0: the VJP split g by sign, which has no derivative at g = 0."""
    rng = np.random.default_rng(0)
    x, v = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    ours = _tangent(ag, fwad, lambda d: d.logcumsumexp(dim), x, v)
    theirs = _tangent(torch, torch.autograd.forward_ad, lambda d: d.logcumsumexp(dim), x, v)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_logcumsumexp_jvp_and_forward_gradcheck():
    x = ag.tensor([0.3, -1.2, 0.7, 2.0], requires_grad=True)
    assert ag.gradcheck(lambda t: t.logcumsumexp(0), (x,), check_forward_ad=True)
    assert ag.gradgradcheck(lambda t: t.logcumsumexp(0), (x,))
    v = ag.tensor([1.0, 0.5, -1.0, 0.25])
    _, tangent = func.jvp(lambda t: t.logcumsumexp(0), (x.detach(),), (v,))
    step = 1e-6
    numeric = ((x.detach() + step * v).logcumsumexp(0)
               - (x.detach() - step * v).logcumsumexp(0)) / (2 * step)
    np.testing.assert_allclose(tangent.data, numeric.data, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
@pytest.mark.parametrize("a", [0.5, 1.0, 2.0, 3.5])
def test_gammainc_second_derivative_in_x(torch, name, a):
    """The Hessian in x was 0: the density was a NumPy constant."""
    x = np.array([0.4, 1.3, 3.0])
    ours = func.hessian(lambda t: getattr(ag.special, name)(ag.tensor(a), t * t).sum())(
        ag.tensor(x))
    theirs = torch.autograd.functional.hessian(
        lambda t: getattr(torch.special, name)(torch.tensor(a), t * t).sum(), torch.tensor(x))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_gammainc_gradgradcheck():
    x = ag.tensor([0.4, 1.3], requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.special.gammainc(ag.tensor(2.0), t), (x,))


def _recording_class(base: type, log: list) -> type:
    class Double(base):
        """y = 2 x, logging needs_input_grad; returns (2 x, None) as PyTorch allows."""
        @staticmethod
        def forward(ctx, x, y):
            log.append(tuple(ctx.needs_input_grad))
            return x * 2, None

        @staticmethod
        def backward(ctx, g, none):
            log.append(none)
            return 2 * g, None
    return Double


def test_needs_input_grad_under_no_grad(torch):
    """PyTorch's needs_input_grad tells requires_grad under no_grad() too."""
    logs: dict = {}
    for lib, base in ((ag, ag.Function), (torch, torch.autograd.Function)):
        logs[lib.__name__] = log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            _recording_class(base, log).apply(x, x)
    assert logs["autograd"] == logs["torch"]


def test_forward_returning_none_in_a_tuple(torch):
    """``return x * 2, None`` gives (tensor, None); backward gets None for that output."""
    results = {}
    for lib, base in ((ag, ag.Function), (torch, torch.autograd.Function)):
        log: list = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out, none = _recording_class(base, log).apply(x, 3.0)
        out.sum().backward()
        results[lib.__name__] = (np.asarray(out.tolist()), none, log[1:],
                                 np.asarray(x.grad.tolist()))
    ours, theirs = results["autograd"], results["torch"]
    np.testing.assert_allclose(ours[0], theirs[0])
    assert ours[1] is None and theirs[1] is None and ours[2] == theirs[2] == [None]
    np.testing.assert_allclose(ours[3], theirs[3])


def test_std_of_one_element_tangent(torch):
    """std over one element (correction 1) is NaN; its tangent was 0, torch's is NaN, as
    is our reverse-mode gradient."""
    ours = _tangent(ag, fwad, lambda d: d.std(dim=0), [0.3], [1.0])
    with warnings.catch_warnings():  # torch: "degrees of freedom is <= 0"
        warnings.simplefilter("ignore", UserWarning)
        theirs = _tangent(torch, torch.autograd.forward_ad, lambda d: d.std(dim=0),
                          [0.3], [1.0])
    assert np.isnan(ours) and np.isnan(theirs)
    x = ag.tensor([0.3], requires_grad=True)
    x.std(dim=0).backward()
    assert np.isnan(x.grad.data).all()


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_make_dual_refuses_a_non_float_tangent(torch, dtype):
    tangent = np.array([1, 0]).astype(dtype)
    with torch.autograd.forward_ad.dual_level():
        with pytest.raises(ValueError, match="tangent to be floating point"):
            torch.autograd.forward_ad.make_dual(torch.tensor([1.0, 2.0]),
                                                torch.tensor(tangent))
    with fwad.dual_level():
        with pytest.raises(AutogradError, match="tangent must be floating point") as info:
            fwad.make_dual(ag.tensor([1.0, 2.0]), ag.tensor(tangent))
    assert isinstance(info.value, ValueError)


def test_unpack_dual_refuses_a_non_tensor_in_a_level(torch):
    with torch.autograd.forward_ad.dual_level():
        with pytest.raises(TypeError):
            torch.autograd.forward_ad.unpack_dual(3.0)
    with fwad.dual_level():
        with pytest.raises(AutogradError, match="takes a Tensor") as info:
            fwad.unpack_dual(3.0)
    assert isinstance(info.value, TypeError)
    assert fwad.unpack_dual(3.0) == torch.autograd.forward_ad.unpack_dual(3.0)
