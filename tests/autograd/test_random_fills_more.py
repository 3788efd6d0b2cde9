"""``cauchy_`` and ``log_normal_`` (the in-place fills beside ``exponential_``): their
distributions (quantiles and moments against SciPy-free recomputation from the
definitions), PyTorch's defaults, dtypes and errors; ``normal(device=)``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, GeneratorError, InplaceError, UsageError


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_cauchy_has_its_median_and_quartiles() -> None:
    """Quartiles of median + sigma * Cauchy are median -/+ sigma."""
    drawn = ag.zeros(40000).cauchy_(3.0, 0.5, generator=rng()).numpy()
    np.testing.assert_allclose(np.quantile(drawn, [0.25, 0.5, 0.75]), [2.5, 3.0, 3.5],
                               atol=0.03)
    default = ag.zeros(40000).cauchy_(generator=rng(1)).numpy()  # median 0, sigma 1
    np.testing.assert_allclose(np.quantile(default, [0.25, 0.5, 0.75]), [-1, 0, 1], atol=0.04)


def test_log_normal_is_the_exp_of_a_normal() -> None:
    drawn = ag.zeros(40000, dtype=np.float32).log_normal_(0.5, 0.25, generator=rng()).numpy()
    assert drawn.dtype == np.float32 and (drawn > 0).all()
    logs = np.log(drawn.astype(np.float64))
    np.testing.assert_allclose([logs.mean(), logs.std()], [0.5, 0.25], atol=0.01)
    default = np.log(ag.zeros(40000).log_normal_(generator=rng(1)).numpy())  # mean 1, std 2
    np.testing.assert_allclose([default.mean(), default.std()], [1.0, 2.0], atol=0.04)


@pytest.mark.parametrize("name", ["cauchy_", "log_normal_"])
def test_seeded_reproducible_in_place_and_torchs_dtypes(name: str) -> None:
    torch = pytest.importorskip("torch")
    a, b = ag.zeros(5), ag.zeros(5)
    assert getattr(a, name)(generator=rng(3)) is a
    getattr(b, name)(generator=rng(3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    for dtype in (np.float16, np.float32, np.float64):
        assert getattr(ag.zeros(3, dtype=dtype), name)().dtype == dtype
    with pytest.raises((RuntimeError, NotImplementedError)):
        getattr(torch.zeros(3, dtype=torch.long), name)()
    with pytest.raises(DTypeError, match=f"{name}: the tensor must be"):
        getattr(ag.zeros(3, dtype=np.int64), name)()


@pytest.mark.parametrize("call, message", [
    (lambda t: t.cauchy_(0.0, 0.0), "cauchy_: sigma .* must be > 0, as PyTorch's; got 0.0"),
    (lambda t: t.cauchy_(0.0, -1.0), "must be > 0"),
    (lambda t: t.cauchy_(0.0, float("nan")), "must be > 0"),
    (lambda t: t.cauchy_("0"), "median must be a number"),
    (lambda t: t.log_normal_(1.0, 0.0), "log_normal_: std .* must be > 0, as PyTorch's"),
    (lambda t: t.log_normal_(1.0, float("nan")), "must be > 0"),
    (lambda t: t.log_normal_([1.0]), "mean must be a number"),
])
def test_bad_parameters_are_named_where_torch_refuses_too(call, message) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(UsageError, match=message):
        call(ag.zeros(3))
    with pytest.raises((RuntimeError, TypeError)):
        call(torch.zeros(3))


@pytest.mark.parametrize("name", ["cauchy_", "log_normal_"])
def test_the_in_place_rules_and_generator_check_hold(name: str) -> None:
    x = ag.zeros(3, requires_grad=True)
    with pytest.raises(InplaceError, match=name):
        getattr(x, name)()
    with ag.no_grad():
        getattr(x, name)()
    with pytest.raises(GeneratorError):
        getattr(ag.zeros(3), name)(generator=0)


def test_normal_takes_a_cpu_device_only() -> None:
    a = ag.normal(0.0, 1.0, (2, 3), generator=rng(), device="cpu")
    b = ag.normal(0.0, 1.0, (2, 3), generator=rng(), device=None)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ag.normal(ag.zeros(2), 1.0, device="cpu:0").shape == (2,)
    with pytest.raises(UsageError, match=r"normal\(device=...\): there is no 'cuda' device"):
        ag.normal(0.0, 1.0, (2,), device="cuda")
