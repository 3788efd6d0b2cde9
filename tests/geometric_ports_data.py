"""Generated molecules and point clouds for the geometric ports
(``test_pytorch_ports_geometric_*.py``), as NumPy arrays in the layout plain-PyTorch
code reads: atom types ``z``, positions ``pos``, a ``batch`` vector naming each atom's
molecule; the targets come from a known pair potential so that a model can learn them."""

import numpy as np


def pair_potential_molecules(molecules=4, atoms=5, seed=0) -> dict:
    """``molecules`` random clusters of ``atoms`` atoms of 3 types, their energy a
    Morse-like pair potential ``sum_{i<j} (1 - exp(-(r_ij - 1)))^2`` scaled by the atom
    types, and the forces ``-dE/dpos`` (by hand: the potential is known)."""
    rng = np.random.default_rng(seed)
    n = molecules * atoms
    z = rng.integers(0, 3, size=n)
    pos = rng.uniform(-1.0, 1.0, size=(n, 3))
    batch = np.repeat(np.arange(molecules), atoms)
    energy, forces = np.zeros(molecules), np.zeros((n, 3))
    for i in range(n):
        for j in range(i + 1, n):
            if batch[i] != batch[j]:
                continue
            diff = pos[i] - pos[j]
            r = np.linalg.norm(diff)
            scale = 0.5 + 0.25 * (z[i] + z[j])
            e = np.exp(-(r - 1.0))
            energy[batch[i]] += scale * (1 - e) ** 2
            de_dr = scale * 2 * (1 - e) * e
            forces[i] -= de_dr * diff / r
            forces[j] += de_dr * diff / r
    return {"z": z.astype(np.int64), "pos": pos, "batch": batch.astype(np.int64),
            "energy": energy, "forces": forces, "num_graphs": molecules}


def n_body_trajectories(systems=3, bodies=4, seed=0) -> dict:
    """Charged particles (the EGNN paper's N-body task, shrunk): start positions and
    velocities of ``systems`` systems of ``bodies`` bodies, their charges, and their
    positions after a few Euler steps of the Coulomb-like force ``q_i q_j (x_i - x_j) / r^3``."""
    rng = np.random.default_rng(seed)
    loc = rng.standard_normal((systems, bodies, 3))
    vel = 0.5 * rng.standard_normal((systems, bodies, 3))
    charges = rng.choice([-1.0, 1.0], size=(systems, bodies, 1))
    x, v = loc.copy(), vel.copy()
    for _ in range(10):
        diff = x[:, :, None, :] - x[:, None, :, :]
        r = np.linalg.norm(diff, axis=-1, keepdims=True) + np.eye(bodies)[None, :, :, None]
        force = (charges[:, :, None] * charges[:, None, :] * diff / r ** 3).sum(axis=2)
        v = v + 0.01 * np.clip(force, -10, 10)
        x = x + 0.01 * v
    return {"loc": loc.reshape(-1, 3), "vel": vel.reshape(-1, 3),
            "charges": charges.reshape(-1, 1), "loc_end": x.reshape(-1, 3),
            "systems": systems, "bodies": bodies}


def rotation(seed=0) -> np.ndarray:
    """A random 3-D rotation matrix (QR of a Gaussian matrix, determinant +1)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q
