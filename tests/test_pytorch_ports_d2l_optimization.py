""""Dive into Deep Learning" (d2l.ai, PyTorch edition), chapter "Optimization Algorithms",
ported as its readers write it: each program is written once for a library ``d2l``/``torch``
(``autograd`` here, PyTorch there) and runs next to PyTorch's, step for step in float64:
every trace, printed line, loss, gradient and parameter agrees to 1e-10.

Sections here: "Optimization and Deep Learning" (its curves and the saddle's grid),
"Gradient Descent" (1-d traces, learning rates, local minima, ``train_2d`` with ``gd_2d``,
Newton's method, ``show_trace``'s curves and ``show_trace_2d``'s contour
grid), "Stochastic Gradient Descent" (the noisy gradient of ``torch.normal``, constant,
exponential and polynomial learning rates). "Minibatch Stochastic Gradient Descent":
``test_pytorch_ports_d2l_optimization_minibatch.py``; the optimizers from scratch and
their ``torch.optim`` versions: ``test_pytorch_ports_d2l_optimization_algorithms.py``;
learning-rate scheduling:
``test_pytorch_ports_d2l_optimization_schedulers.py``.

Lines written differently here, and why:
- ``torch.normal`` (the noise, ``train_ch11``'s initial ``w``) is the library's own call,
  whose values are then replaced by draws of a NumPy generator both runs share
  (``SharedNormal``): the two libraries' generators differ;
- ``d2l.meshgrid(x, y)`` takes ``indexing='ij'`` (PyTorch's default, with a warning that
  it will be required; NumPy's default is 'xy', so here it is required);
- plots are replaced by the values they would draw.
"""

import contextlib
import io
import math

import numpy as np
import pytest

import autograd as ag

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


class SharedNormal:
    """The library ``T`` as d2l reads it, but ``normal(...)`` (the library's own call, for
    its signature) returns draws of a NumPy generator seeded alike in both runs."""

    def __init__(self, T, seed: int = 0) -> None:
        self.T, self.rng = T, np.random.default_rng(seed)

    def __getattr__(self, name: str):
        return getattr(self.T, name)

    def normal(self, *args, **kwargs):
        value = self.T.normal(*args, **kwargs)
        mean = kwargs.get("mean", args[0] if args else 0.0)
        std = kwargs.get("std", args[1] if len(args) > 1 else 1.0)
        with self.T.no_grad():
            value.copy_(self.T.tensor(self.rng.normal(mean, std, tuple(value.shape))))
        return value


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Each record's values agree (``arange(-5.5, 1.0, 0.1)`` differs by ~1e-14 near 0:
    NumPy and PyTorch round the steps differently, so atol is not 0)."""
    assert len(got) == len(want) > 0
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=rtol, atol=atol, err_msg=f"record {i}")


def printed(run, *args) -> tuple:
    """(what ``run(*args)`` returned, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = run(*args)
    return result, out.getvalue()


# ------------------------------------------------------------------ optimization and DL
def optimization_intro(d2l) -> list:
    """"Optimization and Deep Learning": the curves its plots show."""
    def f(x):
        return x * d2l.cos(np.pi * x)

    def g(x):
        return f(x) + 0.2 * d2l.cos(5 * np.pi * x)

    x = d2l.arange(0.5, 1.5, 0.01)
    curves = [x, f(x), g(x)]
    x = d2l.arange(-1.0, 2.0, 0.01)
    curves += [x, f(x)]
    x = d2l.arange(-2.0, 2.0, 0.01)
    curves += [x, x**3]
    x, y = d2l.meshgrid(d2l.linspace(-1.0, 1.0, 101), d2l.linspace(-1.0, 1.0, 101),
                        indexing='ij')  # d2l: no indexing (PyTorch's 'ij', with a warning)
    z = x**2 - y**2
    curves += [x, y, z]
    x = d2l.arange(-2.0, 5.0, 0.01)
    curves += [x, d2l.tanh(x)]
    return [c.numpy() for c in curves]


def test_optimization_and_deep_learning(torch):
    assert_records(optimization_intro(ag), optimization_intro(torch))
    with pytest.raises(ag.UsageError, match="indexing='ij'.*PyTorch warns"):
        ag.meshgrid(ag.linspace(-1.0, 1.0, 101), ag.linspace(-1.0, 1.0, 101))


# ------------------------------------------------------------------ gradient descent
def gradient_descent(d2l) -> tuple[list, list]:
    """The section's cells for the library ``d2l`` (its tensor functions): the traces
    and the values ``show_trace`` plots."""
    traces, curves = [], []

    def f(x):  # Objective function
        return x ** 2

    def f_grad(x):  # Gradient (derivative) of the objective function
        return 2 * x

    def gd(eta, f_grad):
        x = 10.0
        results = [x]
        for i in range(10):
            x -= eta * f_grad(x)
            results.append(float(x))
        print(f'epoch 10, x: {x:f}')
        return results

    def show_trace(results, f):
        n = max(abs(min(results)), abs(max(results)))
        f_line = d2l.arange(-n, n, 0.01)
        curves.append(([f(x) for x in f_line], [f(x) for x in results]))  # d2l.plot(...)

    results = gd(0.2, f_grad)
    show_trace(results, f)
    traces += [results, gd(0.05, f_grad), gd(1.1, f_grad)]

    c = d2l.tensor(0.15 * np.pi)

    def f(x):  # Objective function  # noqa: F811 (d2l redefines it)
        return x * d2l.cos(c * x)

    def f_grad(x):  # Gradient of the objective function  # noqa: F811
        return d2l.cos(c * x) - c * x * d2l.sin(c * x)

    traces.append(gd(2, f_grad))
    show_trace(traces[-1], f)

    c = d2l.tensor(0.5)

    def f(x):  # noqa: F811
        return d2l.cosh(c * x)

    def f_grad(x):  # noqa: F811
        return c * d2l.sinh(c * x)

    def f_hess(x):  # Hessian of the objective function
        return c**2 * d2l.cosh(c * x)

    def newton(eta=1):
        x = 10.0
        results = [x]
        for i in range(10):
            x -= eta * f_grad(x) / f_hess(x)
            results.append(float(x))
        print('epoch 10, x:', float(x))  # d2l prints the tensor: reprs differ
        return results

    traces.append(newton())
    c = d2l.tensor(0.15 * np.pi)

    def f(x):  # noqa: F811
        return x * d2l.cos(c * x)

    def f_grad(x):  # noqa: F811
        return d2l.cos(c * x) - c * x * d2l.sin(c * x)

    def f_hess(x):  # noqa: F811
        return - 2 * c * d2l.sin(c * x) - x * c**2 * d2l.cos(c * x)

    traces += [newton(), newton(0.5)]
    show_trace(traces[-1], f)
    return traces, curves


def test_gradient_descent_1d(torch):
    (got, got_curves), got_out = printed(gradient_descent, ag)
    (want, want_curves), want_out = printed(gradient_descent, torch)
    assert got_out == want_out
    assert_records(got, want)
    for (a, b), (c, d) in zip(got_curves, want_curves, strict=True):
        assert_records([np.array([float(v) for v in a]), [float(v) for v in b]],
                       [np.array([float(v) for v in c]), [float(v) for v in d]])


def train_2d(trainer, steps=20, f_grad=None):
    """Optimize a 2D objective function with a customized trainer."""
    # `s1` and `s2` are internal state variables that will be used in Momentum, adagrad,
    # RMSProp
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for i in range(steps):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print(f'epoch {i + 1}, x1: {float(x1):f}, x2: {float(x2):f}')
    return results


def contour_values(d2l, f):
    """What ``show_trace_2d`` hands ``plt.contour``."""
    x1, x2 = d2l.meshgrid(d2l.arange(-5.5, 1.0, 0.1),
                          d2l.arange(-3.0, 1.0, 0.1), indexing='ij')
    return [x1, x2, f(x1, x2)]


def multivariate(d2l) -> list:
    def f_2d(x1, x2):  # Objective function
        return x1 ** 2 + 2 * x2 ** 2

    def f_2d_grad(x1, x2):  # Gradient of the objective function
        return (2 * x1, 4 * x2)

    def gd_2d(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        return (x1 - eta * g1, x2 - eta * g2, 0, 0)

    eta = 0.1
    trace = train_2d(gd_2d, f_grad=f_2d_grad)
    return [np.array(trace)] + [v.numpy() for v in contour_values(d2l, f_2d)]


def test_gradient_descent_2d(torch):
    (got, got_out), (want, want_out) = printed(multivariate, ag), printed(multivariate, torch)
    assert got_out == want_out
    assert_records(got, want)


# ------------------------------------------------------------------ SGD
def stochastic(d2l, torch) -> list:
    """The section's cells; ``torch`` draws the noise, ``d2l`` is the library."""
    def f(x1, x2):  # Objective function
        return x1 ** 2 + 2 * x2 ** 2

    def f_grad(x1, x2):  # Gradient of the objective function
        return 2 * x1, 4 * x2

    def sgd(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        # Simulate noisy gradient
        g1 += torch.normal(0.0, 1, (1,)).item()
        g2 += torch.normal(0.0, 1, (1,)).item()
        eta_t = eta * lr()
        return (x1 - eta_t * g1, x2 - eta_t * g2, 0, 0)

    def constant_lr():
        return 1

    eta = 0.1
    lr = constant_lr  # Constant learning rate
    traces = [train_2d(sgd, steps=50, f_grad=f_grad)]

    t = 1

    def exponential_lr():
        # Global variable that is defined outside this function and updated inside
        nonlocal t  # d2l: global t
        t += 1
        return math.exp(-0.1 * t)

    lr = exponential_lr
    traces.append(train_2d(sgd, steps=1000, f_grad=f_grad))

    def polynomial_lr():
        nonlocal t
        t += 1
        return (1 + 0.1 * t) ** (-0.5)

    t = 1
    lr = polynomial_lr
    traces.append(train_2d(sgd, steps=50, f_grad=f_grad))
    return [np.array(trace) for trace in traces] + [
        v.numpy() for v in contour_values(d2l, f)]


def test_stochastic_gradient_descent(torch):
    got, got_out = printed(stochastic, ag, SharedNormal(ag))
    want, want_out = printed(stochastic, torch, SharedNormal(torch))
    assert got_out == want_out
    assert_records(got, want)
    assert np.abs(got[2][-1]).max() < 0.5  # the polynomial rate converged
