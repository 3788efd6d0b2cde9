"""Shared pieces of the equivariant-network ports (``test_pytorch_ports_equivariant_*.py``):
the library tuple a program is written against, weight syncing from PyTorch's model, the
record comparison, and random rotations (drawn in NumPy, the same in both runs).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F

__all__ = ["libraries", "weight_sync", "assert_records", "numpy_of", "random_rotations",
           "digits"]


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def weight_sync() -> tuple:
    """(ours, theirs): ``theirs(model)`` keeps a PyTorch model's starting state dict,
    ``ours(model)`` loads it (PyTorch's program runs first)."""
    states = []

    def theirs(model):
        states.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})

    def ours(model):
        model.load_state_dict(states.pop(0))

    return ours, theirs


def numpy_of(value) -> np.ndarray:
    """A tensor of either library (or a number) as a NumPy copy."""
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def assert_records(got: list, want: list, rtol: float = 1e-9, atol: float = 1e-10) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(numpy_of(a), numpy_of(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def random_rotations(n: int, seed: int = 0) -> np.ndarray:
    """n rotation matrices (det +1) from the QR of Gaussian matrices, sign-fixed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        q, r = np.linalg.qr(rng.standard_normal((3, 3)))
        q = q * np.sign(np.diag(r))
        if np.linalg.det(q) < 0:
            q[:, 0] = -q[:, 0]
        out.append(q)
    return np.stack(out)


def digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's 8x8 digits as (n, 1, 8, 8) float64 in [0, 1], and labels."""
    from sklearn.datasets import load_digits
    data = load_digits()
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(data.target), n, replace=False)
    return (data.images[idx] / 16.0)[:, None].astype(np.float64), data.target[idx]
