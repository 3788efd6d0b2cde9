"""Shared glue of the ``test_pytorch_ports_optim_*`` ports: the two libraries, a small
generated task, one MLP started from PyTorch's weights in both, and the record comparison.

Each port writes its program once for a library ``torch`` (``autograd`` here, PyTorch
there) with that library's ``nn`` and ``optim``, runs it in both from the same starting
weights (float64), and compares what it records (losses, gradients, parameters, states)
to 1e-10."""

import numpy as np

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def task(n: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """A generated 10-class task the size of 8x8 digits (importing scikit-learn for its
    digits took ~10 s on the shared machine): features in [0, 1), labels from a random
    linear teacher."""
    rng = np.random.default_rng(7)
    features = rng.random((n, 64))
    labels = (features @ rng.standard_normal((64, 10))).argmax(axis=1)
    return features, labels


def mlp(nn_lib, hidden: int = 16):
    """The model every port trains: 64 -> hidden -> 10 with a tanh."""
    return nn_lib.Sequential(nn_lib.Linear(64, hidden), nn_lib.Tanh(),
                             nn_lib.Linear(hidden, 10))


def weights_of(model) -> dict:
    """A PyTorch model's state dict as NumPy copies (its starting weights)."""
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def as_numpy(value):
    """A record entry as NumPy: tensors of either library become arrays (copies)."""
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    if isinstance(value, (list, tuple)):
        return [as_numpy(v) for v in value]
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    return np.asarray(value, dtype=float)


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Every entry of the two runs' records agrees (arrays to ``rtol``/``atol``)."""
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = as_numpy(a), as_numpy(b)
        if isinstance(b, dict):
            assert sorted(a) == sorted(b), i
            for k in b:
                np.testing.assert_allclose(a[k], b[k], rtol=rtol, atol=atol, err_msg=f"{i} {k}")
        elif isinstance(b, list):
            assert len(a) == len(b), i
            for x, y in zip(a, b):
                np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=str(i))
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=str(i))


def both(program, torch, *args) -> tuple[list, list]:
    """Run ``program(libraries, model, *args)`` with PyTorch, then with this library from
    the same starting weights; return (ours, theirs) records."""
    torch.manual_seed(0)
    their_model = mlp(torch.nn)
    start = weights_of(their_model)
    theirs = program(libraries(torch), their_model, *args)
    our_model = mlp(nn)
    our_model.load_state_dict(start)  # the test's glue: the generators differ
    ours = program(libraries(), our_model, *args)
    return ours, theirs
