"""``autograd.empty``/``empty_like``: PyTorch's ``torch.empty`` (time_sequence_prediction's
``self.dummy_param = nn.Parameter(torch.empty(0))``, and the common
``nn.Parameter(torch.empty(out, in))`` followed by an ``nn.init`` fill). PyTorch leaves
the memory unset; here it is zeros, as ``new_empty``'s."""

import numpy as np
import pytest

import autograd as ag
import nn


@pytest.mark.parametrize("call, shape", [
    (lambda: ag.empty(2, 3), (2, 3)), (lambda: ag.empty((2, 3)), (2, 3)),
    (lambda: ag.empty([4]), (4,)), (lambda: ag.empty(size=(1, 2)), (1, 2)),
    (lambda: ag.empty(0), (0,)), (lambda: ag.empty(), ())])
def test_empty_is_zeros_of_the_size(call, shape):
    t = call()
    assert t.shape == shape and t.dtype == np.float64 and not t.requires_grad
    assert not t.numpy().any()


def test_empty_takes_dtype_device_requires_grad_and_out():
    t = ag.empty(2, dtype=ag.float32, device="cpu", requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad and t.is_leaf
    assert ag.empty(3, dtype=ag.long).dtype == np.int64
    out = ag.zeros(0)
    assert ag.empty(2, 2, out=out) is out and out.shape == (2, 2)
    with pytest.raises(ag.UsageError, match="cuda"):
        ag.empty(2, device="cuda")
    with pytest.raises(ag.ShapeError):
        ag.empty(-1)


def test_empty_like_has_the_shape_and_dtype():
    x = ag.ones(2, 3, dtype=ag.float32)
    t = ag.empty_like(x)
    assert t.shape == (2, 3) and t.dtype == np.float32 and not t.numpy().any()
    assert ag.empty_like(x, dtype=ag.float64, requires_grad=True).requires_grad


def test_parameters_made_empty_then_initialised():
    dummy = nn.Parameter(ag.empty(0))
    assert dummy.shape == (0,) and dummy.device == "cpu"
    w = nn.Parameter(ag.empty(4, 3))
    nn.init.kaiming_uniform_(w, a=5 ** 0.5)
    assert w.requires_grad and w.detach().numpy().any()


def test_as_torchs(torch):
    for args in [(2, 3), ((2, 3),), (0,)]:
        assert ag.empty(*args).shape == tuple(torch.empty(*args).shape)
    assert ag.empty(2, dtype=ag.int32).dtype == np.int32
    assert torch.empty(2, dtype=torch.int32).dtype == torch.int32
