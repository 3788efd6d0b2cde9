"""Curve fitting by linear algebra as PyTorch users write it: polynomial least squares
by ``torch.linalg.qr`` and ``solve_triangular`` (checked against ``torch.linalg.lstsq``,
and differentiated through the QR), Gauss-Newton and Levenberg-Marquardt on an
exponential decay with the Jacobian from ``torch.autograd.functional.jacobian``, and a
small bundle adjustment (camera rotations as ``torch.matrix_exp`` of skew matrices,
translations and 3-d points refined by Gauss-Newton on the reprojection error).
Written once for a library ``T``, run step for step next to PyTorch in float64:
solutions, residuals, Jacobians and iterates agree to about 1e-9.

One line is written differently: ``torch.autograd.functional.jacobian`` is
``autograd.functional.jacobian`` here (this package is itself torch.autograd's
counterpart), so the programs take the ``functional`` module as an argument.
"""

import numpy as np
import pytest

import autograd as ag


def assert_records(got, want, rtol=1e-9, atol=1e-10) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def functional_of(T):
    """torch.autograd.functional, or autograd.functional (the package is torch.autograd)."""
    return T.functional if T is ag else T.autograd.functional


def polyfit_by_qr(T, x, y, degree: int):
    A = T.linalg.vander(x, N=degree + 1)
    Q, R = T.linalg.qr(A)
    coef = T.linalg.solve_triangular(R, (Q.T @ y).unsqueeze(1), upper=True).squeeze(1)
    return A, coef


def test_least_squares_by_qr_matches_lstsq_and_torch(torch) -> None:
    rng = np.random.default_rng(0)
    xs = np.linspace(-1, 1, 25)
    ys = np.sin(2 * xs) + 0.05 * rng.standard_normal(25)
    records = []
    for T in (ag, torch):
        x, y = T.tensor(xs, requires_grad=True), T.tensor(ys, requires_grad=True)
        A, coef = polyfit_by_qr(T, x, y, 4)
        reference = T.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)
        residual = ((A @ coef - y) ** 2).sum()
        (residual + coef.pow(2).sum()).backward()
        records.append([numpy_of(coef), numpy_of(reference), residual.item(),
                        numpy_of(x.grad), numpy_of(y.grad)])
    assert_records(records[0], records[1], rtol=1e-8)
    np.testing.assert_allclose(records[0][0], records[0][1], rtol=1e-9, atol=1e-12)


def decay_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    t = np.linspace(0, 4, 30)
    return t, 2.5 * np.exp(-1.3 * t) + 0.4 + 0.02 * rng.standard_normal(30)


def fit_decay(T, method: str, steps: int = 6) -> dict:
    t, y = (T.tensor(a) for a in decay_data())

    def residuals(params):
        a, b, c = params[0], params[1], params[2]
        return a * T.exp(-b * t) + c - y

    params = T.tensor([1.0, 0.5, 0.0])
    lam = 1e-2
    costs, jacobians = [], []
    for _ in range(steps):
        r = residuals(params)
        J = functional_of(T).jacobian(residuals, params)
        JtJ, Jtr = J.T @ J, J.T @ r
        if method == "gauss-newton":
            delta = T.linalg.solve(JtJ, -Jtr)
            params = params + delta
        else:  # Levenberg-Marquardt with Marquardt's diagonal scaling
            delta = T.linalg.solve(JtJ + lam * T.diag(T.diagonal(JtJ)), -Jtr)
            candidate = params + delta
            if (residuals(candidate) ** 2).sum() < (r ** 2).sum():
                params, lam = candidate, lam / 3
            else:
                lam = lam * 2
        costs.append((r ** 2).sum().item())
        jacobians.append(numpy_of(J))
    return {"costs": costs, "jacobians": jacobians, "params": numpy_of(params)}


@pytest.mark.parametrize("method", ["gauss-newton", "levenberg-marquardt"])
def test_exponential_fit_by_jacobian_matches_torch(torch, method: str) -> None:
    ours, theirs = fit_decay(ag, method), fit_decay(torch, method)
    assert theirs["costs"][-1] < 0.1 * theirs["costs"][0]
    assert_records(ours["costs"], theirs["costs"])
    assert_records(ours["jacobians"], theirs["jacobians"])
    assert_records([ours["params"]], [theirs["params"]])
    np.testing.assert_allclose(ours["params"], [2.5, 1.3, 0.4], atol=0.1)


def skew(T, w):
    """[w]_x: the cross-product matrix of w."""
    zero = T.zeros_like(w[0])
    return T.stack([T.stack([zero, -w[2], w[1]]),
                    T.stack([w[2], zero, -w[0]]),
                    T.stack([-w[1], w[0], zero])])


def scene(n_cams: int = 3, n_points: int = 8) -> dict:
    """Cameras around points in front of them, with noisy starting guesses."""
    rng = np.random.default_rng(2)
    points = rng.uniform(-1, 1, (n_points, 3)) + np.array([0.0, 0.0, 5.0])
    rotations = 0.1 * rng.standard_normal((n_cams, 3))
    translations = 0.3 * rng.standard_normal((n_cams, 3))
    return {"points": points, "rotations": rotations, "translations": translations,
            "noise": 0.02 * rng.standard_normal(n_cams * 6 + n_points * 3)}


def bundle_adjust(T, steps: int = 4) -> dict:
    s = scene()
    n_cams, n_points = len(s["rotations"]), len(s["points"])

    def project(rotation, translation, points):
        R = T.matrix_exp(skew(T, rotation))
        cam = points @ R.T + translation
        return cam[:, :2] / cam[:, 2:3]

    observed = T.stack([project(T.tensor(w), T.tensor(t), T.tensor(s["points"]))
                        for w, t in zip(s["rotations"], s["translations"])])

    def residuals(x):
        cams = x[:n_cams * 6].reshape(n_cams, 6)
        points = x[n_cams * 6:].reshape(n_points, 3)
        predicted = T.stack([project(cams[i, :3], cams[i, 3:], points)
                             for i in range(n_cams)])
        gauge = T.cat([cams[0] - T.tensor(np.concatenate([s["rotations"][0],
                                                          s["translations"][0]])),
                       points[0] - T.tensor(s["points"][0])])  # fix the frame and scale
        return T.cat([(predicted - observed).reshape(-1), 10 * gauge])

    truth = np.concatenate([np.concatenate([s["rotations"], s["translations"]], 1).ravel(),
                            s["points"].ravel()])
    x = T.tensor(truth + s["noise"])
    costs = []
    for _ in range(steps):
        r = residuals(x)
        J = functional_of(T).jacobian(residuals, x)
        x = x + T.linalg.solve(J.T @ J + 1e-6 * T.eye(J.shape[1]), -J.T @ r)
        costs.append((r ** 2).sum().item())
    return {"costs": costs, "x": numpy_of(x), "truth": truth}


def test_bundle_adjustment_by_gauss_newton_matches_torch(torch) -> None:
    ours, theirs = bundle_adjust(ag), bundle_adjust(torch)
    assert theirs["costs"][-1] < 1e-6 * theirs["costs"][0]
    assert_records(ours["costs"], theirs["costs"], rtol=1e-7, atol=1e-12)
    assert_records([ours["x"]], [theirs["x"]], rtol=1e-8)
