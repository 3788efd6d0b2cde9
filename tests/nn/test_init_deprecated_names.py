"""PyTorch's deprecated ``nn.init`` names without the underscore (``xavier_uniform``,
``orthogonal``, ...), which older code still calls (pytorch/examples' siamese network:
``torch.nn.init.xavier_uniform(m.weight)``; the first super_resolution model:
``init.orthogonal(self.conv1.weight, ...)``): the same fill, with PyTorch's FutureWarning
naming the new name."""

from __future__ import annotations

import numpy as np
import pytest

import nn

NAMES = ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal",
         "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]
ARGS = {"constant": (0.3,), "sparse": (0.5,)}


@pytest.mark.parametrize("name", NAMES)
def test_old_name_warns_as_torch_and_fills_as_the_new_one(torch, name) -> None:
    with pytest.warns(FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor "
                                           rf"of `nn.init.{name}_`"):
        getattr(torch.nn.init, name)(torch.nn.Linear(3, 4).weight, *ARGS.get(name, ()))
    old, new = nn.Linear(3, 4).weight, nn.Linear(3, 4).weight
    seed = {} if name == "constant" else {"rng": 0}
    with pytest.warns(FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor "
                                           rf"of `nn.init.{name}_`"):
        assert getattr(nn.init, name)(old, *ARGS.get(name, ()), **seed) is old
    getattr(nn.init, name + "_")(new, *ARGS.get(name, ()), **seed)
    np.testing.assert_array_equal(old.detach().numpy(), new.detach().numpy())
