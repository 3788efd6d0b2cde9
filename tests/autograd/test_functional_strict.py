"""autograd.functional's strict=True as PyTorch's: each output of a tuple is checked
against each input on its own, for jacobian and for hessian's blocks."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import functional as F

A, B = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])


def _torch_raises(torch, call) -> bool:
    try:
        call()
    except RuntimeError:
        return True
    return False


def test_jacobian_strict_checks_every_output_of_a_tuple() -> None:
    """exp(b).sum() ignores a: PyTorch refuses it under strict=True; ours returned
    zeros, because the other output (a * b) depends on a."""
    torch = pytest.importorskip("torch")
    f = lambda a, b: (a * b, b.exp().sum())  # noqa: E731
    ta, tb = torch.tensor(A), torch.tensor(B)
    assert _torch_raises(torch, lambda: torch.autograd.functional.jacobian(
        f, (ta, tb), strict=True))
    with pytest.raises(F.IndependentError, match=r"output 1\).*input 0"):
        F.jacobian(f, (ag.Tensor(A), ag.Tensor(B)), strict=True)
    # without strict the block is zeros, as PyTorch's
    ours = F.jacobian(f, (ag.Tensor(A), ag.Tensor(B)))
    theirs = torch.autograd.functional.jacobian(f, (ta, tb))
    for row, trow in zip(ours, theirs):
        for block, tblock in zip(row, trow):
            np.testing.assert_allclose(block.numpy(), tblock.numpy(), rtol=1e-12)


def test_hessian_strict_checks_every_block() -> None:
    """d2/db2 of sum(a a b) is independent of b: PyTorch refuses it under strict=True."""
    torch = pytest.importorskip("torch")
    f = lambda a, b: (a * a * b).sum()  # noqa: E731
    ta, tb = torch.tensor(A), torch.tensor(B)
    assert _torch_raises(torch, lambda: torch.autograd.functional.hessian(
        f, (ta, tb), strict=True))
    with pytest.raises(F.IndependentError, match="input 1"):
        F.hessian(f, (ag.Tensor(A), ag.Tensor(B)), strict=True)
    # where every block depends on every input, strict passes and agrees with PyTorch
    g = lambda a, b: (a * a * b * b).sum()  # noqa: E731
    ours = F.hessian(g, (ag.Tensor(A), ag.Tensor(B)), strict=True)
    theirs = torch.autograd.functional.hessian(g, (ta, tb), strict=True)
    for row, trow in zip(ours, theirs):
        for block, tblock in zip(row, trow):
            np.testing.assert_allclose(block.numpy(), tblock.numpy(), rtol=1e-12)


def test_a_single_output_keeps_its_message() -> None:
    with pytest.raises(F.IndependentError, match="^jacobian: the output does not depend"):
        F.jacobian(lambda a, b: a.sin(), (ag.Tensor(A), ag.Tensor(B)), strict=True)


@pytest.mark.parametrize("what, f, extra", [
    ("jacobian", lambda x: x * 3.0, ()), ("vjp", lambda x: x * 3.0, ("v",)),
    ("jvp", lambda x: x * 3.0, ("v",)), ("hvp", lambda x: (x * x).sum(), ("v",)),
    ("vhp", lambda x: (x * x).sum(), ("v",)), ("hessian", lambda x: (x * x).sum(), ())])
def test_strict_with_create_graph_refuses_a_constant_derivative_as_pytorch(
        what, f, extra) -> None:
    """A constant derivative has no graph, so create_graph=True cannot keep it
    differentiable: PyTorch's strict=True refuses it; ours returned it without a graph."""
    torch = pytest.importorskip("torch")
    targs = [torch.tensor(A)] + [torch.tensor(B) for _ in extra]
    assert _torch_raises(torch, lambda: getattr(torch.autograd.functional, what)(
        f, *targs, create_graph=True, strict=True))
    args = [ag.Tensor(A)] + [ag.Tensor(B) for _ in extra]
    with pytest.raises(F.IndependentError, match="input 0 is constant"):
        getattr(F, what)(f, *args, create_graph=True, strict=True)
    result = getattr(F, what)(f, *args, create_graph=True)  # without strict: as PyTorch
    expected = getattr(torch.autograd.functional, what)(f, *targs, create_graph=True)
    result, expected = (result, expected) if what in ("jacobian", "hessian") else (
        result[1], expected[1])
    np.testing.assert_allclose(result.numpy(), expected.detach().numpy(), rtol=1e-12)
    # and without create_graph, strict is satisfied (the inputs are all used)
    getattr(F, what)(f, *args, strict=True)
