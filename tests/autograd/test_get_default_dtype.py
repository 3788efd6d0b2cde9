"""``torch.get_default_dtype()``, read by PyTorch code to build tensors (Hugging Face's
rotary embedding builds its cos/sin caches with ``dtype=torch.get_default_dtype()``): here
it is float64, what creation functions, Python floats and nn's parameters are, as
PyTorch's after ``set_default_dtype(torch.float64)``. Setting it to float64 is accepted
(``test_torch_runtime.py``); to anything else stays refused."""

import numpy as np
import pytest

import autograd as ag


def test_get_default_dtype_is_what_tensors_are_made_of(torch) -> None:
    assert ag.get_default_dtype() is ag.float64
    assert str(torch.get_default_dtype()) == "torch." + np.dtype(ag.get_default_dtype()).name
    for made in (ag.zeros(2), ag.randn(2), ag.tensor([1.0]), ag.arange(0.0, 2.0),
                 ag.full((2,), 0.5)):
        assert made.dtype == ag.get_default_dtype()
    assert ag.zeros(2, dtype=ag.get_default_dtype()).dtype == np.float64


def test_set_default_dtype_to_another_dtype_stays_refused() -> None:
    with pytest.raises(ag.UnsupportedError, match="dtype="):
        ag.set_default_dtype(ag.float32)
