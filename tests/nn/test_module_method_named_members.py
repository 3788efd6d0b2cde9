"""A parameter or module assigned under the name of a Module method (N-BEATS'
``self.parameters = []`` ... ``self.parameters = nn.ParameterList(self.parameters)``):
as in PyTorch, it is a member (named in ``state_dict``, ``named_children``...) while
``self.<name>`` stays the method; compared with torch on the same program."""

import numpy as np
import pytest

import autograd as ag
import nn


def _program(torch_nn):
    class Net(torch_nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch_nn.ModuleList([torch_nn.Linear(2, 3), torch_nn.Linear(3, 1)])
            self.parameters = []  # a plain list shadows the method for now
            for block in self.blocks:
                self.parameters.extend(block.parameters())
            self.parameters = torch_nn.ParameterList(self.parameters)
            self.eval = torch_nn.Linear(1, 1)  # another method's name

        def forward(self, x):
            return self.blocks[1](self.blocks[0](x))

    return Net()


def test_a_module_under_a_method_name_leaves_the_method(torch) -> None:
    for torch_nn in (nn, torch.nn):
        net = _program(torch_nn)
        params = list(net.parameters())  # the method, not the ParameterList
        assert len(params) == 6, torch_nn
        assert [n for n, _ in net.named_children()] == ["blocks", "parameters", "eval"]
        assert net.eval() is net and not net.training
        assert list(net.state_dict())[4:8] == ["parameters.0", "parameters.1",
                                               "parameters.2", "parameters.3"]
        assert "eval.weight" in net.state_dict()


def test_state_dicts_load_across_the_libraries(torch) -> None:
    ours, theirs = _program(nn), _program(torch.nn)
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)
    x = np.arange(4.0).reshape(2, 2)
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_deleting_or_replacing_the_member() -> None:
    net = _program(nn)
    del net.eval
    assert "eval.weight" not in net.state_dict() and net.eval() is net
    net.parameters = None  # the member's place empties; the method stays (PyTorch's)
    assert callable(net.parameters) and len(list(net.parameters())) == 4  # eval: gone
    assert not any(k.startswith("parameters.") for k in net.state_dict())
    with pytest.raises(TypeError, match="a Parameter, a Module or None"):
        net.parameters = []  # PyTorch: "cannot assign 'list' as child module"
