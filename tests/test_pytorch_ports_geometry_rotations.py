"""Rotation representations as PyTorch3D's ``transforms/rotation_conversions.py`` writes
them (its readers copy these functions into their own code): quaternions <-> matrices
(``_sqrt_positive_part`` by masked assignment, the best-conditioned candidate picked by
``F.one_hot(q_abs.argmax(-1)) > 0.5``), random quaternions (``_copysign``), quaternion
products and ``quaternion_apply``, axis-angle <-> quaternion (``torch.sinc``), the
Rodrigues ``axis_angle_to_matrix(fast=True)`` and its inverse (``torch.isclose``, a
near-pi branch by boolean-mask assignment into ``torch.empty_like``), Euler angles, and
Zhou et al.'s continuous 6-D representation (``F.normalize``, ``torch.cross``) trained
as a rotation auto-encoder with the geodesic loss of ``so3_relative_angle``.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: conversions, gradients, losses and weights agree to 1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here; the
random quaternions take PyTorch's ``torch.randn`` draws as an argument (the generators
differ).
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of, weight_sync


def rotation_conversions(torch, F) -> dict:
    """PyTorch3D's conversions, written against ``torch`` and ``F``."""

    def quaternion_to_matrix(quaternions):
        r, i, j, k = torch.unbind(quaternions, -1)
        two_s = 2.0 / (quaternions * quaternions).sum(-1)
        o = torch.stack((1 - two_s * (j * j + k * k), two_s * (i * j - k * r),
                         two_s * (i * k + j * r), two_s * (i * j + k * r),
                         1 - two_s * (i * i + k * k), two_s * (j * k - i * r),
                         two_s * (i * k - j * r), two_s * (j * k + i * r),
                         1 - two_s * (i * i + j * j)), -1)
        return o.reshape(quaternions.shape[:-1] + (3, 3))

    def _copysign(a, b):
        signs_differ = (a < 0) != (b < 0)
        return torch.where(signs_differ, -a, a)

    def _sqrt_positive_part(x):
        ret = torch.zeros_like(x)
        positive_mask = x > 0
        if torch.is_grad_enabled():
            ret[positive_mask] = torch.sqrt(x[positive_mask])
        else:
            ret = torch.where(positive_mask, torch.sqrt(x), ret)
        return ret

    def standardize_quaternion(quaternions):
        return torch.where(quaternions[..., 0:1] < 0, -quaternions, quaternions)

    def matrix_to_quaternion(matrix):
        if matrix.size(-1) != 3 or matrix.size(-2) != 3:
            raise ValueError(f"Invalid rotation matrix shape {matrix.shape}.")
        batch_dim = matrix.shape[:-2]
        m00, m01, m02, m10, m11, m12, m20, m21, m22 = torch.unbind(
            matrix.reshape(batch_dim + (9,)), dim=-1)
        q_abs = _sqrt_positive_part(torch.stack(
            [1.0 + m00 + m11 + m22, 1.0 + m00 - m11 - m22, 1.0 - m00 + m11 - m22,
             1.0 - m00 - m11 + m22], dim=-1))
        quat_by_rijk = torch.stack([
            torch.stack([q_abs[..., 0] ** 2, m21 - m12, m02 - m20, m10 - m01], dim=-1),
            torch.stack([m21 - m12, q_abs[..., 1] ** 2, m10 + m01, m02 + m20], dim=-1),
            torch.stack([m02 - m20, m10 + m01, q_abs[..., 2] ** 2, m12 + m21], dim=-1),
            torch.stack([m10 - m01, m20 + m02, m21 + m12, q_abs[..., 3] ** 2], dim=-1),
        ], dim=-2)
        flr = torch.tensor(0.1).to(dtype=q_abs.dtype, device=q_abs.device)
        quat_candidates = quat_by_rijk / (2.0 * q_abs[..., None].max(flr))
        out = quat_candidates[
            F.one_hot(q_abs.argmax(dim=-1), num_classes=4) > 0.5, :
        ].reshape(batch_dim + (4,))
        return standardize_quaternion(out)

    def random_quaternions(o):  # PyTorch3D: o = torch.randn((n, 4), dtype=dtype)
        s = (o * o).sum(1)
        o = o / _copysign(torch.sqrt(s), o[:, 0])[:, None]
        return o

    def quaternion_raw_multiply(a, b):
        aw, ax, ay, az = torch.unbind(a, -1)
        bw, bx, by, bz = torch.unbind(b, -1)
        ow = aw * bw - ax * bx - ay * by - az * bz
        ox = aw * bx + ax * bw + ay * bz - az * by
        oy = aw * by - ax * bz + ay * bw + az * bx
        oz = aw * bz + ax * by - ay * bx + az * bw
        return torch.stack((ow, ox, oy, oz), -1)

    def quaternion_invert(quaternion):
        scaling = torch.tensor([1, -1, -1, -1], device=quaternion.device)
        return quaternion * scaling

    def quaternion_apply(quaternion, point):
        if point.size(-1) != 3:
            raise ValueError(f"Points are not in 3D, {point.shape}.")
        real_parts = point.new_zeros(point.shape[:-1] + (1,))
        point_as_quaternion = torch.cat((real_parts, point), -1)
        out = quaternion_raw_multiply(
            quaternion_raw_multiply(quaternion, point_as_quaternion),
            quaternion_invert(quaternion))
        return out[..., 1:]

    def axis_angle_to_quaternion(axis_angle):
        angles = torch.norm(axis_angle, p=2, dim=-1, keepdim=True)
        sin_half_angles_over_angles = 0.5 * torch.sinc(angles * 0.5 / torch.pi)
        return torch.cat([torch.cos(angles * 0.5),
                          axis_angle * sin_half_angles_over_angles], dim=-1)

    def quaternion_to_axis_angle(quaternions):
        norms = torch.norm(quaternions[..., 1:], p=2, dim=-1, keepdim=True)
        half_angles = torch.atan2(norms, quaternions[..., :1])
        sin_half_angles_over_angles = 0.5 * torch.sinc(half_angles / torch.pi)
        return quaternions[..., 1:] / sin_half_angles_over_angles

    def axis_angle_to_matrix(axis_angle, fast=False):
        if not fast:
            return quaternion_to_matrix(axis_angle_to_quaternion(axis_angle))
        shape = axis_angle.shape
        device, dtype = axis_angle.device, axis_angle.dtype
        angles = torch.norm(axis_angle, p=2, dim=-1, keepdim=True).unsqueeze(-1)
        rx, ry, rz = axis_angle[..., 0], axis_angle[..., 1], axis_angle[..., 2]
        zeros = torch.zeros(shape[:-1], dtype=dtype, device=device)
        cross_product_matrix = torch.stack(
            [zeros, -rz, ry, rz, zeros, -rx, -ry, rx, zeros], dim=-1).view(shape + (3,))
        cross_product_matrix_sqrd = cross_product_matrix @ cross_product_matrix
        identity = torch.eye(3, dtype=dtype, device=device)
        angles_sqrd = angles * angles
        angles_sqrd = torch.where(angles_sqrd == 0, 1, angles_sqrd)
        return (identity.expand(cross_product_matrix.shape)
                + torch.sinc(angles / torch.pi) * cross_product_matrix
                + ((1 - torch.cos(angles)) / angles_sqrd) * cross_product_matrix_sqrd)

    def matrix_to_axis_angle(matrix, fast=False):
        if not fast:
            return quaternion_to_axis_angle(matrix_to_quaternion(matrix))
        omegas = torch.stack([matrix[..., 2, 1] - matrix[..., 1, 2],
                              matrix[..., 0, 2] - matrix[..., 2, 0],
                              matrix[..., 1, 0] - matrix[..., 0, 1]], dim=-1)
        norms = torch.norm(omegas, p=2, dim=-1, keepdim=True)
        traces = torch.diagonal(matrix, dim1=-2, dim2=-1).sum(-1).unsqueeze(-1)
        angles = torch.atan2(norms, traces - 1)
        zeros = torch.zeros(3, dtype=matrix.dtype, device=matrix.device)
        omegas = torch.where(torch.isclose(angles, torch.zeros_like(angles)), zeros, omegas)
        near_pi = angles.isclose(angles.new_full((1,), torch.pi)).squeeze(-1)
        axis_angles = torch.empty_like(omegas)
        axis_angles[~near_pi] = (
            0.5 * omegas[~near_pi] / torch.sinc(angles[~near_pi] / torch.pi))
        # this derives from: nnT = (R + 1) / 2
        n = 0.5 * (matrix[near_pi][..., 0, :]
                   + torch.eye(1, 3, dtype=matrix.dtype, device=matrix.device))
        axis_angles[near_pi] = angles[near_pi] * n / torch.norm(n)
        return axis_angles

    def _axis_angle_rotation(axis, angle):
        cos, sin = torch.cos(angle), torch.sin(angle)
        one, zero = torch.ones_like(angle), torch.zeros_like(angle)
        if axis == "X":
            R_flat = (one, zero, zero, zero, cos, -sin, zero, sin, cos)
        elif axis == "Y":
            R_flat = (cos, zero, sin, zero, one, zero, -sin, zero, cos)
        else:
            R_flat = (cos, -sin, zero, sin, cos, zero, zero, zero, one)
        return torch.stack(R_flat, -1).reshape(angle.shape + (3, 3))

    def euler_angles_to_matrix(euler_angles, convention):
        matrices = [_axis_angle_rotation(c, e)
                    for c, e in zip(convention, torch.unbind(euler_angles, -1))]
        return torch.matmul(torch.matmul(matrices[0], matrices[1]), matrices[2])

    def rotation_6d_to_matrix(d6):
        a1, a2 = d6[..., :3], d6[..., 3:]
        b1 = F.normalize(a1, dim=-1)
        b2 = a2 - (b1 * a2).sum(-1, keepdim=True) * b1
        b2 = F.normalize(b2, dim=-1)
        b3 = torch.cross(b1, b2, dim=-1)
        return torch.stack((b1, b2, b3), dim=-2)

    def matrix_to_rotation_6d(matrix):
        batch_dim = matrix.size()[:-2]
        return matrix[..., :2, :].clone().reshape(batch_dim + (6,))

    def so3_relative_angle(R1, R2, eps=1e-4):
        R12 = torch.bmm(R1, R2.permute(0, 2, 1))
        rot_trace = R12[:, 0, 0] + R12[:, 1, 1] + R12[:, 2, 2]
        if ((rot_trace < -1.0 - eps) + (rot_trace > 3.0 + eps)).any():
            raise ValueError("A matrix has trace outside valid range [-1-eps,3+eps].")
        phi = 0.5 * (torch.clamp(rot_trace, -1.0, 3.0) - 1.0)
        return phi.acos()

    return dict(locals())


def conversions_round_trip(torch, draws: np.ndarray, points: np.ndarray) -> list:
    torch, nn, F, optim = libraries(torch)
    c = rotation_conversions(torch, F)
    o = torch.tensor(draws, requires_grad=True)
    q = c["random_quaternions"](o)
    R = c["quaternion_to_matrix"](q)
    q2 = c["matrix_to_quaternion"](R)
    aa = c["matrix_to_axis_angle"](R)
    R_fast = c["axis_angle_to_matrix"](aa, fast=True)
    aa_fast = c["matrix_to_axis_angle"](R_fast, fast=True)
    R_euler = c["euler_angles_to_matrix"](aa_fast, "ZYX")
    moved = c["quaternion_apply"](c["axis_angle_to_quaternion"](aa_fast), torch.tensor(points))
    by_matrix = (R_fast @ torch.tensor(points)[..., None])[..., 0]
    composed = c["quaternion_raw_multiply"](q, c["quaternion_invert"](q2))
    R_6d = c["rotation_6d_to_matrix"](c["matrix_to_rotation_6d"](R_euler) + 0.1)
    weights = torch.arange(9.0).reshape(3, 3) / 9
    loss = ((moved ** 2).sum() + (R_6d * weights).sum() + (composed[:, 1:] ** 2).sum()
            + (q2 * torch.tensor([1.0, -2.0, 3.0, 0.5])).sum())
    loss.backward()
    return [q, R, q2, aa, R_fast, aa_fast, R_euler, moved, by_matrix, composed, R_6d,
            loss, o.grad]


def test_pytorch3d_rotation_conversions_match_torch(torch) -> None:
    rng = np.random.default_rng(0)
    # random draws, plus one for each candidate the matrix-to-quaternion branch may pick
    draws = np.concatenate([rng.standard_normal((6, 4)), np.diag([3.0, 2.9, 3.1, 3.2]) + 0.4])
    points = rng.standard_normal((10, 3))
    got = conversions_round_trip(None, draws, points)
    want = conversions_round_trip(torch, draws, points)
    assert_records(got, want)
    np.testing.assert_allclose(numpy_of(got[7]), numpy_of(got[8]), atol=1e-12)
    np.testing.assert_allclose(numpy_of(got[4]), numpy_of(got[1]), atol=1e-12)


def test_axis_angle_at_zero_and_near_pi_match_torch(torch) -> None:
    """The branches PyTorch3D guards: a zero rotation (sinc(0), the where on angle^2 == 0,
    ``isclose`` to 0) and a half turn (the near-pi rows written through the mask)."""
    # (PyTorch3D's near-pi branch reads the first row of R + I: an axis with no x part
    # would give it 0/0, so the half turn's axis has one)
    axis_angles = np.array([[0.0, 0.0, 0.0], [0.3, -0.2, 0.5], [0.6 * np.pi, 0.8 * np.pi, 0.0]])
    records = []
    for lib in (None, torch):
        T, nn, F, optim = libraries(lib)
        c = rotation_conversions(T, F)
        aa = T.tensor(axis_angles[:2], requires_grad=True)
        R = c["axis_angle_to_matrix"](aa, fast=True)
        R_slow = c["axis_angle_to_matrix"](aa)
        (R * T.arange(9.0).reshape(3, 3)).sum().backward()
        half_turn = c["axis_angle_to_matrix"](T.tensor(axis_angles), fast=True)
        records.append([R, R_slow, aa.grad, c["matrix_to_axis_angle"](half_turn, fast=True)])
    assert_records(records[0], records[1])
    np.testing.assert_allclose(numpy_of(records[0][3]), axis_angles, atol=1e-7)


def rotation_autoencoder(torch, sync, rotations: np.ndarray, steps: int = 3) -> list:
    """Zhou et al.'s experiment: an MLP maps a flattened rotation to 6 numbers, the 6-D
    representation maps them back to a rotation, the geodesic angle is the loss."""
    torch, nn, F, optim = libraries(torch)
    c = rotation_conversions(torch, F)
    model = nn.Sequential(nn.Linear(9, 16), nn.LeakyReLU(), nn.Linear(16, 6))
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    target = torch.tensor(rotations)
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        out = c["rotation_6d_to_matrix"](model(target.view(-1, 9)))
        loss = c["so3_relative_angle"](out, target).mean()
        loss.backward()
        records += [loss.item()] + [p.grad.clone() for p in model.parameters()]
        optimizer.step()
    return records + [p.detach().clone() for p in model.parameters()]


def test_six_d_rotation_autoencoder_trains_as_torch(torch) -> None:
    from equivariant_helpers import random_rotations

    rotations = random_rotations(8, seed=4)
    ours, theirs = weight_sync()
    want = rotation_autoencoder(torch, theirs, rotations)
    got = rotation_autoencoder(None, ours, rotations)
    assert_records(got, want)
    assert want[-1 - 4 * 0] is not None and want[0] > 0
