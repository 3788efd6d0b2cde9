"""Module forward hooks with PyTorch's signatures, order and return values."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.errors import AutogradError
from nn.module import functional_call


def linear_pair(torch):
    """Our Linear(3, 2) and torch's with the same weights."""
    ours = nn.Linear(3, 2, rng=0)
    theirs = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    return ours, theirs


def install(module, log):
    """The same hooks on either library's module; returns their handles."""
    return [
        module.register_forward_pre_hook(lambda m, args: log.append("pre1") or args[0] * 2),
        module.register_forward_pre_hook(lambda m, args: (log.append("pre2"),
                                                          (args[0] + 1,))[1]),
        module.register_forward_pre_hook(lambda m, args: log.append("pre0"), prepend=True),
        module.register_forward_hook(lambda m, args, out: log.append("post1") or out * 3),
        module.register_forward_hook(lambda m, args, out: log.append("post0"), prepend=True),
        module.register_forward_hook(  # sees the inputs the pre-hooks made
            lambda m, args, out: log.append(("post2", tuple(args[0].shape)))
            or out - args[0].sum()),
    ]


@pytest.mark.parametrize("inside_sequential", [False, True])
def test_hooks_replace_inputs_and_output_and_run_in_torch_order(inside_sequential):
    torch = pytest.importorskip("torch")
    ours, theirs = linear_pair(torch)
    ours_log, theirs_log = [], []
    handles = install(ours, ours_log)
    install(theirs, theirs_log)
    x_np = np.random.default_rng(1).normal(size=(4, 3))
    g_np = np.random.default_rng(2).normal(size=(4, 2))
    x, xt = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    model = nn.Sequential(ours, nn.Identity()) if inside_sequential else ours
    y, yt = model(x), theirs(xt)
    assert ours_log == theirs_log
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    y.backward(Tensor(g_np))
    yt.backward(torch.tensor(g_np))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)
    for handle in handles:
        handle.remove()
        handle.remove()  # a second remove does nothing, as in torch
    ours_log.clear()
    np.testing.assert_array_equal(model(x).data, x_np @ ours.weight.data.T + ours.bias.data)
    assert ours_log == []


def test_hooked_module_gradients_match_finite_differences():
    layer = nn.Linear(3, 2, rng=0)
    layer.register_forward_pre_hook(lambda m, args: args[0] ** 2)
    layer.register_forward_hook(lambda m, args, out: out.tanh())
    x = Tensor(np.random.default_rng(0).normal(size=(2, 3)), requires_grad=True)
    w = Tensor(layer.weight.data.copy(), requires_grad=True)
    assert gradcheck(lambda x, w: functional_call(layer, {"weight": w}, x), [x, w])


def test_with_kwargs_hooks_match_torch():
    torch = pytest.importorskip("torch")

    def make(base):
        class Scale(base):
            def forward(self, x, scale=1.0):
                return x * scale
        return Scale()

    results = []
    for lib, module in (("ours", make(nn.Module)), ("torch", make(torch.nn.Module))):
        seen = []
        module.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {**kwargs, "scale": kwargs.get("scale", 1.0) * 10}),
            with_kwargs=True)
        module.register_forward_hook(
            lambda m, args, kwargs, out: seen.append(kwargs["scale"]), with_kwargs=True)
        x = Tensor(np.ones(2)) if lib == "ours" else torch.ones(2, dtype=torch.float64)
        out = module(x, scale=2.0)
        results.append((np.asarray(out.data if lib == "ours" else out.numpy()), seen))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1] == [20.0]


def test_handle_as_context_manager_and_a_hook_removing_itself():
    layer, log = nn.Identity(), []
    with layer.register_forward_hook(lambda m, a, out: log.append("ctx")):
        layer(1.0)
    layer(1.0)
    assert log == ["ctx"]
    handles = []
    handles.append(layer.register_forward_hook(
        lambda m, a, out: (log.append("once"), handles[0].remove())[0]))
    layer(1.0)
    layer(1.0)
    assert log == ["ctx", "once"]


def test_hook_arguments_are_checked():
    layer = nn.Identity()
    with pytest.raises(TypeError, match="hook must be callable") as info:
        layer.register_forward_hook("print")
    assert isinstance(info.value, AutogradError)
    with pytest.raises(TypeError, match="prepend must be True or False"):
        layer.register_forward_pre_hook(print, prepend=1)
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"return None or a tuple \(args, kwargs\)"):
        layer(1.0)


def test_hooks_leave_the_state_and_the_children_alone():
    model = nn.Sequential(nn.Linear(2, 2, rng=0))
    before = (list(model.state_dict()), repr(model), list(model.named_modules()))
    model.register_forward_hook(lambda m, a, out: None)
    model[0].register_forward_pre_hook(lambda m, a: None)
    assert (list(model.state_dict()), repr(model), list(model.named_modules())) == before
