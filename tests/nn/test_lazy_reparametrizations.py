"""Spectral and weight normalization (the parametrizations and PyTorch's legacy hooks)
refuse a lazy module before its first call, with a ValueError telling to run a dummy
forward first, as PyTorch's do; after one they apply."""

import warnings

import pytest

import autograd
import nn

NORMS = ["spectral_norm", "weight_norm", "parametrizations.spectral_norm",
         "parametrizations.weight_norm"]


def norm_function(utils, path: str):
    for part in path.split("."):
        utils = getattr(utils, part)
    return utils


@pytest.mark.parametrize("path", NORMS)
@pytest.mark.parametrize("lazy, args", [("LazyLinear", (3,)), ("LazyConv2d", (3, 1))])
def test_norms_refuse_a_lazy_module_before_its_first_call(torch, path, lazy, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises((ValueError, RuntimeError)):
            norm_function(torch.nn.utils, path)(getattr(torch.nn, lazy)(*args))
        with pytest.raises(ValueError, match=f"a {lazy} before its first call.*dummy forward"):
            norm_function(nn.utils, path)(getattr(nn, lazy)(*args))
        layer = nn.LazyLinear(3)
        layer(autograd.ones(2, 5))
        assert norm_function(nn.utils, path)(layer)(autograd.ones(2, 5)).shape == (2, 3)
