"""Hooks for every module at once (``nn.modules.module.register_module_*``, PyTorch's
``torch.nn.modules.module`` functions): the calls, their order and what a hook's return
value does, step for step next to PyTorch; and that removing them restores the fast
paths (Sequential calling forward directly)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError
from nn.errors import ArgumentTypeError
from nn.global_hooks import ANY_GLOBAL_HOOK
from nn.modules import module as global_hooks


def _log_calls(lib, hooks, make):
    """Every global and one module hook's calls in a forward and backward of a small
    Sequential, then one forward after the global hooks are removed."""
    log = []
    handles = [
        hooks.register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__))),
        hooks.register_module_forward_hook(lambda m, a, o: log.append(("post", type(m).__name__))),
        hooks.register_module_full_backward_pre_hook(
            lambda m, go: log.append(("backward_pre", type(m).__name__))),
        hooks.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("backward", type(m).__name__, tuple(
                None if g is None else tuple(g.shape) for g in gi)))),
    ]
    net = lib.Sequential(lib.Linear(3, 4), lib.ReLU(), lib.Linear(4, 1))
    net[0].register_forward_hook(lambda m, a, o: log.append(("own", type(m).__name__)))
    x = make(np.ones((2, 3)))
    x.requires_grad_(True)
    net(x).sum().backward()
    for handle in handles:
        handle.remove()
    net(x)
    return log


def _log_registrations(lib, hooks, make):
    """The registration hooks' calls while building layers and containers."""
    log = []
    handles = [
        hooks.register_module_parameter_registration_hook(
            lambda m, name, p: log.append(("parameter", type(m).__name__, name))),
        hooks.register_module_buffer_registration_hook(
            lambda m, name, b: log.append(("buffer", type(m).__name__, name))),
        hooks.register_module_module_registration_hook(
            lambda m, name, s: log.append(("module", type(m).__name__, name))),
    ]
    lib.Sequential(lib.Linear(2, 2), lib.BatchNorm1d(2))
    lib.ModuleList([lib.ReLU()]).append(lib.Tanh())
    lib.ModuleDict({"a": lib.ReLU()})
    lib.ParameterList([lib.Parameter(make(np.ones(2)))])
    lib.ParameterDict({"w": lib.Parameter(make(np.ones(2)))})
    for handle in handles:
        handle.remove()
    lib.Linear(2, 2)
    return log


def test_call_hooks_run_for_every_module_before_its_own_as_pytorch(torch):
    ours = _log_calls(nn, global_hooks, ag.Tensor)
    theirs = _log_calls(torch.nn, torch.nn.modules.module, torch.tensor)
    assert ours == theirs
    assert ours[0] == ("pre", "Sequential") and ours[-1] == ("own", "Linear")


def test_registration_hooks_see_every_parameter_buffer_and_submodule_as_pytorch(torch):
    ours = _log_registrations(nn, global_hooks, ag.Tensor)
    theirs = _log_registrations(torch.nn, torch.nn.modules.module, torch.tensor)
    assert ours == theirs
    assert ("buffer", "BatchNorm1d", "running_mean") in ours


def test_return_values_replace_inputs_outputs_and_gradients(torch):
    """A pre-hook doubling the input, a forward hook adding one, a backward hook halving
    grad_input: the same values and leaf gradient as PyTorch's."""
    def run(lib, hooks, make):
        handles = [
            hooks.register_module_forward_pre_hook(lambda m, a: (a[0] * 2,)),
            hooks.register_module_forward_hook(lambda m, a, o: o + 1),
            hooks.register_module_full_backward_hook(
                lambda m, gi, go: tuple(None if g is None else g / 2 for g in gi)),
        ]
        try:
            layer = lib.Linear(3, 2)
            with (torch.no_grad() if lib is torch.nn else ag.no_grad()):
                layer.weight.copy_(make(np.arange(6.0).reshape(2, 3) / 7))
                layer.bias.copy_(make(np.array([0.5, -1.0])))
            x = make(np.array([[1.0, -2.0, 3.0]]))
            x.requires_grad_(True)
            y = layer(x)
            (y * y).sum().backward()
            return np.asarray(y.detach()), np.asarray(x.grad)
        finally:
            for handle in handles:
                handle.remove()
    y, gx = run(nn, global_hooks, ag.Tensor)
    ty, tgx = run(torch.nn, torch.nn.modules.module, torch.tensor)
    np.testing.assert_allclose(y, ty, rtol=1e-12)
    np.testing.assert_allclose(gx, tgx, rtol=1e-12)


def test_with_kwargs_and_always_call():
    seen = []
    handle = global_hooks.register_module_forward_hook(
        lambda m, a, kw, o: seen.append((type(m).__name__, kw, o)), with_kwargs=True,
        always_call=True)

    class Fails(nn.Module):
        def forward(self, x, *, scale=1.0):
            raise ValueError("boom")

    try:
        with pytest.raises(ValueError, match="boom"):
            Fails()(ag.Tensor(1.0), scale=3.0)
    finally:
        handle.remove()
    assert seen == [("Fails", {"scale": 3.0}, None)]


def test_registration_hook_may_replace_the_value_with_one_of_the_same_kind():
    frozen = global_hooks.register_module_parameter_registration_hook(
        lambda m, name, p: nn.Parameter(p.detach(), requires_grad=False))
    try:
        layer = nn.Linear(2, 2)
    finally:
        frozen.remove()
    assert not layer.weight.requires_grad and not layer.bias.requires_grad
    wrong = global_hooks.register_module_module_registration_hook(lambda m, n, s: "a str")
    try:
        with pytest.raises(UsageError, match="must return None or a Module; .* returned str"):
            nn.Sequential(nn.ReLU())
    finally:
        wrong.remove()


def test_removed_hooks_leave_no_trace_and_bad_arguments_are_named():
    calls = []
    handle = global_hooks.register_module_forward_hook(lambda m, a, o: calls.append(m))
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    net(ag.Tensor(np.ones((1, 2))))
    assert len(calls) == 3  # Sequential, Linear and ReLU (no fused pair while hooked)
    handle.remove()
    assert not ANY_GLOBAL_HOOK  # module calls take the fast path again
    net(ag.Tensor(np.ones((1, 2))))
    assert len(calls) == 3
    with pytest.raises(ArgumentTypeError, match="hook must be callable"):
        global_hooks.register_module_forward_pre_hook("not a function")
    with pytest.raises(ArgumentTypeError, match="always_call must be True or False"):
        global_hooks.register_module_forward_hook(lambda m, a, o: None, always_call=1)
