"""``y.requires_grad = flag`` on a tensor an op made raises, as PyTorch's does (for True
too: it is how interpretability code tries to make an input it computed differentiable,
and the gradient would never reach that tensor's ``.grad``). ``requires_grad_(True)``
on it stays allowed, as PyTorch allows it (it already requires grad)."""

import pytest

import autograd as ag


def _computed(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    return x * 2


@pytest.mark.parametrize("flag", [True, False])
def test_setting_the_flag_of_a_computed_tensor_raises_as_pytorch(torch, flag):
    with pytest.raises(RuntimeError, match="leaf variables"):
        _computed(torch).requires_grad = flag
    with pytest.raises(ag.UsageError, match="leaf") as caught:
        _computed(ag).requires_grad = flag
    assert "detach().requires_grad_()" in str(caught.value)


def test_requires_grad_true_by_method_on_a_computed_tensor_is_allowed_as_pytorch(torch):
    assert _computed(torch).requires_grad_(True).requires_grad
    assert _computed(ag).requires_grad_(True).requires_grad


def test_a_leaf_takes_the_flag_both_ways():
    x = ag.tensor([1.0, 2.0])
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    x.requires_grad = False
    assert not x.requires_grad


def test_the_advised_rewrite_makes_a_leaf_whose_grad_is_filled():
    y = _computed(ag).detach().requires_grad_()
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]
