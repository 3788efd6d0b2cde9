"""``autograd._assert``: PyTorch's ``torch._assert(condition, message)``, the function-call
assert that torchvision's models write (``torch._assert(h == self.image_size, "Wrong image
height! ...")``): nothing when the condition holds, ``AssertionError(message)`` when not,
for a Python bool or a one-element Tensor, as PyTorch."""

import pytest

import autograd as ag


@pytest.mark.parametrize("holds", [True, False])
def test_assert_passes_or_raises_as_pytorch(torch, holds):
    for lib in (torch, ag):
        for condition in (holds, lib.tensor(holds), lib.tensor([2.0]) == (2.0 if holds else 3.0)):
            if holds:
                assert lib._assert(condition, "Wrong image height!") is None
            else:
                with pytest.raises(AssertionError, match="^Wrong image height!$"):
                    lib._assert(condition, "Wrong image height!")


def test_assert_of_several_elements_is_ambiguous_as_in_pytorch(torch):
    for lib in (torch, ag):
        with pytest.raises((RuntimeError, ValueError), match="ambiguous"):
            lib._assert(lib.tensor([True, False]), "message")
