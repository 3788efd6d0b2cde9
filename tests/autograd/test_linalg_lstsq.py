"""``autograd.linalg.lstsq`` against ``torch.linalg.lstsq`` (efficient-kan's
``curve2coeff`` solves its spline coefficients with it): the solution and its gradients
for over- and underdetermined, batched, broadcast and vector right-hand sides; which of
residuals / rank / singular_values each driver fills; the errors. The gradient is also
checked against central differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

FIELDS = ("solution", "residuals", "rank", "singular_values")
SHAPES = [((6, 4), (6, 2)), ((3, 6, 4), (3, 6, 2)), ((4, 6), (4, 3)), ((5, 3), (5,)),
          ((2, 5, 3), (2, 5)), ((1, 5, 3), (4, 5, 2)), ((3, 1, 5, 3), (1, 2, 5, 2))]


def pair(torch, a: np.ndarray, b: np.ndarray) -> tuple:
    """(ours, theirs): leaf tensors of the same values, requiring grad."""
    ours = [ag.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    return ours, theirs


def assert_fields(got, want) -> None:
    for field in FIELDS:
        g, w = getattr(got, field), getattr(want, field)
        assert g.shape == tuple(w.shape), field
        assert str(g.dtype) == str(w.dtype).replace("torch.", ""), field
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=field)


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shapes", SHAPES)
def test_lstsq_matches_torch_values_and_gradients(torch, shapes, driver) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    (A, B), (At, Bt) = pair(torch, a, b)
    got, want = ag.linalg.lstsq(A, B, driver=driver), torch.linalg.lstsq(At, Bt, driver=driver)
    assert_fields(got, want)
    upstream = rng.standard_normal(want.solution.shape)
    (got.solution * ag.tensor(upstream)).sum().backward()
    (want.solution * torch.tensor(upstream)).sum().backward()
    for ours, theirs in ((A, At), (B, Bt)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9,
                                   atol=1e-12)


def test_lstsq_rank_deficient_rcond_and_float32(torch) -> None:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 6, 4)), rng.standard_normal((2, 6, 2))
    a[0, :, 1] = a[0, :, 0]  # rank 3: gelsd/gelss give no residuals for the batch
    for driver in ("gelsd", "gelss"):
        assert_fields(ag.linalg.lstsq(ag.tensor(a), ag.tensor(b), driver=driver),
                      torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver))
    a = rng.standard_normal((3, 6, 4))
    got = ag.linalg.lstsq(ag.tensor(a), ag.tensor(b[:1]), rcond=0.5, driver="gelsd")
    want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b[:1]), rcond=0.5, driver="gelsd")
    assert_fields(got, want)
    a32, b32 = a.astype(np.float32), b[:1].astype(np.float32)
    got = ag.linalg.lstsq(ag.tensor(a32), ag.tensor(b32))
    assert got.solution.dtype == np.float32
    np.testing.assert_allclose(
        got.solution.numpy(),
        torch.linalg.lstsq(torch.tensor(a32), torch.tensor(b32)).solution.numpy(), rtol=1e-4)


def test_lstsq_gradients_of_solution_and_residuals_against_finite_differences() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))
    ag.gradcheck(lambda A, B: ag.linalg.lstsq(A, B).solution,
                 [ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)])
    ag.gradcheck(lambda A, B: ag.linalg.lstsq(A, B, driver="gelsd").residuals,
                 [ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)])
    # an underdetermined system: the minimum-norm solution's gradient
    ag.gradcheck(lambda A, B: ag.linalg.lstsq(A, B).solution,
                 [ag.tensor(a.swapaxes(-1, -2), requires_grad=True),
                  ag.tensor(b[:, :3], requires_grad=True)])


def test_lstsq_errors_say_what_to_do() -> None:
    a, b = ag.ones(6, 4), ag.ones(6, 2)
    with pytest.raises(ag.ShapeError, match="lstsq.*rows"):
        ag.linalg.lstsq(a, b[:5])
    with pytest.raises(ag.DTypeError, match="lstsq.*same dtype"):
        ag.linalg.lstsq(a, b.float())
    with pytest.raises(ag.UsageError, match="driver.*gelsy"):
        ag.linalg.lstsq(a, b, driver="gelsx")
    with pytest.raises(ag.ShapeError, match="lstsq.*matrices"):
        ag.linalg.lstsq(ag.ones(4), b)
    with pytest.raises(ag.ShapeError, match="lstsq.*one axis fewer"):  # as PyTorch's
        ag.linalg.lstsq(a, ag.ones(3, 6, 2))


def test_lstsq_residuals_gradient_matches_torch(torch) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))
    (A, B), (At, Bt) = pair(torch, a, b)
    upstream = rng.standard_normal((2, 2))
    (ag.linalg.lstsq(A, B, driver="gels").residuals * ag.tensor(upstream)).sum().backward()
    (torch.linalg.lstsq(At, Bt, driver="gels").residuals * torch.tensor(upstream)).sum() \
        .backward()
    for ours, theirs in ((A, At), (B, Bt)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9,
                                   atol=1e-12)
