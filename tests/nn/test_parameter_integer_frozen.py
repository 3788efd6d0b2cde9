"""A frozen integer ``Parameter`` (PyTorch allows one when ``requires_grad=False``; NODE's
``ModuleWithInit`` keeps its "initialised" flag as ``Parameter(tensor(0, dtype=uint8),
requires_grad=False)``) is registered, saved, written through ``.data`` and left alone by
dtype casts and optimizers, as in PyTorch; asking it to require grad is refused by both."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError


def flagged_module(T, torch_nn):
    class Flagged(torch_nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch_nn.Parameter(T.ones(2))
            self.flag = torch_nn.Parameter(T.tensor(0, dtype=T.uint8), requires_grad=False)

        def forward(self, x):
            return (x * self.weight).sum()

    return Flagged()


def test_frozen_integer_parameter_as_in_pytorch(torch):
    records = []
    for T, torch_nn, optim in ((torch, torch.nn, torch.optim), (ag, nn, nn.optim)):
        m = flagged_module(T, torch_nn)
        names = [name for name, _ in m.named_parameters()]
        m.flag.data[...] = 1
        m.double()
        opt = optim.Adam(m.parameters(), lr=0.1)
        m(T.tensor([1.0, 2.0])).backward()
        opt.step()
        state = m.state_dict()
        records.append((names, str(m.flag.dtype).split(".")[-1], m.flag.requires_grad,
                        int(m.flag.item()), m.flag.grad is None,
                        np.asarray(state["flag"]).item(), m.weight.detach().numpy().copy()))
    theirs, ours = records
    np.testing.assert_allclose(ours[-1], theirs[-1], rtol=1e-12)
    assert ours[:-1] == theirs[:-1]


def test_integer_parameter_that_requires_grad_is_refused(torch):
    with pytest.raises(RuntimeError, match="floating point"):
        torch.nn.Parameter(torch.tensor(0, dtype=torch.uint8))
    with pytest.raises(DTypeError, match="must be floating"):
        nn.Parameter(ag.tensor(0, dtype=ag.uint8))
    frozen = nn.Parameter(ag.tensor([1, 2]), requires_grad=False)
    with pytest.raises(DTypeError, match="floating"):
        frozen.requires_grad_(True)
