"""The Tensor methods take PyTorch's keyword names (``x.mm(mat2=m)``, ``x.permute(dims=...)``,
``x.new_zeros(size=...)``, ``x.uniform_(**{"from": 0, "to": 1})``...), as the module-level
functions do (``test_torch_keyword_names_s34``): a sweep of every method torch.Tensor
shares with ours against torch's schema, and calls by keyword compared with torch's."""

from __future__ import annotations

import inspect
import keyword

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError

# torch's keyword -> why our method of that name does not take it (yet)
NOT_RENAMED = {
    ("copy_", "other"): "torch's TorchScript-only copy_.Tensor/.int/.float overloads",
    ("to", "other"): "to(other) by position is taken (autograd/dtype_device_methods.py, "
                     "outside this change)",
    ("expand", "implicit"): "a TorchScript-internal flag, not in torch's documented signature",
    ("is_pinned", "device"): "no pinned memory here (autograd/tensor_layout.py, outside this "
                             "change)",
    ("resize_as_", "the_template"): "autograd/tensor_layout.py, outside this change "
                                    "(tensor= is taken)",
    ("tensor_split", "tensor_indices_or_sections"): "autograd/tensor_split.py, outside this "
                                                    "change (indices_or_sections= is taken)",
    ("dim_order", "ambiguity_check"): "autograd/tensor_layout.py, outside this change",
}
# options torch has that are no renaming (memory layout, pinned memory, output dtype)
UNSUPPORTED_OPTIONS = {"layout", "pin_memory", "memory_format", "out_dtype"}


def _torch_keyword_names(torch, name: str) -> list[str] | None:
    """torch.Tensor.NAME's keyword names (self left out) over its overloads, out-variant
    arguments and TorchScript-only overloads left out; ``None`` where none are known."""
    try:
        parameters = list(inspect.signature(getattr(torch.Tensor, name)).parameters.values())
        return [p.name for p in parameters[1:]
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    except (TypeError, ValueError):
        pass
    names: list[str] = []
    for schema in torch._C._jit_get_schemas_for_operator("aten::" + name):
        arguments = [a.name for a in schema.arguments]
        if not arguments or arguments[0] != "self":
            continue
        jit_only = {"a", "b", "l", "n"} & set(arguments) or "reverse" in arguments
        if jit_only or any(a.is_out for a in schema.arguments):
            continue
        names += [n for n in arguments[1:] if n not in names]
    return names or None


def _our_keyword_names(method) -> set[str] | None:
    """The keywords our method takes (its parameters and ``keyword_aliases``' names);
    ``None`` where it takes any (``**kwargs``)."""
    parameters = inspect.signature(method).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names | set(getattr(method, "aliases", {}))


def _shared_methods(torch) -> list[str]:
    return sorted(name for name in set(dir(torch.Tensor)) & set(dir(ag.Tensor))
                  if not name.startswith("_")
                  and not isinstance(inspect.getattr_static(ag.Tensor, name), property)
                  and callable(getattr(ag.Tensor, name)))


def test_every_shared_method_takes_torch_keyword_names(torch):
    refused = {}
    for name in _shared_methods(torch):
        torch_names = _torch_keyword_names(torch, name)
        ours = _our_keyword_names(getattr(ag.Tensor, name))
        if torch_names is None or ours is None:
            continue
        missing = [n for n in torch_names
                   if n not in ours | UNSUPPORTED_OPTIONS and (name, n) not in NOT_RENAMED]
        if missing:
            refused[name] = missing
    assert refused == {}


def test_the_sweep_sees_the_methods_it_should(torch):
    """The sweep is not empty-handed: these methods are in it, with these torch names."""
    names = _shared_methods(torch)
    assert {"mm", "bmm", "permute", "new_zeros", "uniform_", "index_put", "max"} <= set(names)
    assert "mat2" in _torch_keyword_names(torch, "mm")
    assert "from" in _torch_keyword_names(torch, "uniform_")
    assert "max_values" not in _torch_keyword_names(torch, "max")  # an out-variant's


def test_python_keywords_are_taken_through_their_aliases():
    """``from`` cannot be a parameter name: ``from_`` is, and ``from=`` an alias of it."""
    for name in ("uniform_", "random_"):
        method = getattr(ag.Tensor, name)
        assert keyword.iskeyword("from") and method.aliases["from"] == "from_"


def _sample(shape=(2, 3), seed=0):
    return np.random.default_rng(seed).uniform(0.2, 0.9, shape)


def _cases(t):
    x, y = _sample(), _sample(seed=1)
    m, v = _sample((3, 3), seed=2), _sample((3,), seed=3)
    b = _sample((2, 3, 3), seed=4)
    index = np.array([[0, 2, 1], [1, 0, 0]])
    return [
        (x, "addcmul", dict(tensor1=x, tensor2=y, value=0.5)),
        (x, "addcdiv", dict(tensor1=x, tensor2=y, value=0.5)),
        (x, "addcmul_", dict(tensor1=x, tensor2=y, value=0.5)),
        (x, "addcdiv_", dict(tensor1=x, tensor2=y, value=0.5)),
        (x, "permute", dict(dims=(1, 0))),
        (m, "mm", dict(mat2=m)),
        (b, "bmm", dict(mat2=b)),
        (v, "dot", dict(tensor=v)),
        (v, "outer", dict(vec2=v)),
        (v, "expand", dict(size=(2, 3))),
        (v, "broadcast_to", dict(size=(2, 3))),
        (x, "gather", dict(dim=1, index=index, sparse_grad=False)),
        (x.astype(np.float32), "norm", dict(p=2, dim=1, dtype=t.float64)),
        (v, "index_put", dict(indices=(np.array([0, 2]),), values=np.array([5.0, 6.0]))),
        (v, "index_put_", dict(indices=(np.array([0, 2]),), values=np.array([5.0, 6.0]))),
        (x, "swapaxes", dict(axis0=0, axis1=1)),
        (x, "swapaxes_", dict(axis0=0, axis1=1)),
        (x, "max", dict(other=y)),
        (x, "min", dict(other=y)),
        (x, "repeat", dict(repeats=(2, 1))),
        (x, "sum_to_size", dict(size=(1, 3))),
        (b, "hsplit", dict(sections=3)),
        (b, "vsplit", dict(indices=[1])),
        (b, "dsplit", dict(sections=1)),
    ]


def _as(library, value):
    if isinstance(value, np.ndarray):
        return library.tensor(value)
    if isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
        return tuple(library.tensor(v) for v in value)
    return value


def _assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
        return
    expected = theirs.detach().numpy()
    assert tuple(ours.shape) == tuple(expected.shape)
    assert np.dtype(ours.dtype) == expected.dtype
    np.testing.assert_allclose(np.asarray(ours, dtype=float), expected.astype(float),
                               rtol=1e-12, atol=1e-12)


def test_torch_keyword_names_give_torch_results(torch):
    for data, name, kwargs in _cases(torch):
        theirs = getattr(torch.tensor(data), name)(**{k: _as(torch, v) for k, v in kwargs.items()})
        ours_kwargs = {k: (ag.float64 if v is torch.float64 else _as(ag, v))
                       for k, v in kwargs.items()}
        ours = getattr(ag.tensor(data), name)(**ours_kwargs)
        try:
            _assert_same(ours, theirs)
        except AssertionError as error:
            raise AssertionError(f"x.{name}(**{list(kwargs)})") from error


def test_size_keywords_of_new_and_resize_methods_and_copy_non_blocking(torch):
    x = ag.tensor(_sample())
    for name in ("new_zeros", "new_ones", "new_empty"):
        made = getattr(x, name)(size=(2, 4))
        expected = getattr(torch.tensor(_sample()), name)(size=(2, 4))
        assert made.shape == tuple(expected.shape) and made.dtype == np.float64
    np.testing.assert_array_equal(x.new_ones(size=(2,)).numpy(), np.ones(2))
    assert x.clone().resize_(size=(3, 2)).shape == (3, 2)
    y = _sample(seed=1)
    np.testing.assert_array_equal(x.clone().copy_(ag.tensor(y), non_blocking=False).numpy(),
                                  torch.tensor(_sample()).copy_(torch.tensor(y),
                                                                non_blocking=False).numpy())


def test_random_fills_take_from_and_to(torch):
    x = ag.zeros(2000)
    x.uniform_(**{"from": 2.0, "to": 3.0}, generator=np.random.default_rng(0))
    assert 2.0 <= x.numpy().min() and x.numpy().max() < 3.0
    x.random_(**{"from": 3, "to": 5}, generator=np.random.default_rng(0))
    assert set(np.unique(x.numpy())) == {3.0, 4.0}
    assert ag.zeros(3).uniform_(a=1.0, b=1.0).tolist() == [1.0] * 3  # the earlier names


def test_numpy_names_of_swapaxes_and_broadcast_to_still_work():
    """np.swapaxes(t, axis1=, axis2=) and np.broadcast_to(t, shape=) call these methods."""
    x, v = ag.tensor(_sample()), ag.tensor(_sample((3,)))
    np.testing.assert_array_equal(np.swapaxes(x, axis1=0, axis2=1).numpy(), x.numpy().T)
    np.testing.assert_array_equal(x.swapaxes(0, axis2=1).numpy(), x.numpy().T)
    assert np.broadcast_to(v, shape=(2, 3)).shape == (2, 3)
    assert v.broadcast_to(shape=(2, -1)).shape == (2, 3)


def test_one_argument_given_two_ways_is_a_usage_error():
    x, v = ag.tensor(_sample()), ag.tensor(_sample((3,)))
    calls = [
        lambda: x.addcmul(x, x, tensor1=x),
        lambda: x.addcdiv_(x, tensor2=x, tensor1=x),
        lambda: x.permute(1, 0, dims=(1, 0)),
        lambda: v.expand(2, 3, size=(2, 3)),
        lambda: x.new_zeros(2, size=(2,)),
        lambda: x.sum_to_size(1, 3, size=(1, 3)),
        lambda: x.swapaxes(0, 1, axis2=0),
        lambda: v.broadcast_to((2, 3), shape=(2, 3)),
        lambda: x.max(1, other=x),
        lambda: x.min(dim=0, other=x),
        lambda: x.uniform_(a=0.0, **{"from": 0.0}),
    ]
    for call in calls:
        with pytest.raises(UsageError):
            call()
