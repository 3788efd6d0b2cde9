"""F.softmax / F.log_softmax / F.softmin(x, dim, dtype=): the input is cast to dtype before
the op, as PyTorch's; values, output dtype and the input's gradient compared with torch."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor
from autograd.errors import DTypeError

from torch_compare_helpers import normal

CASTS = [(np.float32, np.float64), (np.float64, np.float32), (np.int64, np.float64),
         (np.float32, np.float32)]


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("source, target", CASTS)
def test_cast_before_the_op_as_torch(name, source, target):
    torch = pytest.importorskip("torch")
    values = normal(0, (3, 5)) * 4
    values = values.astype(source) if source != np.int64 else values.round().astype(source)
    grad_in = source != np.int64
    x = Tensor(values.copy(), requires_grad=grad_in)
    y = getattr(F, name)(x, dim=1, dtype=target)
    xt = torch.tensor(values, requires_grad=grad_in)
    yt = getattr(torch.nn.functional, name)(xt, dim=1, dtype=getattr(torch, target.__name__))
    assert y.dtype == target
    rtol = 1e-6 if np.float32 in (source, target) else 1e-12
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=rtol, atol=rtol)
    if grad_in:
        g = normal(1, y.shape).astype(target)
        y.backward(Tensor(g))
        yt.backward(torch.tensor(g))
        assert x.grad.dtype == source
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=rtol * 10, atol=rtol)


def test_dtype_must_be_a_float_dtype():
    with pytest.raises(DTypeError, match="softmax: dtype must be a float dtype"):
        F.softmax(np.ones(3), dtype=np.int64)
    with pytest.raises(DTypeError, match="log_softmax: dtype must be a float dtype"):
        F.log_softmax(np.ones(3), dtype=bool)
    with pytest.raises(DTypeError, match="NumPy dtype"):
        F.softmin(np.ones(3), dtype="float128x")


def test_temperature_applies_after_the_cast():
    x = normal(2, (2, 4)).astype(np.float32)
    y = F.softmax(x, temperature=2.0, dtype=np.float64)
    np.testing.assert_allclose(y.data, F.softmax(x.astype(np.float64) / 2.0).data,
                               rtol=1e-15)
