"""The strong-Wolfe line search and its cubic interpolation against torch's own
(``torch.optim.lbfgs._strong_wolfe``, ``_cubic_interpolate``) on wiggly functions and
start steps chosen so that every branch runs: growing the step, bracketing uphill or past
a turned slope, zooming with trials pushed off the bracket's ends, running out of
evaluations, a bracket shorter than the tolerance."""
import numpy as np
import pytest

from nn.optim.line_search import cubic_minimum, strong_wolfe

torch = pytest.importorskip("torch")
lbfgs = pytest.importorskip("torch.optim.lbfgs")
if not hasattr(lbfgs, "_strong_wolfe") or not hasattr(lbfgs, "_cubic_interpolate"):
    pytest.skip("this torch has no _strong_wolfe to compare with", allow_module_level=True)


def wiggly(seed):
    """f(x) = sum(a sin(b x) + c x^2) and its gradient, in NumPy."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4))
    a, b, c = rng.uniform(0.5, 3, n), rng.uniform(0.5, 4, n), rng.uniform(0.01, 0.5, n)
    x0 = rng.uniform(-2, 2, n)

    def f_and_g(x):
        return float(np.sum(a * np.sin(b * x) + c * x * x)), a * b * np.cos(b * x) + 2 * c * x
    return f_and_g, x0


def ripple(seed):
    """f(x) = a sin(b x) + c x^2 - x, fast ripples on a slope: the second trial can land
    higher than the first while still decreasing enough (the bracket's f_new >= f_prev)."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(0.1, 3), rng.uniform(1, 30), rng.uniform(0.0, 0.5)
    x0 = np.array([rng.uniform(-2, 2)])

    def f_and_g(x):
        value = float(np.sum(a * np.sin(b * x) + c * x * x - x))
        return value, a * b * np.cos(b * x) + 2 * c * x - 1
    return f_and_g, x0


def run_both(seed, t0, family=wiggly, **kwargs):
    f_and_g, x0 = family(seed)
    f, g = f_and_g(x0)
    d = -g
    ours = strong_wolfe(lambda t: f_and_g(x0 + t * d), t0, d, f, g, g.dot(d), **kwargs)

    def obj_func(x, t, direction):
        value, grad = f_and_g(x.numpy() + float(t) * direction.numpy())
        return value, torch.tensor(grad)
    tg, td = torch.tensor(g), torch.tensor(d)
    theirs = lbfgs._strong_wolfe(obj_func, torch.tensor(x0), t0, td, f, tg, tg.dot(td),
                                 **kwargs)
    return ours, theirs


CASES = [(seed, t0) for seed in range(40) for t0 in (1e-3, 0.05, 0.3, 1.0, 4.0, 50.0)]


@pytest.mark.parametrize("max_ls, tolerance_change", [(25, 1e-9), (3, 1e-9), (25, 1e-2),
                                                      (25, 0.5), (0, 1e-9), (1, 1e-9)])
def test_strong_wolfe_matches_torch(max_ls, tolerance_change):
    for seed, t0 in CASES:
        (f, g, t, evals), (tf, tgrad, tt, tevals) = run_both(
            seed, t0, max_ls=max_ls, tolerance_change=tolerance_change)
        where = f"seed={seed}, t0={t0}"
        assert evals == tevals, where
        np.testing.assert_allclose(float(t), float(tt), rtol=1e-9, err_msg=where)
        np.testing.assert_allclose(f, float(tf), rtol=1e-9, atol=1e-12, err_msg=where)
        np.testing.assert_allclose(g, tgrad.numpy(), rtol=1e-9, atol=1e-12, err_msg=where)


@pytest.mark.parametrize("seed", [93, 2078, 5, 17])
def test_strong_wolfe_matches_torch_on_ripples(seed):
    (f, g, t, evals), (tf, tgrad, tt, tevals) = run_both(seed, 0.05, family=ripple)
    assert evals == tevals
    np.testing.assert_allclose([float(t), f], [float(tt), float(tf)], rtol=1e-9)
    np.testing.assert_allclose(g, tgrad.numpy(), rtol=1e-9, atol=1e-12)


def test_strong_wolfe_accepts_a_step_satisfying_both_conditions():
    """The result: sufficient decrease and a flattened slope (c1=1e-4, c2=0.9)."""
    for seed, t0 in CASES:
        f_and_g, x0 = wiggly(seed)
        f, g = f_and_g(x0)
        d = -g
        f_new, g_new, t, _ = strong_wolfe(lambda s: f_and_g(x0 + s * d), t0, d, f, g, g.dot(d))
        assert f_new <= f + 1e-4 * t * g.dot(d) + 1e-12
        assert f_new == f_and_g(x0 + t * d)[0]


@pytest.mark.parametrize("seed", range(30))
def test_cubic_minimum_matches_torch(seed):
    rng = np.random.default_rng(seed)
    t1, t2 = rng.uniform(-3, 3, 2)
    f1, f2, g1, g2 = rng.standard_normal(4) * 3
    bounds = None if seed % 2 else tuple(sorted(rng.uniform(-5, 5, 2)))
    expected = lbfgs._cubic_interpolate(t1, f1, torch.tensor(g1), t2, f2, torch.tensor(g2),
                                        bounds=bounds)
    np.testing.assert_allclose(float(cubic_minimum(t1, f1, g1, t2, f2, g2, bounds)),
                               float(expected), rtol=1e-12, atol=1e-15)


def test_cubic_minimum_of_a_cubic_is_its_minimiser():
    """phi(t) = t^3 - 3t has its local minimum at t = 1 (phi' = 3t^2 - 3)."""
    def phi(t):
        return t ** 3 - 3 * t, 3 * t * t - 3
    t1, t2 = 0.2, 2.5
    assert cubic_minimum(t1, *phi(t1), t2, *phi(t2)) == pytest.approx(1.0, rel=1e-12)
