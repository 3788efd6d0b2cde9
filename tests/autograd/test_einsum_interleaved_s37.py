"""einsum's interleaved form, NumPy's and PyTorch's: einsum(a, [0, 1], b, [1, 2], [0, 2])
is einsum("ab,bc->ac", a, b); values from NumPy's own einsum, gradients by gradcheck."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import EinsumError

A = np.arange(6.0).reshape(2, 3)
B = np.arange(12.0).reshape(3, 4) / 7
CASES = [((A, [0, 1], B, [1, 2], [0, 2]), 2), ((A, [0, 1], [1]), 1),
         ((A, [Ellipsis, 1]), 1), ((np.arange(9.0).reshape(3, 3), [0, 0]), 1),
         ((A, [0, 1], A, [0, 1], []), 2), ((A, [Ellipsis, 1], B, [1, 51]), 2)]


@pytest.mark.parametrize("args, n", CASES)
def test_interleaved_form_matches_numpy(args, n):
    expected = np.einsum(*args)
    lifted = [ag.tensor(x) if isinstance(x, np.ndarray) else x for x in args]
    np.testing.assert_allclose(ag.einsum(*lifted).numpy(), expected)
    np.testing.assert_allclose(np.einsum(*lifted).numpy(), expected)  # dispatched here

    def function(*tensors):
        it = iter(tensors)
        return ag.einsum(*[next(it) if isinstance(x, np.ndarray) else x for x in args])
    tensors = [ag.tensor(x, requires_grad=True) for x in args if isinstance(x, np.ndarray)]
    assert len(tensors) == n and ag.gradcheck(function, tensors)


@pytest.mark.parametrize("args, match", [
    ((A, [0, "x"]), r"int in \[0, 52\)"), ((A, [52]), "got 52"), ((A, [0, True]), "True"),
    ((A, "ij"), "followed by a list"), ((A, [0, 1], B, 3), "operand 1")])
def test_interleaved_form_refuses_what_is_not_axes(args, match):
    with pytest.raises(EinsumError, match=match):
        ag.einsum(ag.tensor(args[0]), *args[1:])
