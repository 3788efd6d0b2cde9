"""Session 35 findings in gradient accumulation, autograd.functional's messages and
set_printoptions: a .grad with a graph (from create_graph=True) keeps it when a later plain
backward adds to it, as PyTorch's; jvp of an integer output and an empty backward name
themselves; sci_mode=False never prints an exponent, threshold takes inf, and every call
sets sci_mode, as PyTorch's."""

import re

import numpy as np
import pytest

import autograd as ag
from autograd import functional as AF
from autograd.errors import DTypeError, UsageError


def test_a_grad_with_a_graph_keeps_it_when_a_plain_backward_adds_to_it(torch) -> None:
    results = []
    for T, grad in ((ag.tensor, ag.grad), (torch.tensor, torch.autograd.grad)):
        x = T([0.3, -1.2, 2.0], requires_grad=True)
        y = T([2.0, -1.2, 0.3], requires_grad=True)
        (x * x * y).sum().backward(create_graph=True)  # x.grad = 2 x y, with a graph
        (x * x * y).sum().backward()  # a plain pass adds 2 x y more
        assert x.grad.requires_grad
        (dy,) = grad(x.grad.sum() + (y * y).sum(), y)
        results.append((np.asarray(x.grad.detach().numpy()), np.asarray(dy.detach().numpy())))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_jvp_of_an_integer_output_names_the_output() -> None:
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(DTypeError, match="jvp: output 0 of func has dtype int64"):
        AF.jvp(lambda x: (x * 2).long(), x, ag.ones(2))


def test_an_empty_backward_names_backward() -> None:
    with pytest.raises(UsageError, match="^backward: tensors must be"):
        ag.backward([])


@pytest.fixture
def default_printing():
    yield
    ag.set_printoptions(profile="default")


def _numbers(text: str) -> list[str]:
    """The printed values of a repr, ours or PyTorch's (the dtype suffix dropped)."""
    body = text[text.index("(") + 1:text.rindex("]") + 1]
    return re.findall(r"-?(?:\d+\.\d*|nan|inf)", body)


@pytest.mark.parametrize("values", [[123456789.0, 0.5], [1e10, 1.0], [1e-9, 1.0],
                                    [[2.5e9, -1.0], [3.0, 4.0]], [1e12, -2.0, 7.5]])
def test_sci_mode_false_never_prints_an_exponent_as_pytorch(torch, default_printing,
                                                            values) -> None:
    ag.set_printoptions(sci_mode=False, precision=4)
    torch.set_printoptions(sci_mode=False, precision=4)
    try:
        ours = repr(ag.tensor(values))
        theirs = repr(torch.tensor(values, dtype=torch.float64))
    finally:
        torch.set_printoptions(profile="default")
    assert "e+" not in ours and "e-" not in ours
    assert _numbers(ours) == _numbers(theirs)


def test_each_call_sets_sci_mode_as_pytorchs(default_printing) -> None:
    ag.set_printoptions(sci_mode=False)
    ag.set_printoptions(precision=4)  # no sci_mode: back to automatic, as PyTorch's
    assert "e-08" in repr(ag.tensor([1e-8, 1.0, 1e5]))


def test_threshold_takes_inf_and_messages_use_pytorchs_names(default_printing) -> None:
    ag.set_printoptions(threshold=float("inf"))
    assert "..." not in repr(ag.arange(5000.0))
    with pytest.raises(UsageError, match="linewidth must be an int >= 0"):
        ag.set_printoptions(linewidth=-1)
    with pytest.raises(UsageError, match="threshold must be an int >= 0 \\(or inf\\)"):
        ag.set_printoptions(threshold=-1.0)
