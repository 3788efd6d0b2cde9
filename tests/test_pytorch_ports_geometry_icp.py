"""Iterative closest point as PyTorch point-cloud code writes it: nearest neighbours by
``torch.cdist(...).min(dim=1)`` (and ``topk(k, largest=False)`` for normals), the
rigid fit of each step by the SVD (Kabsch / Procrustes with the ``det`` sign fix),
point-to-point ICP accumulating the pose under ``torch.no_grad()``, point-to-plane ICP
(normals from the smallest ``eigh`` vector of each neighbourhood's covariance, the
linearised 6x6 system by ``torch.linalg.lstsq``), and a soft ICP whose correspondences
are a ``softmax`` of -distance^2 / tau, differentiated end to end with respect to the
source cloud.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: correspondences, poses, residuals and gradients agree to
1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of


def clouds(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """A wavy surface patch and a rotated, shifted, noisy copy of it. (Without noise the
    distances converge to 0, where PyTorch's ``cdist`` (by matrix products beyond 25
    points) leaves ~1e-9 of rounding and ours its exact 0.)"""
    rng = np.random.default_rng(0)
    xy = rng.uniform(-1, 1, (n, 2))
    target = np.column_stack([xy, 0.3 * np.sin(2 * xy[:, 0]) * np.cos(xy[:, 1])])
    angle = 0.15
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    source = (target - 0.05) @ R + rng.normal(0, 0.01, (n, 3))
    return source, target


def best_fit_transform(torch, A, B):
    """R, t minimising sum |R a_i + t - b_i|^2 (Arun et al. / Kabsch)."""
    centroid_A, centroid_B = A.mean(dim=0), B.mean(dim=0)
    AA, BB = A - centroid_A, B - centroid_B
    H = AA.T @ BB
    U, S, Vt = torch.linalg.svd(H)
    R = Vt.T @ U.T
    if torch.linalg.det(R) < 0:  # a reflection: flip the last singular direction
        Vt[2, :] *= -1
        R = Vt.T @ U.T
    t = centroid_B - R @ centroid_A
    return R, t


def icp_point_to_point(torch, steps: int = 4) -> list:
    torch, nn, F, optim = libraries(torch)
    source_np, target_np = clouds()
    src, dst = torch.tensor(source_np), torch.tensor(target_np)
    R_total, t_total = torch.eye(3), torch.zeros(3)
    records = []
    with torch.no_grad():
        for _ in range(steps):
            distances, indices = torch.cdist(src, dst).min(dim=1)
            R, t = best_fit_transform(torch, src, dst[indices])
            src = src @ R.T + t
            R_total, t_total = R @ R_total, R @ t_total + t
            records += [indices, distances.mean(), R, t]
    return records + [R_total, t_total]


def test_point_to_point_icp_matches_torch(torch) -> None:
    got, want = icp_point_to_point(None), icp_point_to_point(torch)
    assert_records(got, want)
    assert numpy_of(want[-5]) < numpy_of(want[1])


def estimate_normals(torch, points, k: int = 6):
    """The normal of each point: the eigenvector of its k neighbours' covariance with the
    smallest eigenvalue, turned to point up (+z)."""
    _, knn = torch.cdist(points, points).topk(k, dim=1, largest=False)
    neighbours = points[knn]  # (N, k, 3)
    centred = neighbours - neighbours.mean(dim=1, keepdim=True)
    covariance = centred.transpose(1, 2) @ centred / k
    _, eigenvectors = torch.linalg.eigh(covariance)
    normals = eigenvectors[..., 0]
    return torch.where(normals[:, 2:] < 0, -normals, normals)


def icp_point_to_plane(torch, steps: int = 3) -> list:
    """Each step solves min sum ((R p + t - q) . n)^2 linearised at R = I + [w]x:
    rows [p x n, n] (6 unknowns w, t), right-hand side -(p - q) . n."""
    torch, nn, F, optim = libraries(torch)
    source_np, target_np = clouds()
    src, dst = torch.tensor(source_np), torch.tensor(target_np)
    normals = estimate_normals(torch, dst)
    records = [normals]
    for _ in range(steps):
        indices = torch.cdist(src, dst).argmin(dim=1)
        q, n = dst[indices], normals[indices]
        A = torch.cat([torch.linalg.cross(src, n, dim=-1), n], dim=1)
        b = -((src - q) * n).sum(dim=1, keepdim=True)
        x = torch.linalg.lstsq(A, b).solution.squeeze(1)
        w, t = x[:3], x[3:]
        W = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        W[0, 1], W[0, 2], W[1, 2] = -w[2], w[1], -w[0]
        W = W - W.T
        src = src @ torch.linalg.matrix_exp(W).T + t
        records += [indices, x, (b ** 2).sum()]
    return records


def test_point_to_plane_icp_matches_torch(torch) -> None:
    got, want = icp_point_to_plane(None), icp_point_to_plane(torch)
    assert_records(got, want)
    assert numpy_of(want[-1]) < 0.1 * numpy_of(want[3])


def soft_icp(torch, steps: int = 3, tau: float = 0.05) -> list:
    """Soft correspondences (a softmax over the target for each source point), the
    Kabsch fit to those weighted targets, and the final residual's gradient with
    respect to the source cloud."""
    torch, nn, F, optim = libraries(torch)
    source_np, target_np = clouds(n=24)
    source = torch.tensor(source_np, requires_grad=True)
    dst = torch.tensor(target_np)
    src = source
    records = []
    for _ in range(steps):
        weights = F.softmax(-torch.cdist(src, dst) ** 2 / tau, dim=1)
        matched = weights @ dst
        H = (src - src.mean(0)).T @ (matched - matched.mean(0))
        U, S, Vh = torch.linalg.svd(H)
        d = torch.sign(torch.det(Vh.T @ U.T))
        R = Vh.T @ torch.diag(torch.stack([torch.ones_like(d), torch.ones_like(d), d])) @ U.T
        src = (src - src.mean(0)) @ R.T + matched.mean(0)
        records += [R, matched]
    residual = torch.cdist(src, dst).min(dim=1).values.pow(2).mean()
    residual.backward()
    return records + [residual, source.grad]


def test_soft_icp_gradient_matches_torch(torch) -> None:
    got, want = soft_icp(None), soft_icp(torch)
    assert_records(got, want)
