"""Hooks against PyTorch (session 33's fuzzing): what a tensor hook, a full backward pre-hook
and a load_state_dict post-hook may return, the order and key lists of load post-hooks, and
in-place writes through the identity ops of a module with full backward hooks."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError


class _Lib:
    """Our library under torch's attribute names, for the runs written once for both."""
    nn = nn
    tensor = staticmethod(ag.tensor)
    no_grad = ag.no_grad


def _raises_like_torch(torch_call, our_call, torch_error, our_error, match):
    """Both calls raise: PyTorch's ``torch_error``, ours the named ``our_error``."""
    with pytest.raises(torch_error):
        torch_call()
    with pytest.raises(our_error, match=match):
        our_call()


@pytest.mark.parametrize("returned", [lambda g: 3, lambda g: 2.5,
                                      lambda g: np.asarray(g.detach()) * 2],
                         ids=["int", "float", "ndarray"])
def test_a_tensor_hook_must_return_a_tensor_or_none(torch, returned):
    def run(lib):
        x = lib.tensor(1.5, requires_grad=True)
        x.register_hook(returned)
        (x * 1.0).backward()
    _raises_like_torch(lambda: run(torch), lambda: run(ag), TypeError, UsageError,
                       "must return None or a Tensor")


def test_a_load_post_hook_returning_a_value_is_refused(torch):
    def run(lib):
        m = lib.nn.Linear(2, 2)
        m.register_load_state_dict_post_hook(lambda mod, inc: 5)
        m.load_state_dict(m.state_dict())
    with pytest.raises(AssertionError):
        run(torch)
    with pytest.raises(UsageError, match="must return None"):
        run(_Lib)


def test_a_full_backward_pre_hook_returning_a_bare_tensor_is_refused(torch):
    def run(lib):
        m = lib.nn.Linear(2, 2)
        m.register_full_backward_pre_hook(lambda mod, go: go[0] * 2)
        m(lib.tensor([[1.0, 2.0]], requires_grad=True)).sum().backward()
    _raises_like_torch(lambda: run(torch), lambda: run(_Lib), RuntimeError, UsageError,
                       "tuple of 1 gradients")


def _load_post_hook_log(lib):
    """Every module of a nested model logs (name, missing, unexpected) from its load post-hook;
    the state dict misses two entries and has three extra at three depths."""
    m = lib.nn.Sequential(lib.nn.Linear(2, 2),
                          lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU()),
                          lib.nn.Linear(2, 1))
    log = []
    for name, module in m.named_modules():
        module.register_load_state_dict_post_hook(
            lambda mod, inc, name=name: log.append(
                (name, list(inc.missing_keys), list(inc.unexpected_keys))))
    sd = dict(m.state_dict())
    del sd["1.0.bias"], sd["0.weight"]
    for extra in ("1.0.zz", "extra", "1.q.r"):
        sd[extra] = sd["2.bias"]
    result = m.load_state_dict(sd, strict=False)
    return log, (list(result.missing_keys), list(result.unexpected_keys))


def test_load_post_hooks_run_children_first_with_the_keys_found_so_far(torch):
    assert _load_post_hook_log(_Lib) == _load_post_hook_log(torch)


def test_a_load_post_hook_clearing_a_childs_missing_key_lets_a_strict_load_pass(torch):
    def run(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 2))
        m[1].register_load_state_dict_post_hook(lambda mod, inc: inc.missing_keys.clear())
        seen = []
        m.register_load_state_dict_post_hook(
            lambda mod, inc: seen.append(list(inc.missing_keys)))
        sd = dict(m.state_dict())
        del sd["1.bias"]
        m.load_state_dict(sd)
        return seen
    assert run(_Lib) == run(torch)
