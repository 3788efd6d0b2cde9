"""Adam and its kin take ``betas`` as 0-d tensors, as PyTorch 2's do (``betas=(torch.tensor(
0.9), torch.tensor(0.999))``, kept as tensors there for ``torch.compile``'d schedules):
each becomes its value, as a 0-d tensor ``lr`` does here. Parameters after some steps
are compared with PyTorch; a tensor of another shape is a named ``ConfigError``."""

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError

NAMES = ["Adam", "AdamW", "NAdam", "RAdam", "Adamax"]


def steps_with_tensor_betas(lib, optim, name: str) -> np.ndarray:
    w = (nn.Parameter if lib is ag else lib.nn.Parameter)(lib.tensor([1.0, -2.0, 3.0]))
    betas = (lib.tensor(0.8), lib.tensor(0.95))
    optimizer = getattr(optim, name)([w], lr=0.1, betas=betas)
    for _ in range(7):  # RAdam's rectified update starts after 5 steps
        loss = (w ** 2).sum() + w.prod()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return w.detach().numpy()


@pytest.mark.parametrize("name", NAMES)
def test_tensor_betas_step_as_torch(torch, name: str) -> None:
    ours = steps_with_tensor_betas(ag, nn.optim, name)
    theirs = steps_with_tensor_betas(torch, torch.optim, name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_the_group_keeps_the_values() -> None:
    optimizer = nn.optim.Adam([nn.Parameter(ag.ones(2))], betas=(ag.tensor(0.5), 0.9))
    assert optimizer.param_groups[0]["betas"] == (0.5, 0.9)


def test_a_tensor_beta_of_another_shape_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"Adam: a tensor betas\[1\] must be 0-d"):
        nn.optim.Adam([nn.Parameter(ag.ones(2))], betas=(0.9, ag.tensor([0.99, 0.9])))
