"""A graph node's PyTorch API: ``grad_fn.name()`` (a method, as ``Node.name()``),
``grad_fn.metadata`` (a dict of the user's) and, for hooks, a ``UsageError`` naming the
tensor hook to use instead (this engine keeps its hooks on tensors)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.graph import AccumulateGrad


def test_name_is_a_method_as_in_torch() -> None:
    torch = pytest.importorskip("torch")
    x, w = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0, 4.0])
    tx, tw = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0])
    for ours, theirs in [(x * w, tx * tw), ((x + w).exp(), (tx + tw).exp()),
                         (x.sum(), tx.sum())]:
        name = ours.grad_fn.name()
        assert name == type(ours.grad_fn).__name__
        assert theirs.grad_fn.name() == f"{name}Backward0"  # torch adds "Backward0"
    assert (x * 2).grad_fn.next_functions[0][0].name() == "AccumulateGrad"


def test_the_library_still_names_ops() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    assert "grad_fn=Exp" in repr(y) and repr(y.grad_fn) == "Exp()"
    s = (y * 2).sum()
    s.backward()
    with pytest.raises(ag.GraphFreedError, match="through Sum a second time"):
        s.backward()
    with pytest.raises(ag.AxisError, match="max"):
        x.max(axis=3)


def test_metadata_is_a_dict_kept_on_the_node() -> None:
    torch = pytest.importorskip("torch")
    x = ag.tensor([1.0], requires_grad=True)
    y = x.exp()
    assert y.grad_fn.metadata == torch.ones(1, requires_grad=True).exp().grad_fn.metadata
    y.grad_fn.metadata["layer"] = "fc1"
    assert y.grad_fn.metadata == {"layer": "fc1"} and x.exp().grad_fn.metadata == {}
    y.backward()  # the engine ignores it
    np.testing.assert_allclose(x.grad.data, np.exp([1.0]))
    with pytest.raises(ag.UsageError, match="keeps no node for a leaf"):
        AccumulateGrad(x).metadata


@pytest.mark.parametrize("method, instead", [("register_hook", "x.register_hook"),
                                             ("register_prehook", "y.register_hook")])
def test_node_hooks_name_the_tensor_hook_to_use(method: str, instead: str) -> None:
    x = ag.tensor([1.0], requires_grad=True)
    node = (x * x).grad_fn
    with pytest.raises(ag.UsageError, match=rf"Mul\.{method}: .*{instead}\(fn\)"):
        getattr(node, method)(lambda *grads: None)
    with pytest.raises(ag.UsageError, match=r"leaf\.register_hook\(fn\) on its \.variable"):
        getattr(node.next_functions[0][0], method)(lambda *grads: None)


def test_an_op_class_whose_name_is_not_a_method_is_refused_when_defined():
    from autograd.errors import UsageError
    from autograd.extend import Function
    with pytest.raises(UsageError, match="must be a method"):
        class Named(Function):  # noqa: F841
            name = "my op"

            def forward(self, x):
                return x

    class Renamed(Function):
        def name(self):
            return "Doubler"

        def forward(self, x):
            return 2 * x

        def vjp(self, g, out, x):
            return (2 * g,)

    x = ag.Tensor(1.0, requires_grad=True)
    assert Renamed()(x).grad_fn.name() == "Doubler"
