"""``copy.copy``, ``copy.deepcopy`` and ``pickle`` of tensors: the values, flags,
gradient and name travel; the graph and hooks do not (PyTorch's pickle gives a leaf).
A copied graph used to carry its creation numbers, which the backward pass orders and
keys gradients by: a graph mixing a tensor and its deep copy lost gradients silently."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor, grad


def test_deepcopy_of_a_computed_tensor_is_an_independent_leaf() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    alone = x.grad.data.copy()  # dL/dx without any copy in the graph
    x.zero_grad()
    h = x * 3
    h2 = copy.deepcopy(h)
    assert h2.is_leaf and h2.requires_grad and h2.grad_fn is None
    (h.sum() + (h2 * 2).sum()).backward()
    np.testing.assert_array_equal(x.grad.data, alone)  # was None: h's op never ran
    np.testing.assert_array_equal(h2.grad.data, np.full(2, 2.0))  # d(2 sum h2)/dh2
    np.testing.assert_array_equal(h2.data, h.data)
    assert not np.shares_memory(h2.data, h.data)


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda t: pickle.loads(pickle.dumps(t))],
                         ids=["deepcopy", "pickle"])
def test_copies_keep_values_dtype_flags_grad_and_name(clone) -> None:
    x = Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True, name="w")
    (x * x).sum().backward()
    y = clone(x)
    assert (y.dtype, y.requires_grad, y.name, y.is_leaf) == (np.float32, True, "w", True)
    np.testing.assert_array_equal(y.data, x.data)
    np.testing.assert_array_equal(y.grad.data, x.grad.data)
    assert not np.shares_memory(y.grad.data, x.grad.data)
    y.grad = None  # the copy's gradient is its own
    assert x.grad is not None
    labels = clone(Tensor(np.array([0, 2, 1])))
    assert labels.dtype == np.int64 and not labels.requires_grad


def test_a_copied_leaf_is_a_new_input_for_grad() -> None:
    x = Tensor([0.5, 1.5], requires_grad=True)
    for z in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        (dz,) = grad((z * z * z).sum(), z)  # d/dz sum z^3 = 3 z^2
        np.testing.assert_allclose(dz.data, 3 * z.data ** 2)


def test_a_deep_graph_pickles_without_recursion() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(5_000):  # was RecursionError: the whole graph was pickled
        y = y * 1.0
    for z in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert z.is_leaf and z.requires_grad
        np.testing.assert_array_equal(z.data, y.data)


def test_shallow_copy_shares_the_array_but_not_grad_or_hooks() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    c = copy.copy(x)
    assert c.data is x.data and c.grad is None and c.is_leaf
    seen = []
    c.register_hook(lambda g: seen.append("copy") or g)
    x.zero_grad()
    (x * 1).sum().backward()  # the copy's hook used to be added to x's hooks too
    assert seen == []
    np.testing.assert_array_equal(x.grad.data, np.full(2, 10.0))
    (c * 1).sum().backward()  # x's hook does not act on the copy
    assert seen == ["copy"]
    np.testing.assert_array_equal(c.grad.data, np.ones(2))


def test_parameters_stay_parameters_and_tied_weights_stay_tied() -> None:
    net = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    net[1].weight = net[0].weight  # one Parameter in two layers
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        params = list(clone.parameters())
        assert len(params) == 3 and all(isinstance(p, nn.Parameter) for p in params)
        assert clone[1].weight is clone[0].weight
        assert copy.copy(params[0]).data is params[0].data
