"""Rotations on the Lie group SO(3) (and poses on SE(3)) as PyTorch users write them: a
rotation fitted to point correspondences through ``torch.linalg.matrix_exp`` of a skew
matrix (``hat``) by Adam, checked against the Kabsch/Umeyama solution by SVD (with the
``det`` sign fix), itself differentiated; rotation averaging by the Karcher mean
(Gauss-Newton on the log map: ``acos`` of the trace, ``vee`` of the skew part), by
gradient descent on the squared geodesic distances, by the chordal mean (SVD projection)
and by quaternions (Markley's ``eigh`` of the sum of outer products); SE(3) pose
averaging through the ``matrix_exp`` of 4x4 twists and ``linalg.inv``.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: iterates, losses, gradients and means agree to 1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of, random_rotations


def so3_program(torch):
    """hat/vee, the log map and the Kabsch solution, written against ``torch``."""

    def hat(w):
        wx, wy, wz = w.unbind(-1)
        zero = torch.zeros_like(wx)
        return torch.stack([zero, -wz, wy, wz, zero, -wx, -wy, wx, zero],
                           dim=-1).view(*w.shape[:-1], 3, 3)

    def so3_log(R):
        cos = ((R.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2).clamp(-1 + 1e-7, 1 - 1e-7)
        theta = torch.acos(cos)
        vee = torch.stack([R[..., 2, 1] - R[..., 1, 2], R[..., 0, 2] - R[..., 2, 0],
                           R[..., 1, 0] - R[..., 0, 1]], dim=-1)
        return vee * (theta / (2 * torch.sin(theta)))[..., None]

    def kabsch(P, Q):
        """The rotation R minimising sum ||R p_i - q_i||^2."""
        H = P.T @ Q
        U, S, Vh = torch.linalg.svd(H)
        d = torch.sign(torch.linalg.det(Vh.T @ U.T))
        D = torch.diag(torch.stack([torch.ones_like(d), torch.ones_like(d), d]))
        return Vh.T @ D @ U.T

    return hat, so3_log, kabsch


def correspondences(n: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    P = rng.standard_normal((n, 3))
    R = random_rotations(1, seed=6)[0]
    return P, P @ R.T + 0.01 * rng.standard_normal((n, 3)), R


def fit_rotation(torch, steps: int = 120) -> list:
    torch, nn, F, optim = libraries(torch)
    hat, so3_log, kabsch = so3_program(torch)
    P_np, Q_np, _ = correspondences()
    P, Q = torch.tensor(P_np), torch.tensor(Q_np, requires_grad=True)
    w = nn.Parameter(torch.zeros(3))  # starts at the identity: matrix_exp's VJP at 0
    optimizer = optim.Adam([w], lr=0.1)
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        R = torch.linalg.matrix_exp(hat(w))
        loss = ((P @ R.T - Q) ** 2).sum(-1).mean()
        loss.backward()
        records += [loss.item(), w.grad.clone()]
        optimizer.step()
    R_kabsch = kabsch(P, Q)
    # RMSD after the optimal alignment, differentiated through the SVD
    rmsd = ((P @ R_kabsch.T - Q) ** 2).sum(-1).mean().sqrt()
    rmsd.backward()
    records += [torch.linalg.matrix_exp(hat(w)).detach(), R_kabsch, rmsd, Q.grad]
    return records


def test_rotation_fitted_by_matrix_exp_matches_torch_and_kabsch(torch) -> None:
    got, want = fit_rotation(None), fit_rotation(torch)
    assert_records(got, want)
    R_fit, R_kabsch = numpy_of(got[-4]), numpy_of(got[-3])
    np.testing.assert_allclose(R_fit, R_kabsch, atol=1e-3)
    np.testing.assert_allclose(R_kabsch, correspondences()[2], atol=2e-2)
    np.testing.assert_allclose(np.linalg.det(R_kabsch), 1.0, atol=1e-12)


def noisy_rotations(n: int = 12) -> np.ndarray:
    """n rotations scattered (about 0.3 rad) around one random rotation."""
    rng = np.random.default_rng(7)
    center = random_rotations(1, seed=8)[0]
    out = []
    for w in 0.3 * rng.standard_normal((n, 3)):
        theta, axis = np.linalg.norm(w), w / np.linalg.norm(w)
        K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]],
                      [-axis[1], axis[0], 0]])
        out.append(center @ (np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K))
    return np.stack(out)


def average_rotations(torch, steps: int = 40) -> dict:
    torch, nn, F, optim = libraries(torch)
    hat, so3_log, kabsch = so3_program(torch)
    Rs = torch.tensor(noisy_rotations())

    # Karcher (Frechet) mean: Gauss-Newton steps along the mean of the logs
    mean = Rs[0]
    for _ in range(10):
        delta = so3_log(mean.mT @ Rs).mean(dim=0)
        mean = mean @ torch.linalg.matrix_exp(hat(delta))
    karcher = mean

    # the same by gradient descent on the squared geodesic distances, from Rs[0]
    w = nn.Parameter(torch.zeros(3))
    optimizer = optim.SGD([w], lr=0.5, momentum=0.5)
    losses, grads = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        R = Rs[0] @ torch.linalg.matrix_exp(hat(w))
        loss = (so3_log(R.mT @ Rs) ** 2).sum(-1).mean()
        loss.backward()
        losses.append(loss.item())
        grads.append(w.grad.clone())
        optimizer.step()
    by_gradient = (Rs[0] @ torch.linalg.matrix_exp(hat(w))).detach()

    # chordal L2 mean: project the arithmetic mean back onto SO(3)
    U, S, Vh = torch.linalg.svd(Rs.mean(dim=0))
    d = torch.linalg.det(U @ Vh)
    chordal = U @ torch.diag(torch.stack([torch.ones_like(d), torch.ones_like(d), d])) @ Vh

    # quaternion mean (Markley et al. 2007): top eigenvector of sum q q^T
    qw = 0.5 * torch.sqrt(1 + Rs.diagonal(dim1=-2, dim2=-1).sum(-1))
    qxyz = torch.stack([Rs[:, 2, 1] - Rs[:, 1, 2], Rs[:, 0, 2] - Rs[:, 2, 0],
                        Rs[:, 1, 0] - Rs[:, 0, 1]], dim=-1) / (4 * qw[:, None])
    q = torch.cat([qw[:, None], qxyz], dim=1)
    eigenvalues, eigenvectors = torch.linalg.eigh(q.T @ q)
    q_mean = eigenvectors[:, -1] * torch.sign(eigenvectors[0, -1])
    return {"karcher": karcher, "losses": losses, "grads": grads,
            "by_gradient": by_gradient, "chordal": chordal, "q_mean": q_mean,
            "q": q, "geodesic_residual": so3_log(karcher.mT @ Rs).mean(dim=0)}


def quaternion_of(R: np.ndarray) -> np.ndarray:
    w = 0.5 * np.sqrt(1 + np.trace(R))
    return np.array([w, (R[2, 1] - R[1, 2]) / (4 * w), (R[0, 2] - R[2, 0]) / (4 * w),
                     (R[1, 0] - R[0, 1]) / (4 * w)])


def test_rotation_averages_match_torch_and_each_other(torch) -> None:
    got, want = average_rotations(None), average_rotations(torch)
    for key in want:
        assert_records(got[key] if isinstance(got[key], list) else [got[key]],
                       want[key] if isinstance(want[key], list) else [want[key]])
    karcher = numpy_of(got["karcher"])
    np.testing.assert_allclose(numpy_of(got["geodesic_residual"]), 0, atol=1e-12)
    np.testing.assert_allclose(numpy_of(got["by_gradient"]), karcher, atol=1e-7)
    np.testing.assert_allclose(numpy_of(got["chordal"]), karcher, atol=5e-3)
    np.testing.assert_allclose(numpy_of(got["q_mean"]), quaternion_of(karcher), atol=5e-3)


def average_poses(torch, steps: int = 100) -> list:
    """SE(3): the pose T = exp(hat(xi)) minimising sum ||T^-1 T_i - I||_F^2."""
    torch, nn, F, optim = libraries(torch)
    hat, so3_log, kabsch = so3_program(torch)
    rng = np.random.default_rng(9)
    Rs = torch.tensor(noisy_rotations(8))
    ts = torch.tensor(rng.standard_normal((8, 3)) * 0.2 + np.array([1.0, -2.0, 0.5]))
    bottom = torch.tensor([[0.0, 0.0, 0.0, 1.0]]).expand(8, 1, 4)
    poses = torch.cat([torch.cat([Rs, ts.unsqueeze(-1)], dim=-1), bottom], dim=-2)

    def se3_hat(xi):
        top = torch.cat([hat(xi[3:]), xi[:3].unsqueeze(-1)], dim=-1)
        return torch.cat([top, torch.zeros(1, 4)], dim=0)

    xi = nn.Parameter(torch.zeros(6))
    optimizer = optim.Adam([xi], lr=0.2)
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        T_mean = torch.linalg.matrix_exp(se3_hat(xi))
        residual = torch.linalg.inv(T_mean) @ poses - torch.eye(4)
        loss = (residual ** 2).sum(dim=(-2, -1)).mean()
        loss.backward()
        records += [loss.item(), xi.grad.clone()]
        optimizer.step()
    T_mean = torch.linalg.matrix_exp(se3_hat(xi)).detach()
    return records + [T_mean, ts.mean(dim=0)]


def test_se3_pose_average_matches_torch(torch) -> None:
    got, want = average_poses(None), average_poses(torch)
    assert_records(got, want)
    assert got[0] > 10 * got[-4]  # the loss fell
    T_mean = numpy_of(got[-2])
    np.testing.assert_allclose(T_mean[3], [0, 0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(T_mean[:3, :3] @ T_mean[:3, :3].T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(T_mean[:3, 3], numpy_of(got[-1]), atol=0.02)
