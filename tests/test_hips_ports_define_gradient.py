"""HIPS autograd's ``define_gradient.py``: your own op with its own gradient (a stable
logsumexp), used inside a larger function, differentiated and checked numerically.
HIPS's ``@primitive`` plus ``defvjp(f, lambda ans, x: lambda g: ...)`` is a subclass of
``autograd.Function`` here: ``forward`` on arrays, ``vjp(g, out, x)`` written with NumPy's
functions so that it runs on Tensors too (second derivatives), as HIPS asks of its VJPs.
Also PyTorch's spelling (``@staticmethod forward(ctx, x)``/``backward``), next to
``torch.autograd.Function``. Gradients against PyTorch's ``torch.logsumexp`` (float64)
and finite differences (HIPS's ``check_grads`` is ``gradcheck``/``gradgradcheck``).
See ``test_hips_ports_basics.py`` for the conventions.
"""

import numpy as np

import autograd as ag
from autograd import func
from autograd.extend import Function


class LogSumExp(Function):
    """Numerically stable log(sum(exp(x)));  d/dx = exp(x - ans)."""
    # HIPS's vjp maker always gets ans; here an op declares that its vjp reads its output
    # (without it, the VJPError says to set this)
    save_output = True

    def forward(self, x):
        max_x = np.max(x)
        return max_x + np.log(np.sum(np.exp(x - max_x)))

    def vjp(self, g, ans, x):
        # HIPS: np.full(x.shape, g) * np.exp(x - np.full(x.shape, ans)); broadcasting
        # does the np.full (which would read a Tensor g as a plain array at second order)
        return (g * np.exp(x - ans),)


def logsumexp(x):
    return LogSumExp()(x)


def example_func(y):
    z = y ** 2
    lse = logsumexp(z)
    return np.sum(lse)


class TorchStyleLogSumExp(Function):
    """The same op written PyTorch's way, with a context."""

    @staticmethod
    def forward(ctx, x):
        max_x = x.max()
        ans = max_x + ((x - max_x).exp().sum()).log()
        ctx.save_for_backward(x, ans)
        return ans

    @staticmethod
    def backward(ctx, g):
        x, ans = ctx.saved_tensors
        return g * (x - ans).exp()


def torch_function(torch):
    class Theirs(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ans = torch.logsumexp(x, 0)
            ctx.save_for_backward(x, ans)
            return ans

        @staticmethod
        def backward(ctx, g):
            x, ans = ctx.saved_tensors
            return g * (x - ans).exp()

    return Theirs


def test_gradient_of_your_own_op(torch):
    y = np.random.RandomState(0).randn(10)
    grad_of_example = func.grad(example_func)  # HIPS: grad(example_func)
    got = grad_of_example(y)
    yt = torch.tensor(y, requires_grad=True)
    torch.logsumexp(yt ** 2, 0).backward()
    np.testing.assert_allclose(got.data, yt.grad.numpy(), rtol=1e-12)
    # HIPS's check_grads(example_func, modes=["rev"])(y): first and second order
    leaf = ag.tensor(y, requires_grad=True)
    assert ag.gradcheck(example_func, [leaf])
    assert ag.gradgradcheck(example_func, [leaf])


def test_second_derivative_through_the_vjp(torch):
    """The VJP is written with NumPy's functions, so the Hessian goes through it."""
    y = np.random.RandomState(1).randn(5)
    hessian = func.hessian(example_func)(y)
    want = torch.func.hessian(lambda t: torch.logsumexp(t ** 2, 0))(torch.tensor(y))
    np.testing.assert_allclose(hessian.data, want.numpy(), rtol=1e-10, atol=1e-12)


def test_pytorch_spelling_next_to_torch_autograd_function(torch):
    y = np.random.RandomState(2).randn(6)
    leaf = ag.tensor(y, requires_grad=True)
    out = np.sum(TorchStyleLogSumExp.apply(leaf ** 2))
    (g,) = ag.grad(out, leaf, create_graph=True)
    (gg,) = ag.grad(np.sum(g * g), leaf)
    yt = torch.tensor(y, requires_grad=True)
    out_t = torch_function(torch).apply(yt ** 2).sum()
    (g_t,) = torch.autograd.grad(out_t, yt, create_graph=True)
    (gg_t,) = torch.autograd.grad((g_t * g_t).sum(), yt)
    np.testing.assert_allclose(out.item(), out_t.item(), rtol=1e-12)
    np.testing.assert_allclose(g.data, g_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gg.data, gg_t.numpy(), rtol=1e-10)
