"""PyTorch names the makemore lectures reach for (tests/test_pytorch_ports_makemore*.py):
``t.nelement()``, ``torch.all``/``torch.any``, ``t.index_add_``, ``torch.histogram``;
each compared with PyTorch's own."""

import numpy as np
import pytest

import autograd as ag


def test_nelement_is_numel() -> None:
    # makemore part 3: sum(p.nelement() for p in parameters)
    x = ag.zeros((3, 4, 2))
    assert x.nelement() == 24 and isinstance(x.nelement(), int)
    assert ag.tensor(2.0).nelement() == 1
