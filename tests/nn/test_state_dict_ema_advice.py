"""timm's ``ModelEmaV2`` and YOLOv5's ``ModelEMA`` update the EMA model by writing into its
state dict's values (``ema_v.copy_(decay * ema_v + (1 - decay) * model_v)``), PyTorch's
views of the parameters. Here they are read-only copies (by design), and the write's
``UsageError`` did not say how to write that loop; it now names
``state_dict(keep_vars=True)``, whose values are the parameters and buffers themselves,
and that loop gives PyTorch's EMA."""

import copy

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import UsageError


def ema_step(torch, ema, model, decay, **keywords):
    with torch.no_grad():
        for ema_v, model_v in zip(ema.state_dict(**keywords).values(),
                                  model.state_dict().values()):
            ema_v.copy_(decay * ema_v + (1. - decay) * model_v)


def test_writing_into_state_dict_values_names_keep_vars() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ema = copy.deepcopy(model)
    with pytest.raises(UsageError, match=r"state_dict\(keep_vars=True\)"):
        ema_step(ag, ema, model, 0.9)


def test_the_keep_vars_loop_is_pytorchs_ema(torch) -> None:
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    ours = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    their_ema, our_ema = copy.deepcopy(theirs), copy.deepcopy(ours)
    x = np.random.default_rng(0).standard_normal((4, 3))
    for lib, model, ema, keywords in ((torch, theirs, their_ema, {}),
                                      (ag, ours, our_ema, {"keep_vars": True})):
        model(lib.tensor(x))  # BatchNorm's running statistics move (train mode)
        with lib.no_grad():
            model[0].weight.mul_(2.0)
        ema_step(lib, ema, model, 0.75, **keywords)
    for key, value in their_ema.state_dict().items():
        np.testing.assert_allclose(our_ema.state_dict()[key].numpy(), value.numpy(),
                                   rtol=1e-14, err_msg=key)
