"""Linear algebra at its edges, against NumPy and PyTorch: batch axes that cannot
broadcast, PyTorch's keyword spellings."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3, 3), (4, 3, 1)),
                                              ((2, 3, 3, 3), (2, 3, 3))])
def test_solve_batch_axes_that_do_not_broadcast_are_a_shape_error(a_shape, b_shape) -> None:
    with pytest.raises(ValueError):  # NumPy refuses them too
        np.linalg.solve(np.ones(a_shape), np.ones(b_shape))
    with pytest.raises(ShapeError, match=r"solve: .*batch axes .*cannot broadcast"):
        ag.solve(np.ones(a_shape), np.ones(b_shape))
