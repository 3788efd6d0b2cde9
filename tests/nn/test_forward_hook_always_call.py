"""``register_forward_hook(hook, always_call=True)`` (PyTorch 2.0's keyword, a TypeError
here): the hook runs after every forward as usual, and also when forward raises, with
output None, before the error propagates (a hook's own error there is warned and
dropped, as PyTorch's). Compared with PyTorch."""

import numpy as np
import pytest

import autograd as ag
import nn


def broken(lib_nn):
    class Broken(lib_nn.Module):
        def forward(self, x):
            if x.shape[0] > 2:
                raise ValueError("too many rows")
            return x * 2
    return Broken()


def run(lib_nn, tensor):
    module, seen = broken(lib_nn), []
    module.register_forward_hook(lambda m, args, out: seen.append(("plain", out is None)))
    handle = module.register_forward_hook(
        lambda m, args, out: seen.append(("always", out is None)), always_call=True)
    module.register_forward_hook(
        lambda m, args, kwargs, out: seen.append(("kwargs", out is None)), with_kwargs=True,
        always_call=True)
    assert np.allclose(np.asarray(module(tensor(np.ones((2, 3)))).numpy()), 2.0)
    with pytest.raises(ValueError, match="too many rows"):
        module(tensor(np.ones((3, 3))))
    handle.remove()
    with pytest.raises(ValueError, match="too many rows"):
        module(tensor(np.ones((3, 3))))
    return seen


def test_always_call_hooks_run_when_forward_raises_as_pytorch(torch) -> None:
    assert run(nn, ag.tensor) == run(torch.nn, torch.tensor) == [
        ("plain", False), ("always", False), ("kwargs", False),
        ("always", True), ("kwargs", True), ("kwargs", True)]


def test_an_always_call_hooks_error_after_a_failed_forward_is_warned(torch) -> None:
    for lib_nn, tensor in ((nn, ag.tensor), (torch.nn, torch.tensor)):
        module = broken(lib_nn)

        def hook(m, args, out):
            raise KeyError("hook failed")
        module.register_forward_hook(hook, always_call=True)
        with pytest.warns(UserWarning, match="always_call=True"):
            with pytest.raises(ValueError, match="too many rows"):
                module(tensor(np.ones((3, 3))))


def hooked_failures(lib_nn, tensor):
    """What the always_call hooks see when a pre-hook raises (output None, the hook
    after a raising pre-hook still runs) and when an earlier forward hook raises (the
    forward's output, and a hook that already ran does not run again)."""
    def boom(*args):
        raise ValueError("boom")

    seen = []
    remember = lambda m, args, out: seen.append(None if out is None else out.tolist())  # noqa: E731
    for where in ("pre-hook", "forward hook", "always hook"):
        module = lib_nn.Identity()
        if where == "pre-hook":
            module.register_forward_pre_hook(boom)
        elif where == "forward hook":
            module.register_forward_hook(boom)
        module.register_forward_hook(remember, always_call=True)
        if where == "always hook":  # it ran; the next always_call hook raises
            module.register_forward_hook(boom, always_call=True)
        seen.append(where)
        with pytest.raises(ValueError, match="boom"):
            module(tensor([1.0, 2.0]))
    return seen


def test_always_call_hooks_run_when_a_hook_raises_as_pytorch(torch) -> None:
    assert hooked_failures(nn, ag.tensor) == hooked_failures(torch.nn, torch.tensor) == [
        "pre-hook", None, "forward hook", [1.0, 2.0], "always hook", [1.0, 2.0]]
