"""Two-view geometry as Kornia writes it (``kornia.geometry.epipolar``): the normalised
8-point fundamental matrix (the 9 monomials by ``torch.chunk`` / ``torch.cat``, weights
by ``torch.diag_embed``, the null vector of X^T W X by ``torch.svd``, the rank-2
projection ``U @ torch.diag_embed(S * mask) @ V.transpose(-2, -1)``), the Sampson
distance, the essential matrix K2^T F K1 and its decomposition (``torch.where`` on
``torch.det`` signs, W = [e_z]x + e_z e_z^T written in place), the pose picked by
cheirality, and DLT triangulation (a ``torch.zeros(... + (4, 4))`` filled column by
column, ``V[..., -1]`` of ``torch.svd``); the triangulated points' and the Sampson
distance's gradients with respect to the image points.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run next to
PyTorch in float64: matrices, distances, points and gradients agree to 1e-8. What an
SVD's sign convention decides (which of the two rotations is R1, the sign of t) is
compared only after cheirality resolves it.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of
from geometry_ports_helpers import kornia_geometry


def two_views(n: int = 12) -> dict:
    """Points in front of two cameras K[R|t], their noisy pixels in each view."""
    rng = np.random.default_rng(0)
    K = np.array([[320.0, 0.0, 160.0], [0.0, 310.0, 120.0], [0.0, 0.0, 1.0]])
    c, s = np.cos(0.2), np.sin(0.2)
    R = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    t = np.array([-1.0, 0.1, 0.05])
    X = rng.uniform(-1.5, 1.5, (n, 3)) + np.array([0.0, 0.0, 6.0])
    P1 = K @ np.hstack([np.eye(3), np.zeros((3, 1))])
    P2 = K @ np.hstack([R, t[:, None]])
    pixels = []
    for P in (P1, P2):
        h = np.hstack([X, np.ones((n, 1))]) @ P.T
        pixels.append(h[:, :2] / h[:, 2:] + rng.normal(0, 0.2, (n, 2)))
    return {"K": K, "R": R, "t": t, "X": X, "P1": P1, "P2": P2,
            "points1": pixels[0][None], "points2": pixels[1][None]}


def epipolar(torch, F) -> dict:
    """Kornia's 8-point, Sampson, essential and triangulation functions."""
    k = kornia_geometry(torch, F)

    def normalize_transformation(M, eps=1e-8):
        return M / (M[..., -1:, -1:] + eps)

    def find_fundamental(points1, points2, weights):
        points1_norm, transform1 = k["normalize_points"](points1)
        points2_norm, transform2 = k["normalize_points"](points2)
        x1, y1 = torch.chunk(points1_norm, dim=-1, chunks=2)
        x2, y2 = torch.chunk(points2_norm, dim=-1, chunks=2)
        ones = torch.ones_like(x1)
        X = torch.cat([x2 * x1, x2 * y1, x2, y2 * x1, y2 * y1, y2, x1, y1, ones], dim=-1)
        w_diag = torch.diag_embed(weights)
        X = X.transpose(-2, -1) @ w_diag @ X
        _, _, V = torch.svd(X)
        F_mat = V[..., -1].view(-1, 3, 3)
        U, S, V = torch.svd(F_mat)
        rank_mask = torch.tensor([1.0, 1.0, 0.0], device=F_mat.device, dtype=F_mat.dtype)
        F_projected = U @ (torch.diag_embed(S * rank_mask) @ V.transpose(-2, -1))
        F_est = transform2.transpose(-2, -1) @ (F_projected @ transform1)
        return normalize_transformation(F_est)

    def sampson_epipolar_distance(pts1, pts2, Fm, squared=True, eps=1e-8):
        pts1 = k["convert_points_to_homogeneous"](pts1)
        pts2 = k["convert_points_to_homogeneous"](pts2)
        F_t = Fm.transpose(dim0=-2, dim1=-1)
        line1_in_2 = pts1 @ F_t
        line2_in_1 = pts2 @ Fm
        numerator = (pts2 * line1_in_2).sum(dim=-1).pow(2)
        denominator = (line1_in_2[..., :2].norm(2, dim=-1).pow(2)
                       + line2_in_1[..., :2].norm(2, dim=-1).pow(2))
        out = numerator / denominator
        return out if squared else (out + eps).sqrt()

    def cross_product_matrix(x):
        x0, x1, x2 = x[..., 0], x[..., 1], x[..., 2]
        zeros = torch.zeros_like(x0)
        return torch.stack([zeros, -x2, x1, x2, zeros, -x0, -x1, x0, zeros],
                           dim=-1).view(x.shape[:-1] + (3, 3))

    def decompose_essential_matrix(E_mat):
        U, S, Vt = torch.linalg.svd(E_mat)
        mask = torch.ones_like(E_mat)
        mask[..., -1:] *= -1.0
        maskt = mask.transpose(-2, -1)
        U = torch.where((torch.det(U) < 0.0)[..., None, None], U * mask, U)
        Vt = torch.where((torch.det(Vt) < 0.0)[..., None, None], Vt * maskt, Vt)
        W = cross_product_matrix(torch.tensor([[0.0, 0.0, 1.0]]).type_as(E_mat))
        W[..., 2, 2] += 1.0
        R1 = U @ W @ Vt
        R2 = U @ W.transpose(-2, -1) @ Vt
        return R1, R2, U[..., -1:]

    def triangulate_points(P1, P2, points1, points2):
        points_shape = max(points1.shape, points2.shape)
        X = torch.zeros(points_shape[:-1] + (4, 4)).type_as(points1)
        for i in range(4):
            X[..., 0, i] = points1[..., 0] * P1[..., 2:3, i] - P1[..., 0:1, i]
            X[..., 1, i] = points1[..., 1] * P1[..., 2:3, i] - P1[..., 1:2, i]
            X[..., 2, i] = points2[..., 0] * P2[..., 2:3, i] - P2[..., 0:1, i]
            X[..., 3, i] = points2[..., 1] * P2[..., 2:3, i] - P2[..., 1:2, i]
        _, _, V = torch.svd(X)
        return k["convert_points_from_homogeneous"](V[..., -1])

    return dict(locals())


def two_view_reconstruction(torch, views: dict) -> list:
    torch, nn, F, optim = libraries(torch)
    e = epipolar(torch, F)
    p1 = torch.tensor(views["points1"], requires_grad=True)
    p2 = torch.tensor(views["points2"])
    K = torch.tensor(views["K"])[None]
    F_mat = e["find_fundamental"](p1, p2, torch.ones(p1.shape[:2]))
    sampson = e["sampson_epipolar_distance"](p1, p2, F_mat)
    sampson.sum().backward()
    records = [F_mat, sampson, p1.grad]
    with torch.no_grad():  # the pose: the candidate with most points in front of both
        E = K.transpose(-2, -1) @ F_mat @ K
        R1, R2, t = e["decompose_essential_matrix"](E)
        P1 = K @ torch.cat([torch.eye(3)[None], torch.zeros(1, 3, 1)], dim=-1)
        best = None
        for R in (R1, R2):
            for sign in (1.0, -1.0):
                P2 = K @ torch.cat([R, sign * t], dim=-1)
                X = e["triangulate_points"](P1, P2, p1, p2)
                in_front = ((X[..., 2] > 0) & ((X @ R[0].T + sign * t[0, :, 0])[..., 2] > 0))
                count = int(in_front.sum())
                if best is None or count > best[0]:
                    best = (count, R, sign * t)
    records += [best[1], best[2]]
    points1 = torch.tensor(views["points1"], requires_grad=True)
    X = e["triangulate_points"](torch.tensor(views["P1"])[None],
                                torch.tensor(views["P2"])[None], points1, p2)
    (X * torch.tensor([1.0, -2.0, 0.5])).sum().backward()
    return records + [X, points1.grad]


def test_two_view_reconstruction_matches_torch(torch) -> None:
    views = two_views()
    got = two_view_reconstruction(None, views)
    want = two_view_reconstruction(torch, views)
    assert_records(got, want, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(numpy_of(got[3])[0], views["R"], atol=0.05)
    direction = numpy_of(got[4])[0, :, 0]
    assert direction @ views["t"] / np.linalg.norm(views["t"]) > 0.95
    np.testing.assert_allclose(numpy_of(got[5])[0], views["X"], atol=0.2)
