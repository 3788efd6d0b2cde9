"""``w.data *= mask`` (``t.data op= x``) is NumPy writing into ``.data``, which a graph
does not see (as PyTorch, whose ``.data`` writes leave the version alone), although
Python ends the statement by assigning the same array back to ``.data``. Assigning a
different array still counts as a write (``test_engine_safety.py``)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError


def masked_then_backward(torch, rng_seed: int = 0) -> tuple:
    """PixelCNN's habit: the mask written into the weight before each forward, and a
    backward (retain_graph) through an earlier forward after a later one wrote it."""
    rng = np.random.default_rng(rng_seed)
    w0, x0 = rng.standard_normal((2, 3)), rng.standard_normal(3)
    mask = torch.tensor(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    w = torch.tensor(w0, requires_grad=True)
    x = torch.tensor(x0, requires_grad=True)
    w.data *= mask
    first = (w @ x).sum()
    w.data *= mask  # the next forward's write: the same values
    second = (w @ (x * x)).sum()
    (first + second).backward(retain_graph=True)
    return x.grad.numpy().copy(), w.grad.numpy().copy()


def test_data_times_equal_mask_keeps_the_graph_usable_as_pytorch(torch) -> None:
    got, want = masked_then_backward(ag), masked_then_backward(torch)
    for mine, theirs in zip(got, want):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


@pytest.mark.parametrize("update", [
    lambda w: w.data.__isub__(1.0),  # the array itself, in place: not seen
    lambda w: setattr(w, "data", w.data),  # the same array assigned back
])
def test_the_same_array_back_in_data_is_not_a_write(update) -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    update(w)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.data)


def test_a_new_array_in_data_is_still_a_write() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data = w.data * 2
    with pytest.raises(InplaceError, match="assigning .data"):
        y.backward()
