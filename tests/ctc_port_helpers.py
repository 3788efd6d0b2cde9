"""Glue shared by the CTC and audio ports (``test_pytorch_ports_ctc_*.py``,
``test_pytorch_ports_audio_*.py``): each program is written once for a library ``torch``
(``autograd`` here, PyTorch there) and run next to PyTorch's from the same weights in
float64; these helpers pick the library, copy weights and compare states."""

import numpy as np

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def to_numpy(value):
    """A tensor of either library (or anything else) as a NumPy copy."""
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    return np.asarray(value)


def copy_weights(ours, theirs) -> None:
    """Load PyTorch model ``theirs``'s state dict into our model ``ours``."""
    ours.load_state_dict({k: to_numpy(v) for k, v in theirs.state_dict().items()})


def assert_same_state(ours, theirs, atol: float = 1e-10) -> None:
    """Every entry of the two models' state dicts agrees (same names, same values)."""
    mine, want = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(want)
    for name, value in want.items():
        np.testing.assert_allclose(to_numpy(mine[name]), to_numpy(value), atol=atol,
                                   err_msg=name)


def assert_same_grads(ours, theirs, atol: float = 1e-10) -> None:
    """Every parameter's gradient agrees."""
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(to_numpy(p.grad), to_numpy(q.grad), atol=atol,
                                   err_msg=name)
