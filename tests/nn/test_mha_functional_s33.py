"""``nn.MultiheadAttention.forward`` runs ``multi_head_attention`` of
nn/functional/multi_head_attention.py with its parameters, as PyTorch's module calls
``F.multi_head_attention_forward``: the functional file sits below the layers (imports
no layer), ``out_proj`` is used through its weight and bias (its hooks do not run, as in
PyTorch), a wider input is still warned about once, now naming the attention layer, and
the function's errors name the function."""
from __future__ import annotations

import ast
import pathlib
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd.errors import ShapeError, UsageError
from nn.layers import DTypePromotionWarning

FUNCTIONAL_FILE = pathlib.Path(nn.__file__).parent / "functional" / "multi_head_attention.py"


def test_the_functional_file_imports_no_layer():
    """Only nn's helpers (checks, generators, errors) from above nn/functional."""
    tree = ast.parse(FUNCTIONAL_FILE.read_text())
    from_nn = {node.module for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.level == 2}
    assert from_nn <= {"_checks", "_random", "errors"}, from_nn


@pytest.mark.parametrize("need_weights", [True, False])
def test_out_proj_hooks_run_as_in_torch(torch, need_weights):
    """PyTorch's module passes out_proj.weight and out_proj.bias to the function, so a
    forward hook on out_proj is called as often as torch calls it."""
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    counts = []
    for lib, data in ((nn, x), (torch.nn, torch.tensor(x))):
        layer = lib.MultiheadAttention(4, 2)
        calls = []
        layer.out_proj.register_forward_hook(lambda *args: calls.append(1))
        layer(data, data, data, need_weights=need_weights)
        counts.append(len(calls))
    assert counts[0] == counts[1]


def test_a_wider_input_is_warned_about_once_by_the_attention_layer():
    layer = nn.MultiheadAttention(4, 2, dtype=np.float32, rng=0)
    x = np.ones((3, 2, 4))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, _ = layer(x, x, x)
        layer(x, x, x)
    promotions = [w for w in caught if issubclass(w.category, DTypePromotionWarning)]
    assert len(promotions) == 1
    assert str(promotions[0].message).startswith("MultiheadAttention(")
    assert out.dtype == np.result_type(np.float32, x.dtype)


def test_errors_name_the_function_or_the_layer_that_was_called():
    x = np.ones((3, 2, 4))
    w, b = np.ones((12, 4)), np.zeros(12)
    bad_mask = np.ones((2, 2), bool)
    with pytest.raises(ShapeError, match="^multi_head_attention_forward: attn_mask must"):
        F.multi_head_attention_forward(x, x, x, 4, 2, w, b, None, None, False, 0.0,
                                       np.ones((4, 4)), None, attn_mask=bad_mask)
    with pytest.raises(UsageError, match="^multi_head_attention_forward: is_causal=True"):
        F.multi_head_attention_forward(x, x, x, 4, 2, w, b, None, None, False, 0.0,
                                       np.ones((4, 4)), None, is_causal=True)
    with pytest.raises(ShapeError, match="^MultiheadAttention: attn_mask must"):
        nn.MultiheadAttention(4, 2, rng=0)(x, x, x, attn_mask=bad_mask)
