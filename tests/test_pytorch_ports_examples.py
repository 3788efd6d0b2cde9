"""PyTorch's tutorial "Learning PyTorch with Examples", ported as a PyTorch user writes it:
y = sin(x) by a cubic, with gradients by hand, by autograd, through a custom ``Function``
(``LegendrePolynomial3``), with ``nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))``
(by hand and with ``optim``) and a dynamic-graph module reusing one parameter a random
number of times; and pytorch/examples' polynomial regression (``x.mm(W)``, ``cat`` of
powers, ``smooth_l1_loss``, ``param.data`` updated by hand, ``'{:+.2f}'.format(w)``). Each
runs step for step as PyTorch's from the same start.

Spellings that differ here (documented choices): ``torch.autograd.Function`` is
``ag.Function``; ``ag.randn(())`` is float64 (PyTorch: float32); ``param.data`` is
the NumPy array, so the example's ``param.data.add_(-0.1 * param.grad)`` is written
``param.data -= 0.1 * param.grad``.
"""

import math
import random

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports import _to_numpy
def _sine(T, dtype, n: int = 200):
    x = T.linspace(-math.pi, math.pi, n, dtype=dtype)
    return x, T.sin(x)


def _cubic_by_hand(T, dtype, start, steps: int = 100, learning_rate: float = 1e-5):
    """The tensors-only version: forward and the gradients by hand, no autograd."""
    x, y = _sine(T, dtype)
    a, b, c, d = (T.tensor(v, dtype=dtype) for v in start)
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return loss, [v.item() for v in (a, b, c, d)], a.dtype


def _cubic_autograd(T, dtype, start, steps: int = 100, learning_rate: float = 1e-5):
    x, y = _sine(T, dtype)
    a, b, c, d = (T.tensor(v, dtype=dtype, requires_grad=True) for v in start)
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with T.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return loss.item(), [v.item() for v in (a, b, c, d)], loss.dtype


@pytest.mark.parametrize("program", [_cubic_by_hand, _cubic_autograd])
def test_cubic_fit_of_sine_as_torch(program):
    torch = pytest.importorskip("torch")
    start = np.random.default_rng(0).standard_normal(4)
    loss, coefs, dtype = program(ag, ag.float64, start)
    want_loss, want_coefs, _ = program(torch, torch.float64, start)
    assert loss == pytest.approx(want_loss, rel=1e-10)
    np.testing.assert_allclose(coefs, want_coefs, rtol=1e-10)
    assert dtype == np.float64
    loss32, _, dtype32 = program(ag, ag.float32, start, steps=300)  # torch.float stays float32
    assert dtype32 == np.float32 and loss32 < 0.5 * program(ag, ag.float32, start, steps=1)[0]


def _legendre(T, Function):
    class LegendrePolynomial3(Function):
        """P3(x) = (5 x^3 - 3 x) / 2;  P3'(x) = 1.5 (5 x^2 - 1)."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    x, y = _sine(T, T.float64)
    a, b, c, d = (T.full((), v, dtype=T.float64, requires_grad=True)
                  for v in (0.0, -1.0, 0.0, 0.3))
    losses = []
    for t in range(100):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with T.no_grad():
            for p in (a, b, c, d):
                p -= 5e-5 * p.grad
                p.grad = None
        losses.append(loss.item())
    return losses, [v.item() for v in (a, b, c, d)]


def test_legendre_polynomial_function_as_torch():
    torch = pytest.importorskip("torch")
    got = _legendre(ag, ag.Function)
    want = _legendre(torch, torch.autograd.Function)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10, atol=1e-15)
    assert got[0][-1] < 0.5 * got[0][0]


def _sequential_poly(T, lib, model, optimizer=None, steps: int = 50) -> list[float]:
    """``nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))`` on (x, x^2, x^3)."""
    x, y = _sine(T, T.float64)
    p = T.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    assert tuple(xx.shape) == (200, 3)
    loss_fn = lib.MSELoss(reduction="sum")
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with T.no_grad():
                for param in model.parameters():
                    param -= 1e-5 * param.grad
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
    linear_layer = model[0]
    coefs = [linear_layer.bias.item()] + [linear_layer.weight[:, i].item() for i in range(3)]
    return losses + coefs


@pytest.mark.parametrize("optimizer", [None, "RMSprop"])
def test_sequential_linear_flatten_fits_as_torch(optimizer):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).double()
    ours = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    make = (lambda optim, m: None) if optimizer is None else \
        (lambda optim, m: getattr(optim, optimizer)(m.parameters(), lr=1e-2))
    got = _sequential_poly(ag, nn, ours, make(nn.optim, ours))
    want = _sequential_poly(torch, torch.nn, theirs, make(torch.optim, theirs))
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert got[49] < 0.5 * got[0]


def _dynamic_net(T, lib):
    class DynamicNet(lib.Module):
        """A cubic plus e * x^4 (and e * x^5): one parameter reused a random number
        of times, a new graph each forward."""

        def __init__(self) -> None:
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (
                lib.Parameter(T.zeros((), dtype=T.float64)) for _ in range(5))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

    return DynamicNet()


def _dynamic_steps(T, lib, optim, model, seed: int, steps: int = 40) -> list[float]:
    x, y = _sine(T, T.float64)
    criterion = lib.MSELoss(reduction="sum")
    optimizer = optim.SGD(model.parameters(), lr=1e-7, momentum=0.9)
    random.seed(seed)
    losses = []
    for t in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses + [p.item() for p in model.parameters()]


def test_dynamic_net_reusing_a_parameter_as_torch():
    torch = pytest.importorskip("torch")
    start = np.random.default_rng(1).standard_normal(5) * 0.1
    ours, theirs = _dynamic_net(ag, nn), _dynamic_net(torch, torch.nn)
    ours.load_state_dict(dict(zip("abcde", start)))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in zip("abcde", start)})
    got = _dynamic_steps(ag, nn, nn.optim, ours, seed=0)
    want = _dynamic_steps(torch, torch.nn, torch.optim, theirs, seed=0)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert got[39] < got[0]


# ------------------------------------------------------------------ the examples' regression
POLY_DEGREE = 4


def _poly_regression(T, F, fc, W_target, b_target, draws) -> tuple[list[float], str]:
    """pytorch/examples' regression: fit a degree-4 polynomial with one Linear layer and
    smooth L1 loss, updating ``param.data`` by hand, until the loss is below 1e-3."""
    def make_features(x):
        x = x.unsqueeze(1)
        return T.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)

    def f(x):
        return x.mm(W_target) + b_target.item()

    def poly_desc(W, b):
        result = "y = "
        for i, w in enumerate(W):
            result += "{:+.2f} x^{} ".format(w, i + 1)
        result += "{:+.2f}".format(b[0])
        return result

    losses = []
    for batch_idx, draw in enumerate(draws, 1):
        batch_x = make_features(T.tensor(draw))  # get_batch: randn(batch_size)
        batch_y = f(batch_x)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data -= 0.1 * param.grad  # the example's param.data.add_(-0.1 * param.grad)
        losses.append(loss)
        if loss < 1e-3:
            break
    return losses, poly_desc(fc.weight.view(-1), fc.bias)


def test_polynomial_regression_example_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    w, b = rng.standard_normal((POLY_DEGREE, 1)) * 2, rng.standard_normal(1) * 2
    draws = rng.standard_normal((400, 32))
    torch.manual_seed(0)
    theirs = torch.nn.Linear(POLY_DEGREE, 1).double()
    ours = nn.Linear(ag.tensor(w).size(0), 1)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got, got_desc = _poly_regression(ag, nn.functional, ours, ag.tensor(w), ag.tensor(b),
                                     draws)
    want, want_desc = _poly_regression(torch, torch.nn.functional, theirs, torch.tensor(w),
                                       torch.tensor(b), draws)
    np.testing.assert_allclose(got[:80], want[:80], rtol=1e-12)
    # later, while the loss oscillates, the x^4 features amplify last-bit differences of
    # summation order (to about 1e-5), until it settles again
    assert len(got) == len(want)
    np.testing.assert_allclose(got, want, rtol=1e-3)
    assert got[-1] < 1e-3 and len(got) < len(draws)  # it stopped
    assert got_desc == want_desc
    learned = [float(c) for c in got_desc.replace("y =", "").split()[::2]]
    np.testing.assert_allclose(learned, np.append(w.ravel(), b), atol=0.1)
