"""SE(3) and the pinhole camera as 3-D vision code writes them: PyTorch3D's ``hat`` (a
``new_zeros`` matrix filled by indexed assignment), ``hat_inv`` (its skew check through
``float(...)``), ``so3_exp_map`` / ``so3_log_map`` (the clamped angle, ``acos`` of the
trace), ``se3_exp_map`` / ``se3_log_map`` (the ``V`` matrix, blocks written into a
``torch.zeros`` 4x4, ``torch.allclose``, ``torch.linalg.solve``); a pinhole camera
(intrinsics ``K``, projection to pixels); a camera pose refined from 2-D observations
by Levenberg-Marquardt (the Jacobian by ``torch.autograd.functional.jacobian`` with
``vectorize=True``, or ``torch.func.jacrev``), and hand-eye calibration AX = XB (Park
and Martin's closed form: rotation logs, the inverse square root of M^T M by ``eigh``,
the translation by ``torch.linalg.lstsq``; then Gauss-Newton on all of X).

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: maps, Jacobians, iterates and costs agree to 1e-9.

Lines written differently here: ``torch.nn`` is ``nn`` and ``torch.autograd.functional``
is ``autograd.functional`` (this package is torch.autograd's counterpart), so the
programs take them as arguments (``tools``).
"""

import numpy as np
import pytest

import autograd as ag
from equivariant_helpers import assert_records, numpy_of, random_rotations

# hat_inv's float(ss_diff) of a tensor that requires grad: PyTorch 2.13 warns there
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")
HAT_INV_SKEW_SYMMETRIC_TOL = 1e-5


def tools(torch=None) -> tuple:
    """(torch, functional, func) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, ag.functional, ag.func
    return torch, torch.autograd.functional, torch.func


def lie_groups(torch) -> dict:
    """PyTorch3D's so3 / se3 maps, written against ``torch``."""

    def hat(v):
        N, dim = v.shape
        if dim != 3:
            raise ValueError("Input vectors have to be 3-dimensional.")
        h = v.new_zeros(N, 3, 3)
        x, y, z = v.unbind(1)
        h[:, 0, 1] = -z
        h[:, 0, 2] = y
        h[:, 1, 0] = z
        h[:, 1, 2] = -x
        h[:, 2, 0] = -y
        h[:, 2, 1] = x
        return h

    def hat_inv(h):
        ss_diff = torch.abs(h + h.permute(0, 2, 1)).max()
        if float(ss_diff) > HAT_INV_SKEW_SYMMETRIC_TOL:
            raise ValueError("One of input matrices is not skew-symmetric.")
        return torch.stack((h[:, 2, 1], h[:, 0, 2], h[:, 1, 0]), dim=1)

    def _so3_exp_map(log_rot, eps=0.0001):
        nrms = (log_rot * log_rot).sum(1)
        rot_angles = torch.clamp(nrms, eps).sqrt()
        rot_angles_inv = 1.0 / rot_angles
        fac1 = rot_angles_inv * rot_angles.sin()
        fac2 = rot_angles_inv * rot_angles_inv * (1.0 - rot_angles.cos())
        skews = hat(log_rot)
        skews_square = torch.bmm(skews, skews)
        R = (fac1[:, None, None] * skews + fac2[:, None, None] * skews_square
             + torch.eye(3, dtype=log_rot.dtype, device=log_rot.device)[None])
        return R, rot_angles, skews, skews_square

    def so3_rotation_angle(R, eps=1e-4, cos_bound=1e-4):
        rot_trace = R[:, 0, 0] + R[:, 1, 1] + R[:, 2, 2]
        if ((rot_trace < -1.0 - eps) + (rot_trace > 3.0 + eps)).any():
            raise ValueError("A matrix has trace outside valid range [-1-eps,3+eps].")
        phi_cos = (rot_trace - 1.0) * 0.5
        bound = 1.0 - cos_bound
        return torch.acos(phi_cos.clamp(-bound, bound))  # PyTorch3D: acos_linear_extrapolation

    def so3_log_map(R, eps=0.0001, cos_bound=1e-4):
        phi = so3_rotation_angle(R, cos_bound=cos_bound, eps=eps)
        phi_sin = torch.sin(phi)
        phi_factor = torch.empty_like(phi)
        ok_denom = phi_sin.abs() > (0.5 * eps)
        phi_factor[~ok_denom] = 0.5 + (phi[~ok_denom] ** 2) * (1.0 / 12)
        phi_factor[ok_denom] = phi[ok_denom] / (2.0 * phi_sin[ok_denom])
        log_rot_hat = phi_factor[:, None, None] * (R - R.permute(0, 2, 1))
        return hat_inv(log_rot_hat)

    def _se3_V_matrix(log_rotation, log_rotation_hat, log_rotation_hat_square,
                      rotation_angles, eps=1e-4):
        return (torch.eye(3, dtype=log_rotation.dtype, device=log_rotation.device)[None]
                + log_rotation_hat
                * ((1 - torch.cos(rotation_angles)) / (rotation_angles ** 2))[:, None, None]
                + log_rotation_hat_square
                * ((rotation_angles - torch.sin(rotation_angles))
                   / (rotation_angles ** 3))[:, None, None])

    def se3_exp_map(log_transform, eps=1e-4):
        if log_transform.ndim != 2 or log_transform.shape[1] != 6:
            raise ValueError("Expected input to be of shape (N, 6).")
        N, _ = log_transform.shape
        log_translation = log_transform[..., :3]
        log_rotation = log_transform[..., 3:]
        R, rotation_angles, log_rotation_hat, log_rotation_hat_square = _so3_exp_map(
            log_rotation, eps=eps)
        V = _se3_V_matrix(log_rotation, log_rotation_hat, log_rotation_hat_square,
                          rotation_angles, eps=eps)
        T = torch.bmm(V, log_translation[:, :, None])[:, :, 0]
        transform = torch.zeros(N, 4, 4, dtype=log_transform.dtype,
                                device=log_transform.device)
        transform[:, :3, :3] = R
        transform[:, :3, 3] = T
        transform[:, 3, 3] = 1.0
        return transform.permute(0, 2, 1)

    def se3_log_map(transform, eps=1e-4, cos_bound=1e-4):
        if not torch.allclose(transform[:, :3, 3], torch.zeros_like(transform[:, :3, 3])):
            raise ValueError("All elements of `transform[:, :3, 3]` should be 0.")
        R = transform[:, :3, :3].permute(0, 2, 1)
        log_rotation = so3_log_map(R, eps=eps, cos_bound=cos_bound)
        T = transform[:, 3, :3]
        nrms = (log_rotation ** 2).sum(-1)
        rotation_angles = torch.clamp(nrms, eps).sqrt()
        log_rotation_hat = hat(log_rotation)
        V = _se3_V_matrix(log_rotation, log_rotation_hat,
                          torch.bmm(log_rotation_hat, log_rotation_hat), rotation_angles)
        log_translation = torch.linalg.solve(V, T[:, :, None])[:, :, 0]
        return torch.cat((log_translation, log_rotation), dim=1)

    return dict(locals())


def test_se3_exp_and_log_maps_match_torch(torch) -> None:
    rng = np.random.default_rng(0)
    logs = rng.standard_normal((5, 6))
    logs[0, 3:] = 0.0  # the identity rotation: the clamped angle
    logs[1, 3:] *= 1e-3  # a small one: the Taylor branch of so3_log_map
    records = []
    for lib in (None, torch):
        T, functional, func = tools(lib)
        g = lie_groups(T)
        xi = T.tensor(logs, requires_grad=True)
        M = g["se3_exp_map"](xi)
        back = g["se3_log_map"](M)
        weights = T.tensor(np.arange(16.0).reshape(4, 4) / 16)
        ((M * weights).sum() + (back * T.arange(6.0)).sum()).backward()
        records.append([M, back, xi.grad])
        with pytest.raises(ValueError, match="skew-symmetric"):
            g["hat_inv"](T.eye(3)[None])
    assert_records(records[0], records[1])
    np.testing.assert_allclose(numpy_of(records[0][1])[2:], logs[2:], atol=1e-9)


def pinhole(torch, K, T_cw, points):
    """World points (P, 3) seen by cameras T_cw (N, 4, 4) with PyTorch3D's row-vector
    convention (X_cam = [X, 1] @ T): pixels (N, P, 2)."""
    homogeneous = torch.cat([points, torch.ones_like(points[:, :1])], dim=-1)
    X_cam = (homogeneous[None] @ T_cw)[..., :3]
    uvw = X_cam @ K.T
    return uvw[..., :2] / uvw[..., 2:3]


def scene(n_points: int = 10) -> dict:
    rng = np.random.default_rng(1)
    points = rng.uniform(-1, 1, (n_points, 3)) + np.array([0.0, 0.0, 5.0])
    K = np.array([[300.0, 0.0, 32.0], [0.0, 310.0, 24.0], [0.0, 0.0, 1.0]])
    pose = np.array([0.1, -0.05, 0.2, 0.05, -0.1, 0.08])  # translation log | rotation log
    return {"points": points, "K": K, "pose": pose, "noise": rng.normal(0, 0.5, (n_points, 2))}


def refine_pose(torch, jacobian_by: str, steps: int = 3) -> list:
    """Levenberg-Marquardt on the reprojection error over the 6 pose parameters. (Three
    steps: a fourth would accept a step improving the cost by 1e-8 of it, a decision
    nearer rounding than the others.)"""
    torch, functional, func = tools(torch)
    g, s = lie_groups(torch), scene()
    K, points = torch.tensor(s["K"]), torch.tensor(s["points"])
    with torch.no_grad():
        observed = pinhole(torch, K, g["se3_exp_map"](torch.tensor(s["pose"])[None]), points)
        observed = observed[0] + torch.tensor(s["noise"])

    def residuals(xi):
        return (pinhole(torch, K, g["se3_exp_map"](xi[None]), points)[0] - observed).flatten()

    xi, lam, records = torch.zeros(6), 1e-3, []
    for _ in range(steps):
        r = residuals(xi)
        if jacobian_by == "functional":
            J = functional.jacobian(residuals, xi, vectorize=True)
        else:
            J = func.jacrev(residuals)(xi)
        H = J.T @ J
        step = torch.linalg.solve(H + lam * torch.diag(torch.diagonal(H)), -J.T @ r)
        cost, new_cost = (r ** 2).sum(), (residuals(xi + step) ** 2).sum()
        if new_cost < cost:
            xi, lam = xi + step, lam / 10
        else:
            lam = lam * 10
        records += [J, cost, new_cost, xi]
    return records


@pytest.mark.parametrize("jacobian_by", ["functional", "jacrev"])
def test_pose_refined_by_levenberg_marquardt_matches_torch(torch, jacobian_by) -> None:
    got, want = refine_pose(None, jacobian_by), refine_pose(torch, jacobian_by)
    assert_records(got, want)
    assert numpy_of(want[-2]) < numpy_of(want[1]) / 10


def hand_eye_pairs(n: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Robot motions A_i, camera motions B_i = X^-1 A_i X (with noise) and the true X."""
    rng = np.random.default_rng(2)
    R_x = random_rotations(1, seed=3)[0]
    X = np.eye(4)
    X[:3, :3], X[:3, 3] = R_x, [0.1, -0.2, 0.05]
    A = np.tile(np.eye(4), (n, 1, 1))
    A[:, :3, :3], A[:, :3, 3] = random_rotations(n, seed=5), rng.standard_normal((n, 3))
    B = np.linalg.inv(X) @ A @ X
    B[:, :3, 3] += 1e-3 * rng.standard_normal((n, 3))
    return A, B, X


def hand_eye(torch, steps: int = 2) -> list:
    torch, functional, func = tools(torch)
    g = lie_groups(torch)
    A_np, B_np, _ = hand_eye_pairs()
    A, B = torch.tensor(A_np), torch.tensor(B_np)
    alpha = g["so3_log_map"](A[:, :3, :3])
    beta = g["so3_log_map"](B[:, :3, :3])
    M = (beta[:, :, None] * alpha[:, None, :]).sum(0)  # sum of beta_i alpha_i^T
    evals, evecs = torch.linalg.eigh(M.T @ M)
    R_x = evecs @ torch.diag(evals.rsqrt()) @ evecs.T @ M.T
    lhs = (A[:, :3, :3] - torch.eye(3)).reshape(-1, 3)
    rhs = ((R_x @ B[:, :3, 3:]).squeeze(-1) - A[:, :3, 3]).reshape(-1, 1)
    t_x = torch.linalg.lstsq(lhs, rhs).solution.squeeze(-1)
    records = [R_x, t_x]
    w, t = torch.zeros(3), t_x.clone()

    def residuals(params):
        w, t = params[:3], params[3:]
        R = torch.linalg.matrix_exp(g["hat"](w[None])[0]) @ R_x
        X = torch.cat([torch.cat([R, t[:, None]], dim=1),
                       torch.tensor([[0.0, 0.0, 0.0, 1.0]])], dim=0)
        return (A @ X - X @ B)[:, :3, :].flatten()

    params = torch.cat([w, t])
    for _ in range(steps):
        r = residuals(params)
        J = functional.jacobian(residuals, params)
        params = params - torch.linalg.lstsq(J, r[:, None]).solution[:, 0]
        records += [(r ** 2).sum(), J, params]
    return records


def test_hand_eye_calibration_matches_torch(torch) -> None:
    got, want = hand_eye(None), hand_eye(torch)
    assert_records(got, want)
    _, _, X = hand_eye_pairs()
    np.testing.assert_allclose(numpy_of(got[0]), X[:3, :3], atol=1e-3)
    np.testing.assert_allclose(numpy_of(got[1]), X[:3, 3], atol=1e-2)
