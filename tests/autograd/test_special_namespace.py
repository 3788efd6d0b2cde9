"""``autograd.special`` against ``torch.special``: values and gradients on each function's
domain, PyTorch's conventions at the edges (xlogy(0, y) = 0, entr(0) = 0, entr(x < 0) =
-inf, log_ndtr far in the left tail), and the top-level ``xlogy``, ``logit``,
``mvlgamma``. ``torch.special.xlogy(k, rate)`` (a Poisson log-likelihood) and
``torch.logit(p)`` (a Bernoulli's logits from probabilities) raised ``MissingNameError``;
``torch.special.erfcx`` (a normal tail's log, log(erfcx(z / sqrt 2) / 2) - z^2 / 2, that
does not underflow) an AttributeError."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
POSITIVE = RNG.uniform(0.2, 4.0, 6)
UNIT = RNG.uniform(0.05, 0.95, 6)
REAL = RNG.normal(size=6) * 2

CASES = [  # (name, arguments, extra positional arguments)
    ("expit", (REAL,), ()), ("logit", (UNIT,), ()), ("xlogy", (REAL, POSITIVE), ()),
    ("xlog1py", (REAL, POSITIVE), ()), ("entr", (POSITIVE,), ()),
    ("gammaln", (POSITIVE,), ()), ("digamma", (POSITIVE,), ()), ("psi", (POSITIVE,), ()),
    ("multigammaln", (POSITIVE + 2,), (3,)), ("erf", (REAL,), ()), ("erfc", (REAL,), ()),
    ("erfinv", (UNIT * 2 - 1,), ()), ("ndtr", (REAL,), ()), ("ndtri", (UNIT,), ()),
    ("log_ndtr", (np.concatenate([REAL, [-25.0, -19.0, 6.0]]),), ()),
    ("log1p", (POSITIVE,), ()), ("expm1", (REAL,), ()), ("exp2", (REAL,), ()),
    ("logsumexp", (REAL.reshape(2, 3),), (1,)), ("softmax", (REAL.reshape(2, 3),), (1,)),
    ("log_softmax", (REAL.reshape(2, 3),), (1,)),
    ("erfcx", (np.concatenate([REAL, [-5.0, -2.0, 2.0, 8.0, 30.0, 1e3]]),), ()),
]


def _run(T, module, name, arrays, extra):
    tensors = [T.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(module, name)(*tensors, *extra)
    weights = T.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
    (out * weights).sum().backward()
    return [out.detach().numpy()] + [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("name, arrays, extra", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_special(torch, name, arrays, extra) -> None:
    got = _run(ag, ag.special, name, arrays, extra)
    want = _run(torch, torch.special, name, arrays, extra)
    # digamma's derivative (trigamma) is PyTorch's approximation, off by up to 1e-9
    rtol = 1e-8 if name in ("digamma", "psi") else 1e-11
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 6])
def test_polygamma_matches_pytorch(torch, n) -> None:
    """n >= 3 (a PyTorch user's torch.special.polygamma(3, x)) was refused before: now
    (-1)^(n+1) n! zeta(n + 1, x), PyTorch's formula, also at negative non-integer x."""
    x = np.concatenate([POSITIVE, [-1.5, -0.3, 1e-3, 50.0]])
    np.testing.assert_allclose(ag.special.polygamma(n, ag.tensor(x)).numpy(),
                               torch.special.polygamma(n, torch.tensor(x)).numpy(),
                               rtol=1e-8)
    with pytest.raises(ag.UsageError, match="n must be >= 0"):
        ag.special.polygamma(-1, ag.tensor(x))


@pytest.mark.parametrize("n", [3, 4])
def test_polygamma_gradients_match_pytorch_to_second_order(torch, n) -> None:
    """d/dx psi^(n) = psi^(n+1), through zeta's derivative in q."""
    def run(T, grad):
        x = T.tensor(POSITIVE, requires_grad=True)
        out = T.special.polygamma(n, x)
        (g,) = grad((out * T.tensor(np.linspace(0.5, 1.5, 6))).sum(), x, create_graph=True)
        (h,) = grad(g.sum(), x)
        return out.detach().numpy(), g.detach().numpy(), h.numpy()

    for a, b in zip(run(ag, ag.grad), run(torch, torch.autograd.grad), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11)


def test_edges_follow_pytorch(torch) -> None:
    x = np.array([0.0, 0.0, 1.5, -1.0])
    y = np.array([0.0, 2.0, 0.5, 3.0])
    results = []
    for T in (ag, torch):
        a, b = T.tensor(x, requires_grad=True), T.tensor(y, requires_grad=True)
        value = T.special.xlogy(a, b)
        value[:2].sum().backward()  # where x = 0 the gradient is finite
        results.append([value.detach().numpy(), a.grad.numpy()[:2],
                        T.special.entr(T.tensor(x)).numpy(),
                        T.special.logit(T.tensor([0.0, 0.3, 1.0]), eps=1e-6).numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_top_level_spellings(torch) -> None:
    p = np.array([0.2, 0.7])
    np.testing.assert_allclose(ag.logit(p).numpy(), torch.logit(torch.tensor(p)).numpy())
    np.testing.assert_allclose(ag.xlogy(p, p + 1).numpy(),
                               torch.xlogy(torch.tensor(p), torch.tensor(p + 1)).numpy())
    np.testing.assert_allclose(ag.mvlgamma(ag.tensor(p + 3), 2).numpy(),
                               torch.mvlgamma(torch.tensor(p + 3), 2).numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_matches_pytorch_in_x(torch, name) -> None:
    """Differentiable in x (the Gamma CDF's density), not in a (PyTorch's neither)."""
    a = np.array([0.3, 1.0, 2.5, 10.0, 80.0])
    x = np.array([0.1, 1.5, 0.0, 12.0, 70.0])
    results = []
    for T in (ag, torch):
        xt = T.tensor(x, requires_grad=True)
        out = getattr(T.special, name)(T.tensor(a), xt)
        out.sum().backward()
        results.append([out.detach().numpy(), xt.grad.numpy()])
    # PyTorch's values are off by up to 1e-9 at large a (SciPy and mpmath agree with ours)
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-8)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-11, atol=1e-15)
    special = pytest.importorskip("scipy.special")
    np.testing.assert_allclose(results[0][0], getattr(special, name)(a, x), rtol=1e-12)
    with pytest.raises(ag.UnsupportedError, match="derivative in a"):
        ag.special.gammainc(ag.tensor(a, requires_grad=True), ag.tensor(x)).sum().backward()


def test_erfcx_far_tails_follow_pytorch(torch) -> None:
    x = np.array([-30.0, -26.0, 26.7, 1e5, 1e300, np.inf, -np.inf, np.nan])
    got = ag.special.erfcx(ag.tensor(x)).numpy()
    want = torch.special.erfcx(torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-13)  # inf below -26.6, 0 at +inf
    z = ag.tensor([-40.0, -10.0], requires_grad=True)  # the normal log-CDF far in the tail
    log_cdf = ag.log(ag.special.erfcx(-z / np.sqrt(2)) / 2) - z * z / 2
    np.testing.assert_allclose(log_cdf.detach().numpy(),
                               ag.special.log_ndtr(z).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name, number", [("xlogy", 2.0), ("igamma", 2.0), ("igammac", 2.0),
                                          ("ldexp", 2)])
def test_a_python_number_takes_the_float32_tensors_dtype_as_pytorch(name, number):
    """PyTorch wraps a Python number as a weak scalar: torch.xlogy(x32, 2.0) is float32.
    The number was made a float64 Tensor, so the result went float64 silently."""
    torch = pytest.importorskip("torch")
    values = np.array([0.5, 1.0, 2.5], dtype=np.float32)
    got = getattr(ag.Tensor(values), name)(number)
    want = getattr(torch, name)(torch.tensor(values), torch.tensor(number) if name in (
        "igamma", "igammac", "ldexp") else number)
    assert got.dtype == np.float32 and want.dtype == torch.float32
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-5)


@pytest.mark.parametrize("function, torch_name", [
    (ag.xlogy, "xlogy"), (ag.special.xlog1py, "special.xlog1py"), (ag.igamma, "igamma"),
    (ag.igammac, "igammac"), (ag.special.gammainc, "special.gammainc")])
def test_the_functions_take_a_python_number_either_side_in_float32_as_pytorch(function,
                                                                          torch_name):
    torch = pytest.importorskip("torch")
    values = np.array([0.5, 1.0, 2.5], dtype=np.float32)
    theirs = torch
    for part in torch_name.split("."):
        theirs = getattr(theirs, part)
    for args, torch_args in [((ag.Tensor(values), 2.0), (torch.tensor(values), 2.0)),
                             ((2.0, ag.Tensor(values)), (2.0, torch.tensor(values)))]:
        if torch_name != "xlogy":  # torch takes a number only in xlogy; a 0-d tensor else
            torch_args = tuple(torch.tensor(a, dtype=torch.float32) if isinstance(a, float)
                               else a for a in torch_args)
        got, want = function(*args), theirs(*torch_args)
        assert got.dtype == np.float32 and want.dtype == torch.float32
        np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-5)
