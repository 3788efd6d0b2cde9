"""PyTorch's window functions (``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window``), as audio front ends call them before a framed
FFT: values against PyTorch's for periodic and symmetric windows, lengths 0, 1 and more,
their extra parameters, dtype and requires_grad; bad lengths raise."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

NAMES = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
         "kaiser_window"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_pytorch(torch, name, length, periodic):
    ours = getattr(ag, name)(length, periodic)
    theirs = getattr(torch, name)(length, periodic)
    assert ours.dtype == np.float64 and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)


def test_extra_parameters_dtype_and_requires_grad(torch):
    pairs = [(ag.hamming_window(7, False, 0.5, 0.5), torch.hamming_window(7, False, 0.5, 0.5)),
             (ag.hamming_window(6, True, 0.6), torch.hamming_window(6, True, 0.6)),
             (ag.kaiser_window(9, True, 5.0), torch.kaiser_window(9, True, 5.0)),
             (ag.hann_window(6, dtype=ag.float32), torch.hann_window(6, dtype=torch.float32))]
    for ours, theirs in pairs:
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    window = ag.hann_window(4, requires_grad=True, device="cpu")
    assert window.requires_grad and window.is_leaf


@pytest.mark.parametrize("length", [-1, 2.5, True])
def test_bad_lengths_raise(length):
    with pytest.raises(ShapeError, match="hann_window"):
        ag.hann_window(length)
