"""PyTorch's ``module._forward_pre_hooks`` and ``module._forward_hooks``: the hooks by
handle id, in calling order, as the pruning tutorial prints and ``prune`` walks them."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def _hook_dicts(lib_module):
    log = []
    pre_a = lib_module.register_forward_pre_hook(lambda m, args: log.append("a"))
    lib_module.register_forward_pre_hook(lambda m, args: log.append("b"), prepend=True)
    post = lib_module.register_forward_hook(lambda m, args, out: log.append("post"))
    return log, pre_a, post


def test_forward_hook_dicts_list_hooks_by_handle_id_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    assert len(ours._forward_pre_hooks) == len(theirs._forward_pre_hooks) == 0
    assert dict(ours._forward_hooks) == {}
    for module in (ours, theirs):
        log, pre_a, post = _hook_dicts(module)
        pre = module._forward_pre_hooks
        assert list(pre)[1] == pre_a.id and len(pre) == 2
        assert [k for k, _ in pre.items()] == list(pre.keys())
        assert list(module._forward_hooks) == [post.id]
        hook = pre[pre_a.id]
        hook(module, ())
        assert log == ["a"]
        del module._forward_pre_hooks[pre_a.id]  # as prune.remove does
        assert len(module._forward_pre_hooks) == 1 and pre_a.id not in pre
        log.clear()
        x = np.ones((1, 3))
        module(Tensor(x) if module is ours else torch.tensor(x, dtype=torch.float32))
        assert log == ["b", "post"]


def test_forward_hook_dict_missing_id_is_a_key_error():
    module = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="no forward pre-hook"):
        del module._forward_pre_hooks[12345]
    with pytest.raises(TypeError, match="register_forward_pre_hook"):
        module._forward_pre_hooks[1] = print
