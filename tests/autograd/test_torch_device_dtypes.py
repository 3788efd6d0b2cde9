"""PyTorch's ``device=`` on the creation functions (the CPU only) and PyTorch's dtype
names (``autograd.long`` is ``np.int64``), against PyTorch."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

# (name, call): the call takes the library and the device, and makes a tensor.
CREATORS: list[tuple[str, Callable[..., Any]]] = [
    ("zeros", lambda lib, d: lib.zeros(2, 3, device=d)),
    ("ones", lambda lib, d: lib.ones((2,), device=d)),
    ("full", lambda lib, d: lib.full((2,), 1.5, device=d)),
    ("zeros_like", lambda lib, d: lib.zeros_like(lib.ones(2), device=d)),
    ("ones_like", lambda lib, d: lib.ones_like(lib.ones(2), device=d)),
    ("full_like", lambda lib, d: lib.full_like(lib.ones(2), 3.0, device=d)),
    ("eye", lambda lib, d: lib.eye(3, device=d)),
    ("arange", lambda lib, d: lib.arange(5, device=d)),
    ("linspace", lambda lib, d: lib.linspace(0, 1, 5, device=d)),
    ("tensor", lambda lib, d: lib.tensor([1.0, 2.0], device=d)),
    ("rand", lambda lib, d: lib.rand(2, device=d)),
    ("randn", lambda lib, d: lib.randn(2, device=d)),
    ("rand_like", lambda lib, d: lib.rand_like(lib.ones(2), device=d)),
    ("randn_like", lambda lib, d: lib.randn_like(lib.ones(2), device=d)),
    ("randint", lambda lib, d: lib.randint(0, 5, (3,), device=d)),
    ("randint_like", lambda lib, d: lib.randint_like(lib.ones(2), 5, device=d)),
    ("randperm", lambda lib, d: lib.randperm(4, device=d)),
]
NAMES = [c[0] for c in CREATORS]


@pytest.mark.parametrize("name, call", CREATORS, ids=NAMES)
@pytest.mark.parametrize("device", [None, "cpu", "cpu:0"])
def test_the_cpu_is_accepted_and_changes_nothing(name: str, call: Callable,
                                                 device: Any) -> None:
    made = call(ag, device)
    assert made.device == "cpu" and made.shape == call(ag, None).shape


@pytest.mark.parametrize("name, call", CREATORS, ids=NAMES)
def test_shapes_and_dtypes_are_pytorch_s_on_its_cpu_device(name: str, call: Callable) -> None:
    torch = pytest.importorskip("torch")
    mine, theirs = call(ag, torch.device("cpu")), call(torch, torch.device("cpu"))
    assert mine.shape == tuple(theirs.shape)
    if not theirs.is_floating_point():  # numbers give float64 here, float32 there
        assert mine.dtype == theirs.numpy().dtype


@pytest.mark.parametrize("name, call", CREATORS, ids=NAMES)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", 0])
def test_another_device_is_a_usage_error_naming_it(name: str, call: Callable,
                                                   device: Any) -> None:
    with pytest.raises(UsageError, match=rf"{name}\(device=...\): there is no '{device}' "
                                         rf"device \(no GPU\).*NumPy on the CPU"):
        call(ag, device)


def test_a_torch_cuda_device_is_refused_too() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(UsageError, match="'cuda:0' device"):
        ag.zeros(2, device=torch.device("cuda", 0))


def test_to_keeps_its_wording() -> None:
    with pytest.raises(UsageError, match=r"to\('mps'\): there is no 'mps' device"):
        ag.ones(2).to("mps")


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "half", "double", "int8",
                                  "int16", "int32", "int64", "short", "long", "uint8"])
def test_dtype_names_are_pytorch_s(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours = ag.zeros(2, dtype=getattr(ag, name))
    assert ours.dtype == torch.zeros(2, dtype=getattr(torch, name)).numpy().dtype
    assert ag.ones(2).to(getattr(ag, name)).dtype == ours.dtype
    assert name in ag.__all__ and name in ag.dtypes.__all__


def test_builtin_names_are_not_shadowed_by_a_star_import() -> None:
    namespace: dict[str, Any] = {}
    exec("from autograd import *", namespace)
    for builtin in ("float", "int", "bool"):
        assert builtin not in namespace
    assert np.dtype(namespace["long"]) == np.int64
