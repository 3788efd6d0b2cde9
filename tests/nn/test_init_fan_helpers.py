"""PyTorch's fan helpers under their own names, ``nn.init._calculate_fan_in_and_fan_out``
and ``_calculate_correct_fan``: the ``reset_parameters`` that ResNet-family code copies
from ``nn.Linear``/``nn.Conv2d`` (``fan_in, _ = init._calculate_fan_in_and_fan_out(
self.weight); bound = 1 / math.sqrt(fan_in); init.uniform_(self.bias, -bound, bound)``)
was an AttributeError; and the legacy ``nn.utils.weight_norm``/``spectral_norm`` name the
parametrizations that do it here."""
import numpy as np
import pytest

import autograd
import nn


@pytest.mark.parametrize("shape", [(8, 4, 3, 3), (5, 3), (6, 2, 5)])
def test_fan_helpers_are_torch_s(torch, shape):
    ours, theirs = nn.Parameter(np.ones(shape)), torch.ones(shape)
    assert nn.init._calculate_fan_in_and_fan_out(ours) == \
        torch.nn.init._calculate_fan_in_and_fan_out(theirs)
    for mode in ("fan_in", "fan_out"):
        assert nn.init._calculate_correct_fan(ours, mode) == \
            torch.nn.init._calculate_correct_fan(theirs, mode)


def test_fan_helpers_refuse_what_torch_refuses(torch):
    for init, x in ((torch.nn.init, torch.ones(3)), (nn.init, autograd.ones(3))):
        with pytest.raises(ValueError, match="fewer than 2|at least 2"):
            init._calculate_fan_in_and_fan_out(x)
    with pytest.raises(ValueError, match="fan_in"):
        nn.init._calculate_correct_fan(autograd.ones(3, 2), "fan")
