"""gradcheck used the way a PyTorch / hypothesis user checks their own functions:
outputs of very different sizes, one tensor passed twice, PyTorch's keywords."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def test_a_large_output_does_not_drown_a_small_derivative() -> None:
    """exp at -10 and 10 (tensors()' default elements): the numeric side summed v . f
    before differencing, so the rounding of exp(10) swamped exp(-10)'s derivative."""
    x = Tensor(np.array([-9.9, 10.0, -8.0]), requires_grad=True)
    assert ag.gradcheck(ag.exp, [x], seed=2)  # failed: numeric off by 6e-7
    estimate = ag.numerical_grad(ag.exp, [x], [np.ones(3)])[0]
    (analytic,) = ag.grad(ag.exp(x), x, grad_outputs=ag.ones(3))
    np.testing.assert_allclose(estimate, analytic.numpy(), rtol=1e-8)


def test_an_output_that_shares_the_input_memory_is_read_before_the_next_step() -> None:
    """fn returning its input (or a view of it): each evaluation is kept as a copy."""
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    assert ag.gradcheck(lambda a: a, [x])
    assert ag.gradcheck(lambda a: (a[1:], a.T), [x])


def test_one_tensor_passed_twice_is_checked_as_pytorch_does() -> None:
    """gradcheck(f, (x, x)): grad() gives each place the total derivative; the numeric
    side perturbed two separate copies and found half of it (a false failure)."""
    torch = pytest.importorskip("torch")
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: a * b.sin(), (tx, tx))
    assert ag.gradcheck(lambda a, b: a * b.sin(), (x, x))
    assert ag.gradgradcheck(lambda a, b: a * b.sin(), (x, x))
    with pytest.raises(ag.GradcheckError):  # still catches a wrong VJP
        ag.gradcheck(lambda a, b: a * _wrong_sin(b), (x, x))


class _WrongSin(ag.Function):
    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (g * np.cos(x) * 1.001,)


def _wrong_sin(x: Tensor) -> Tensor:
    return _WrongSin()(x)


class _NoisySin(ag.Function):
    """A VJP that is right to 1e-9 but differs from call to call (an atomic-add kernel)."""
    rng = np.random.default_rng(0)

    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (g * (np.cos(x) + 1e-9 * self.rng.standard_normal(np.shape(x))),)


PYTORCH_FLAGS = dict(nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=True,
                     check_batched_grad=True, fast_mode=True, masked=None,
                     check_backward_ad=True, check_forward_ad=False)


def test_pytorch_keywords_are_accepted() -> None:
    """A call copied from a PyTorch test ran into a bare TypeError."""
    torch = pytest.importorskip("torch")
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    assert torch.autograd.gradcheck(torch.sin, (tx,), eps=1e-6, atol=1e-5, **PYTORCH_FLAGS)
    assert ag.gradcheck(ag.sin, (x,), eps=1e-6, atol=1e-5, **PYTORCH_FLAGS)
    gg_flags = dict(nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=True,
                    check_batched_grad=False, fast_mode=True, masked=False,
                    gen_non_contig_grad_outputs=True, check_rev_over_rev=True,
                    check_fwd_over_rev=False)
    assert torch.autograd.gradgradcheck(torch.sin, (tx,), **gg_flags)
    assert ag.gradgradcheck(ag.sin, (x,), **gg_flags)
    assert ag.gradgradcheck(lambda a: (a.sin(), a * a), (x,), gen_non_contig_grad_outputs=True)


def test_a_nondeterministic_vjp_fails_unless_nondet_tol_allows_it() -> None:
    """As PyTorch's: two backward passes must agree exactly by default."""
    torch = pytest.importorskip("torch")

    class TorchNoisySin(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (x.cos() + 1e-9 * torch.randn_like(x))

    tx = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="not reentrant"):  # its GradcheckError
        torch.autograd.gradcheck(TorchNoisySin.apply, (tx,))
    assert torch.autograd.gradcheck(TorchNoisySin.apply, (tx,), nondet_tol=1e-7)
    x = Tensor(tx.detach().numpy(), requires_grad=True)
    with pytest.raises(ag.GradcheckError, match="not deterministic.*nondet_tol"):
        ag.gradcheck(lambda a: _NoisySin()(a), (x,))
    assert not ag.gradcheck(lambda a: _NoisySin()(a), (x,), raise_exception=False)
    assert ag.gradcheck(lambda a: _NoisySin()(a), (x,), nondet_tol=1e-7)


@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_pytorch_flags_that_cannot_hold_here_are_named_errors(check) -> None:
    x = Tensor(np.array([0.3, -1.2]), requires_grad=True)
    if check is ag.gradcheck:
        with pytest.raises(ag.UsageError,
                           match="check_batched_forward_grad=True is not supported.*False"):
            check(ag.sin, (x,), check_batched_forward_grad=True)
    else:  # forward over reverse is checked (forward_ad's tangents of v^T J), as PyTorch
        assert check(ag.sin, (x,), check_fwd_over_rev=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'nondet_tolerance'"):
        check(ag.sin, (x,), nondet_tolerance=0.0)
    with pytest.raises(ValueError, match="nondet_tol must be a number >= 0"):
        check(ag.sin, (x,), nondet_tol=-1.0)


@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_a_pytorch_tensor_to_check_is_named_not_called_missing(check) -> None:
    """A torch tensor with requires_grad=True was reported as 'no input requires grad',
    and a bare one was iterated as rows."""
    torch = pytest.importorskip("torch")
    theirs = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    for inputs, index in [(theirs, 0), ([theirs], 0),
                          ((Tensor(np.ones(2), requires_grad=True), theirs), 1)]:
        with pytest.raises(ag.UsageError, match=rf"input {index} is a torch\.Tensor; .*"
                                                r"Tensor\(x\.detach\(\)\.numpy\(\)"):
            check(lambda a, *rest: a.sin(), inputs)
