"""``x.softmax(dim, dtype)``, ``x.log_softmax(dim, dtype=...)`` and ``autograd.softmax`` /
``autograd.log_softmax(x, dim, dtype)``: PyTorch's ``dtype`` casts the input before the op
(the method and the ``torch.`` function, as ``F.softmax``'s; see
``tests/nn/test_softmax_dtype.py``). Values, dtypes and the input's gradient compared with
PyTorch."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError

SPELLINGS = [
    ("method, positional", lambda lib, x, name, dt: getattr(x, name)(1, dt)),
    ("method, keywords", lambda lib, x, name, dt: getattr(x, name)(dim=1, dtype=dt)),
    ("function, positional", lambda lib, x, name, dt: getattr(lib, name)(x, 1, dt)),
    ("function, keywords", lambda lib, x, name, dt: getattr(lib, name)(x, dim=1, dtype=dt)),
]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("spelling", SPELLINGS, ids=[s[0] for s in SPELLINGS])
@pytest.mark.parametrize("source, target", [("float32", "float64"), ("float64", "float32")])
def test_dtype_casts_before_the_op_as_torch(torch, name, spelling, source, target) -> None:
    values = np.random.default_rng(0).standard_normal((3, 5)).astype(source) * 3
    upstream = np.random.default_rng(1).standard_normal((3, 5)).astype(target)
    results = []
    for lib in (ag, torch):
        x = lib.tensor(values, requires_grad=True)
        y = spelling[1](lib, x, name, getattr(lib, target))
        y.backward(lib.tensor(upstream))
        assert str(y.dtype).endswith(target) and str(x.grad.dtype).endswith(source)
        results.append((y.detach().numpy(), x.grad.numpy()))
    rtol = 1e-5 if "float32" in (source, target) else 1e-12
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol)


def test_without_dtype_the_input_dtype_is_kept() -> None:
    x = ag.tensor(np.ones((2, 3), np.float32))
    assert x.softmax(-1).dtype == np.float32 and ag.log_softmax(x, 1).dtype == np.float32


def test_an_integer_dtype_is_refused_by_name() -> None:
    with pytest.raises(DTypeError, match="softmax: dtype must be a float dtype"):
        ag.tensor(np.ones(3)).softmax(0, dtype=ag.int64)
    with pytest.raises(DTypeError, match="log_softmax: dtype must be a float dtype"):
        ag.log_softmax(ag.tensor(np.ones(3)), 0, ag.int32)
