"""``cumsum``/``cumprod``/``prod``/``nansum``/``sum`` with ``dtype=``: the result has that
dtype, as PyTorch's, also a small integer one (``mask.cumsum(-1, dtype=torch.int32)``,
Hugging Face's position ids of a padded batch). NumPy's scans and products promote int32
and bool to int64, which the cast before the op alone left in place. Compared with
PyTorch, as methods and as ``autograd.`` functions."""

import numpy as np
import pytest

import autograd as ag

NAMES = ["cumsum", "cumprod", "prod", "nansum", "sum"]
CASTS = [("bool", "int32"), ("int64", "int32"), ("int64", "int16"), ("bool", "int64"),
         ("float64", "float32"), ("int32", "float64")]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("source, target", CASTS, ids=str)
@pytest.mark.parametrize("spelling", ["method", "function"])
def test_the_result_has_the_asked_dtype_as_torch(torch, name, source, target,
                                                 spelling) -> None:
    values = np.random.default_rng(0).integers(0, 3, (2, 4)).astype(source)
    results = []
    for lib in (ag, torch):
        x, dtype = lib.tensor(values), getattr(lib, target)
        y = getattr(x, name)(1, dtype=dtype) if spelling == "method" else getattr(
            lib, name)(x, 1, dtype=dtype)
        assert str(y.dtype).endswith(target)
        results.append(y.numpy())
    np.testing.assert_array_equal(results[0], results[1])


def test_float_scans_keep_their_gradient_in_the_asked_dtype(torch) -> None:
    values = np.random.default_rng(1).standard_normal((3, 4))
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(values, requires_grad=True)
        x.cumprod(1, dtype=lib.float32).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)
