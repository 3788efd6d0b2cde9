"""Optimizer step and state-dict hooks, with PyTorch's signatures and calling order."""
import numpy as np
import pytest

import autograd
import nn.optim
from autograd.errors import UsageError
from nn.optim import LBFGS, SGD, Adam


def param(value=1.0):
    p = autograd.Tensor(np.full(2, value), requires_grad=True)
    p.grad = autograd.Tensor(np.ones(2))
    return p


def record(opt, register, **step_kwargs):
    """What the hooks see over two steps, for either library's optimizer."""
    seen = []
    register(opt, "pre", lambda o, a, k: seen.append(("pre", o is opt, len(a), a[0] is o,
                                                         dict(k))))
    register(opt, "post", lambda o, a, k: seen.append(("post", o is opt, len(a), a[0] is o,
                                                          dict(k))))
    opt.step(**step_kwargs)
    opt.step()
    return seen


def register_step(opt, kind, hook):
    getattr(opt, f"register_step_{kind}_hook")(hook)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_step_hooks_see_what_torch_hooks_see(name):
    torch = pytest.importorskip("torch")
    ours = record(getattr(nn.optim, name)([param()], lr=0.1), register_step, closure=None)
    tp = torch.nn.Parameter(torch.ones(2))
    tp.grad = torch.ones(2)
    theirs = record(getattr(torch.optim, name)([tp], lr=0.1), register_step, closure=None)
    assert ours == theirs


def test_pre_hook_may_replace_the_arguments_and_handles_remove():
    p = param()
    opt = SGD([p], lr=0.1)
    calls = []

    def closure():
        calls.append("closure")
        return 3.0

    handle = opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": closure}))
    assert opt.step() == 3.0 and calls == ["closure"]
    handle.remove()
    assert opt.step() is None and calls == ["closure"]
    np.testing.assert_allclose(p.data, [0.8, 0.8])


def test_a_bad_pre_hook_result_is_a_named_error():
    opt = SGD([param()], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(UsageError, match=r"None or a tuple \(new_args, new_kwargs\), got 5"):
        opt.step()
    with pytest.raises(UsageError, match="callable"):
        opt.register_step_post_hook(None)


def test_hooks_run_once_around_a_subclass_step_that_calls_super():
    class Logged(SGD):
        def step(self, closure=None):
            return super().step(closure)

    opt = Logged([param()], lr=0.1)
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append(1))
    opt.step()
    assert seen == [1]


def test_lbfgs_step_hooks_see_the_closure():
    p = param()
    opt = LBFGS([p], max_iter=2)
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: seen.append(len(a)))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert seen == [2]


def test_state_dict_hooks_in_order_as_torch():
    torch = pytest.importorskip("torch")
    tp = torch.nn.Parameter(torch.ones(2))

    def trace(opt):
        seen = []
        opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
        opt.register_state_dict_post_hook(lambda o, sd: seen.append("post") or
                                          {**sd, "extra": 1})
        opt.register_state_dict_post_hook(lambda o, sd: seen.append(sorted(sd)))
        opt.register_state_dict_pre_hook(lambda o: seen.append("first"), prepend=True)
        opt.register_load_state_dict_pre_hook(
            lambda o, sd: seen.append("load pre") or
            {k: v for k, v in sd.items() if k != "extra"})
        opt.register_load_state_dict_post_hook(lambda o: seen.append("load post"))
        opt.load_state_dict(opt.state_dict())
        return seen

    assert trace(Adam([param()], lr=0.1)) == trace(torch.optim.Adam([tp], lr=0.1))


def test_lbfgs_load_pre_hook_sees_the_state_dict_first():
    opt = LBFGS([param()])
    saved = opt.state_dict()
    seen = []
    handle = opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append(sd is saved))
    opt.load_state_dict(saved)
    handle.remove()
    opt.load_state_dict(saved)
    assert seen == [True]
