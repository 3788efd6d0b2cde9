"""The classes the engine reads on every op (Tensor, Function and every op) define no
``__getattr__`` or ``__getattribute__``: CPython 3.11 does not specialise attribute reads
on such a class, which made every ``op.parents`` in the backward loop about 3x slower."""
import importlib
import pkgutil

import autograd
import autograd.ops
import nn.functional
from autograd import Tensor
from autograd.function import Function  # the engine's base (extend.Function subclasses it)

for _package in (autograd.ops, nn.functional):  # every module that defines ops
    for _module in pkgutil.iter_modules(_package.__path__, _package.__name__ + "."):
        importlib.import_module(_module.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _overriders(classes: set[type]) -> list[str]:
    return sorted(f"{c.__module__}.{c.__qualname__}" for c in classes for k in c.__mro__
                  if k is not object and ("__getattr__" in vars(k)
                                          or "__getattribute__" in vars(k)))


def test_ops_and_tensors_keep_plain_attribute_reads() -> None:
    ops = _subclasses(Function) | {Function}
    assert len(ops) > 100  # the library's own ops are all loaded
    assert _overriders(ops | {Tensor} | _subclasses(Tensor)) == []


def test_pytorch_saved_names_still_work_without_getattr() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x.exp()
    assert y.grad_fn._saved_self is x
    assert type(Function._saved_self).__name__ == "SavedAttribute"
    assert autograd.graph.saved_attribute(y.grad_fn, "_saved_self") is x
