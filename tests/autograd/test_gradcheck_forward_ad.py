"""gradcheck's ``check_forward_ad=True`` (PyTorch's forward-mode check): the tangents
``autograd.forward_ad`` computes are compared with central differences along random
directions. PyTorch's forward-AD tutorial calls it on its custom Function."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

# torch's gradcheck imports torch._dynamo, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def exp_function(Function, scale: float, forward_mode: bool):
    """The tutorial's ``Fn`` (exp): PyTorch's with a ``jvp``, ours with a ``backward``
    (our forward mode comes from it); ``scale`` 1.0 is right, others are wrong."""

    class Fn(Function):
        @staticmethod
        def forward(ctx, foo):
            result = foo.exp()
            ctx.result = result
            return result

        if forward_mode:
            @staticmethod
            def jvp(ctx, gI):
                return gI * ctx.result * scale

            @staticmethod
            def backward(ctx, g):
                return g * ctx.result * scale
        else:
            @staticmethod
            def backward(ctx, g):
                return g * ctx.result * scale

    return Fn.apply


TUTORIAL_FLAGS = dict(check_forward_ad=True, check_backward_ad=False,
                      check_undefined_grad=False, check_batched_grad=False)


@pytest.mark.parametrize("scale", [1.0, 1.01])
def test_the_tutorials_forward_check_gives_pytorchs_verdict(torch, scale):
    data = np.random.default_rng(0).standard_normal((3, 3))
    verdicts = []
    for T, check, forward_mode in ((ag, ag.gradcheck, False),
                                   (torch, torch.autograd.gradcheck, True)):
        primal = T.tensor(data, requires_grad=True)
        fn = exp_function(T.autograd.Function if T is torch else T.Function, scale,
                          forward_mode)
        try:
            verdicts.append(check(fn, (primal,), **TUTORIAL_FLAGS))
        except RuntimeError as error:  # GradcheckError, in both
            assert type(error).__name__ == "GradcheckError", error
            verdicts.append("raised")
    assert verdicts == ([True, True] if scale == 1.0 else ["raised", "raised"]), verdicts


class _GradAsData(ag.Function):
    """sin with a VJP right for backward but not differentiable in g (it reads g's
    array): J^T u is right, its derivative in u, the forward tangent, is zero."""

    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (Tensor(np.asarray(g.data if isinstance(g, Tensor) else g)) * ag.cos(x)
                if isinstance(x, Tensor) else g * np.cos(x),)


def test_the_forward_check_catches_a_vjp_not_differentiable_in_g():
    # forward mode refuses such an op (as PyTorch's gradcheck raises for a custom Function
    # without a jvp, also with raise_exception=False), rather than a zero tangent
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda a: _GradAsData()(a), (x,))
    with pytest.raises(ag.UsageError, match="custom op _GradAsData.*depend on g"):
        ag.gradcheck(lambda a: _GradAsData()(a), (x,), check_forward_ad=True)
    with pytest.raises(ag.UsageError, match="custom op _GradAsData.*depend on g"):
        ag.gradcheck(lambda a: _GradAsData()(a), (x,), raise_exception=False,
                     check_forward_ad=True, check_backward_ad=False)


def test_the_forward_check_covers_several_inputs_and_outputs():
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    y = Tensor(np.array([[0.5], [1.5]]), requires_grad=True)
    assert ag.gradcheck(lambda a, b, k: (a * b, (a ** k).sum(), b.exp()), (x, y, 3),
                        check_forward_ad=True, check_backward_ad=False)
    assert ag.gradcheck(lambda a, b: a * b, (x, x), check_forward_ad=True)
