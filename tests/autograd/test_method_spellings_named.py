"""PyTorch's method spellings of NumPy-named ops (``x.acos()`` in ChebyKAN's layer,
``x.atan2(y)``, ``x.absolute()``...) name the method that does it here, as
``autograd.acos`` names ``autograd.arccos``: a ``MissingNameError`` (an AttributeError,
so ``hasattr`` and ``getattr(t, name, default)`` keep working)."""

import numpy as np
import pytest

import autograd as ag

SPELLINGS = {"acos": "arccos", "asin": "arcsin", "atan": "arctan", "atan2": "arctan2",
             "acosh": "arccosh", "asinh": "arcsinh", "atanh": "arctanh", "absolute": "abs",
             "true_divide": "div", "take_along_dim": "take_along_axis"}


@pytest.mark.parametrize("theirs, ours", SPELLINGS.items())
def test_a_pytorch_method_spelling_names_ours(theirs: str, ours: str) -> None:
    t = ag.tensor([0.5])
    assert callable(getattr(t, ours))
    with pytest.raises(ag.MissingNameError, match=rf"'Tensor' object has no attribute "
                                                    rf"'{theirs}': .*t\.{ours}\("):
        getattr(t, theirs)


def test_other_missing_attributes_stay_plain_attribute_errors() -> None:
    t = ag.tensor([0.5])
    assert not hasattr(t, "acos") and getattr(t, "no_such_name", 7) == 7
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'no_such'"):
        t.no_such
    np.testing.assert_allclose(t.arccos().numpy(), np.arccos(0.5))  # the method itself
