"""``float_power ldexp heaviside signbit isposinf isneginf gcd lcm`` (functions, methods,
in-place forms) against PyTorch's: values, dtypes (float_power is float64 whatever comes
in; ldexp keeps a float input's dtype), gradients (PyTorch's and finite differences).
Each raised ``MissingNameError`` (``torch.float_power(x, 2)``, ``torch.heaviside(x,
v)``...) or ``AttributeError`` (``x.ldexp(e)``)."""

import numpy as np
import pytest

import autograd as ag

X = np.array([0.5, 1.5, -2.0, 0.0, -0.0, 3.0])


def test_float_power_matches_pytorch_in_values_dtypes_and_gradients(torch) -> None:
    results = []
    for T in (ag, torch):
        x = T.tensor(np.abs(X) + 0.25, requires_grad=True)
        e = T.tensor(np.linspace(-1.0, 2.5, X.size), requires_grad=True)
        single = T.tensor([0.5, 1.5], dtype=T.float32, requires_grad=True)
        y, z = T.float_power(x, e), single.float_power(2)
        (y.sum() + z.sum()).backward()
        assert y.dtype == z.dtype == T.float64 and single.grad.dtype == T.float32
        results.append([y.detach().numpy(), x.grad.numpy(), e.grad.numpy(), z.detach().numpy(),
                        single.grad.numpy(), T.float_power(T.tensor([2, 3]), 3).numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_float_power_in_place_needs_float64(torch) -> None:
    x = ag.tensor([2.0, 3.0])
    assert x.float_power_(2) is x
    np.testing.assert_array_equal(x.numpy(), torch.tensor([2.0, 3.0]).float_power_(2).numpy())
    with pytest.raises(ag.DTypeError, match="float_power_.*float64"):
        ag.tensor([2.0], dtype=ag.float32).float_power_(2)


def test_ldexp_matches_pytorch_and_finite_differences(torch) -> None:
    exponents = np.array([1, -2, 3, 0, 5, -1])
    got = ag.ldexp(ag.tensor(X), ag.tensor(exponents))
    want = torch.ldexp(torch.tensor(X), torch.tensor(exponents))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert ag.ldexp(ag.tensor([1.0], dtype=ag.float32), ag.tensor([3])).dtype == np.float32
    np.testing.assert_array_equal(ag.ldexp(ag.tensor([1, 2]), ag.tensor([3, 1])).numpy(),
                                  [8.0, 4.0])
    # PyTorch's own gradient takes 2^e in integers (2^-2 = 0): the check is numerical here
    x = ag.tensor(X + 0.1, requires_grad=True)
    e = ag.tensor(np.linspace(-1.0, 1.0, X.size), requires_grad=True)
    assert ag.gradcheck(ag.ldexp, [x, e]) and ag.gradgradcheck(ag.ldexp, [x, e])
    x.grad = None
    ag.ldexp(x, ag.tensor(exponents)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 ** exponents)
    inplace = ag.tensor([1.0, 2.0])
    assert inplace.ldexp_(ag.tensor([1, 2])) is inplace
    np.testing.assert_array_equal(inplace.numpy(), [2.0, 8.0])


def test_heaviside_and_sign_tests_match_pytorch(torch) -> None:
    special = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0, -3.0])
    for name, args in (("heaviside", (X, np.array(0.5))), ("signbit", (special,)),
                       ("isposinf", (special,)), ("isneginf", (special,))):
        got = getattr(ag, name)(*[ag.tensor(a) for a in args])
        want = getattr(torch, name)(*[torch.tensor(a) for a in args])
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=name)
        assert got.dtype == want.numpy().dtype
    step = ag.tensor(X, requires_grad=True).heaviside(ag.tensor(0.5))
    assert not step.requires_grad  # a constant: the step's derivative is 0 almost everywhere
    with pytest.raises(ag.DTypeError, match="heaviside: values"):
        ag.heaviside(ag.tensor(X), ag.tensor(1))


def test_gcd_and_lcm_match_pytorch(torch) -> None:
    a, b = np.array([12, 0, 7, -4, 9]), np.array([18, 0, 3, 6, 0])
    for name in ("gcd", "lcm"):
        want = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_array_equal(getattr(ag, name)(a, b).numpy(), want)
        x = ag.tensor(a)
        assert getattr(x, name + "_")(ag.tensor(b)) is x
        np.testing.assert_array_equal(x.numpy(), want)
    with pytest.raises(ag.DTypeError, match="gcd: needs integer"):
        ag.gcd(ag.tensor([1.0]), ag.tensor([2.0]))


def test_out_argument(torch) -> None:
    out = ag.empty(X.size)
    ag.float_power(ag.tensor(np.abs(X)), 0.5, out=out)
    np.testing.assert_allclose(out.numpy(), np.sqrt(np.abs(X)), rtol=1e-15)
