"""PyTorch's ``x.is_sparse``, ``x.is_floating_point()``, ``x.is_complex()`` and
``x.element_size()`` were missing: optimizers copied from PyTorch's pre-2.0 code start
with ``if grad.is_sparse: raise RuntimeError(...)``, and model code asks
``p.is_floating_point()`` before casting. Compared with PyTorch for each dtype."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32,
                                   np.int64, np.uint8, np.bool_])
def test_kind_queries_match_pytorch(dtype):
    torch = pytest.importorskip("torch")
    ours = ag.tensor(np.zeros((2, 3), dtype=dtype))
    theirs = torch.from_numpy(np.zeros((2, 3), dtype=dtype))
    assert ours.is_sparse is theirs.is_sparse is False
    assert ours.is_floating_point() is theirs.is_floating_point()
    assert ours.is_complex() is theirs.is_complex()
    assert ours.element_size() == theirs.element_size()


def test_a_parameter_gradient_is_dense():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    assert p.grad.is_sparse is False and p.is_floating_point()
