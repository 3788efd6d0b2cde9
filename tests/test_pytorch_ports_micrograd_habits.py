"""Habits of the micrograd lecture ("The spelled-out intro to neural networks and
backpropagation") and of micrograd's demo that the step-for-step ports
(``test_pytorch_ports_micrograd*.py``) found behaving differently here: one minimal
regression test each, next to PyTorch when it is installed."""

import numpy as np
import pytest

import autograd as ag


def test_a_cast_to_the_dtype_a_tensor_has_is_the_tensor_itself():
    """The lecture's PyTorch cell, written with ``requires_grad=True`` up front:
    ``x1 = torch.tensor([2.0], requires_grad=True).double()``. PyTorch's ``double()``,
    ``float()``, ``half()``, ``to(dtype)``, ``type(dtype)``, ``long()``, ``int()`` and
    ``bool()`` return the tensor itself when it has that dtype already, so ``x1`` stays
    the leaf whose ``.grad`` the backward fills (a new node here left it None)."""
    x1 = ag.tensor([2.0], requires_grad=True).double()
    w1 = ag.tensor([-3.0], requires_grad=True).double()
    (x1 * w1).tanh().backward()
    assert x1.is_leaf and x1.grad is not None and w1.grad is not None
    for data, casts in ((np.float64(1.0), ("double", np.float64)),
                        (np.float32(1.0), ("float", np.float32)),
                        (np.float16(1.0), ("half", np.float16)),
                        (np.int64(1), ("long", np.int64)), (np.int32(1), ("int", np.int32)),
                        (np.bool_(True), ("bool", np.bool_))):
        t = ag.tensor(np.array([data]))
        method, dtype = casts
        assert getattr(t, method)() is t, method
        assert t.to(dtype) is t and t.to(dtype=dtype) is t and t.type(dtype) is t
        assert t.to(t) is t and t.to("cpu", dtype) is t
        assert t.astype(dtype) is not t  # NumPy's astype copies (copy=True), as in NumPy
    x = ag.tensor([1.0, 2.0])
    assert x.float() is not x and x.float().dtype == np.float32  # a real cast still casts
    assert x.long().dtype == np.int64 and x.long() is not x


def test_a_cast_to_the_same_dtype_matches_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in ((ag.tensor([2.0], requires_grad=True),
                          torch.tensor([2.0], dtype=torch.float64, requires_grad=True)),
                         (ag.tensor([3]), torch.tensor([3]))):
        for method in ("double", "float", "long", "int", "bool", "half"):
            a, b = getattr(ours, method)(), getattr(theirs, method)()
            assert (a is ours) == (b is theirs), method


def test_tensor_takes_the_name_that_labels_a_drawing_as_tensor_does():
    """The lecture's ``Value(2.0, label='a')``, written with the function a PyTorch user
    reaches for: ``ag.tensor(2.0, requires_grad=True, name='a')`` (``Tensor(...,
    name='a')`` took it; ``tensor`` did not)."""
    a = ag.tensor(2.0, requires_grad=True, name="a")
    assert a.name == "a" and a.requires_grad and a.dtype == np.float64
    assert ag.tensor([1, 2], name="labels").name == "labels"
    assert ag.tensor(3.0).name is None


def test_micrograds_label_is_refused_naming_name():
    """The lecture's ``Value(2.0, label='a')`` and ``e = a*b; e.label = 'e'``: a tensor's
    label in drawings is its ``name`` here, and the errors say so (Python's TypeError
    and AttributeError, which code that catches them still gets)."""
    for make in (lambda: ag.Tensor(2.0, label="a"), lambda: ag.tensor(2.0, label="a")):
        with pytest.raises(TypeError, match=r"'label'.*micrograd.*name='a'"):
            make()
        with pytest.raises(ag.UsageError):
            make()
    a = ag.tensor(2.0, requires_grad=True, name="a")
    e = a * 3.0
    with pytest.raises(AttributeError, match=r"'label'.*micrograd.*t\.name = 'e'"):
        e.label = "e"
    with pytest.raises(AttributeError, match=r"'label'.*\.name"):
        e.label
    assert getattr(e, "label", None) is None and not hasattr(e, "label")
    with pytest.raises(TypeError, match="unexpected keyword argument 'lable'"):
        ag.Tensor(2.0, lable="a")


@pytest.mark.parametrize("data", [0, [1, 2], [[0], [3]]])
def test_python_ints_that_require_grad_are_told_to_be_floats(data):
    """micrograd's ``self.b = Value(0)`` written ``ag.tensor(0, requires_grad=True)``:
    int64, as PyTorch's ``tensor(0)``, which cannot require grad (PyTorch refuses it
    too). The error says why and what to write: the numbers as floats."""
    with pytest.raises(ag.DTypeError, match=r"Python ints make an int64 tensor.*as floats "
                                            r"\(0\.0 for 0.*dtype=np\.float64"):
        ag.tensor(data, requires_grad=True)
    assert ag.tensor(np.asarray(data, dtype=float), requires_grad=True).dtype == np.float64
    with pytest.raises(ag.DTypeError, match=r"this tensor is int32"):  # an array's own dtype
        ag.tensor(np.asarray(data, dtype=np.int32), requires_grad=True)
