"""The modified Bessel functions ``autograd.special.i0/i0e/i1/i1e``, ``autograd.i0`` and
``Tensor.i0``/``i0_`` against PyTorch's: values over the series' range, across the switch
to Hankel's series at |x| = 30 and far beyond (where I0 overflows and i0e does not),
first and second derivatives, at 0 too (I1' and i1e' are 1/2 there), dtypes, ``out=``.
A von Mises log-density written as readers write it, ``kappa * cos(x - mu) - log(2 pi
i0e(kappa)) - kappa``, raised ``AttributeError`` (no ``special.i0e``), and
``torch.i0(kappa)`` raised ``MissingNameError``."""

import numpy as np
import pytest

import autograd as ag

NAMES = ("i0", "i0e", "i1", "i1e")
POINTS = np.concatenate([np.linspace(-45.0, 45.0, 181), [-30.0, 29.9999, 30.0, 30.0001,
                                                          1e-9, -1e-20, 0.0, 300.0, -700.0]])


@pytest.mark.parametrize("name", NAMES)
def test_values_match_pytorch(torch, name) -> None:
    got = getattr(ag.special, name)(ag.tensor(POINTS)).numpy()
    want = getattr(torch.special, name)(torch.tensor(POINTS)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_first_and_second_derivatives_match_pytorch(torch, name) -> None:
    points = np.array([-35.0, -3.0, -0.4, 0.0, 0.8, 2.5, 12.0, 31.0])
    if name.endswith("e"):
        points = points[points != 0]  # sign(x) in the e-forms: PyTorch's 2nd derivative
    weights = np.linspace(0.5, 1.5, points.size)  # at 0 is a convention, not a limit
    results = []
    for T, grad in ((ag, ag.grad), (torch, torch.autograd.grad)):
        x = T.tensor(points, requires_grad=True)
        (first,) = grad((getattr(T.special, name)(x) * T.tensor(weights)).sum(), x,
                                   create_graph=True)
        (second,) = grad(first.sum(), x)
        results.append((first.detach().numpy(), second.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_gradients_match_finite_differences(name) -> None:
    x = ag.tensor(np.array([-4.0, -1.3, 0.6, 2.2, 7.0]), requires_grad=True)
    fn = getattr(ag.special, name)
    assert ag.gradcheck(fn, [x]) and ag.gradgradcheck(fn, [x])


def test_slope_at_zero_is_the_limit_one_half(torch) -> None:
    for name in ("i1", "i1e"):
        x = ag.tensor([0.0], requires_grad=True)
        getattr(ag.special, name)(x).sum().backward()
        tx = torch.tensor([0.0], requires_grad=True)
        getattr(torch.special, name)(tx).sum().backward()
        assert x.grad.numpy()[0] == tx.grad.numpy()[0] == 0.5


def test_top_level_method_inplace_dtype_and_out(torch) -> None:
    p = np.array([0.3, -2.0, 5.0])
    want = torch.i0(torch.tensor(p)).numpy()
    np.testing.assert_allclose(ag.i0(p).numpy(), want, rtol=1e-14)
    np.testing.assert_allclose(ag.tensor(p).i0().numpy(), want, rtol=1e-14)
    inplace = ag.tensor(p)
    assert inplace.i0_() is inplace
    np.testing.assert_allclose(inplace.numpy(), want, rtol=1e-14)
    single = ag.special.i1e(ag.tensor(p, dtype=ag.float32))
    assert single.dtype == np.float32 and ag.special.i0(ag.tensor([1, 2])).dtype == np.float64
    out = ag.empty(3)
    ag.special.i0e(p, out=out)
    np.testing.assert_allclose(out.numpy(), torch.special.i0e(torch.tensor(p)).numpy(),
                               rtol=1e-14)


def test_von_mises_log_density_as_readers_write_it(torch) -> None:
    def log_density(T, x, mu, kappa):
        return kappa * T.cos(x - mu) - T.log(2 * np.pi * T.special.i0e(kappa)) - kappa

    angles = np.array([0.1, 2.0, -2.8, 0.5])
    results = []
    for T in (ag, torch):
        mu, kappa = T.tensor(0.3, requires_grad=True), T.tensor(800.0, requires_grad=True)
        log_density(T, T.tensor(angles), mu, kappa).sum().backward()
        results.append([mu.grad.numpy(), kappa.grad.numpy()])
        assert np.isfinite(results[-1]).all()  # I0(800) overflows; i0e does not
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
