"""``x.repeat(n)`` of a 1-d tensor holding one element: NumPy's reading (each element n
times) and PyTorch's (the whole tensor n times) give the same tensor, so it is taken
instead of refused as ambiguous. The pointer network (shirgur/PointerNet) builds its
decoder mask this way: ``self.mask.repeat(input_length)`` of a ``Parameter(ones(1))``."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import UsageError


@pytest.mark.parametrize("count", [1, 5])
def test_repeat_of_one_element_matches_torch(torch, count: int) -> None:
    x, tx = Tensor([0.7], requires_grad=True), torch.tensor([0.7], requires_grad=True)
    ours, theirs = x.repeat(count), tx.repeat(count)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    w = np.random.default_rng(0).random(count)
    (ours * Tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-14)


def test_repeat_of_two_elements_stays_refused() -> None:
    with pytest.raises(UsageError, match="means two things"):
        Tensor([1.0, 2.0]).repeat(3)
