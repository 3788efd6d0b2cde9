"""Module.zero_grad(set_to_none=False) zeroes each gradient in place, as PyTorch's and as
the optimizers' zero_grad (whoever holds p.grad sees the zeros); Module.to(<not a dtype>)
is a named DTypeError, not NumPy's bare TypeError."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError


def _model_with_grads():
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    model(ag.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    return model


@pytest.mark.parametrize("zero", ["module", "optimizer"])
def test_zero_grad_keeps_the_gradient_tensors_and_zeroes_them(zero):
    model = _model_with_grads()
    held = [p.grad for p in model.parameters()]
    assert any(np.abs(g.numpy()).sum() > 0 for g in held)
    if zero == "module":
        model.zero_grad(set_to_none=False)
    else:
        nn.optim.SGD(model.parameters(), lr=0.1).zero_grad(set_to_none=False)
    for p, g in zip(model.parameters(), held):
        assert p.grad is g and not g.numpy().any()


def test_zero_grad_detaches_a_gradient_with_a_graph():
    w = nn.Parameter(ag.tensor([1.0, 2.0]))
    model = nn.Module()
    model.w = w
    (w ** 3).sum().backward(create_graph=True)
    assert w.grad.requires_grad
    model.zero_grad(set_to_none=False)
    assert not w.grad.requires_grad and not w.grad.numpy().any()
    model.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("bad", [5, "float99", object()])
def test_module_to_a_non_dtype_is_a_named_error(bad):
    with pytest.raises(DTypeError, match="expected a dtype"):
        nn.Linear(2, 2).to(bad)


def test_the_cells_base_class_has_pytorchs_name():
    assert nn.RNNCellBase.__name__ == "RNNCellBase"
    assert repr(nn.RNNCellBase(3, 4, bias=True, num_chunks=1)) == "RNNCellBase(3, 4)"
    assert isinstance(nn.GRUCell(2, 3), nn.RNNCellBase)
