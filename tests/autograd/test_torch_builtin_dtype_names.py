"""``autograd.float``, ``int`` and ``bool`` are PyTorch's dtypes (float32, int32, bool),
without ``from autograd import *`` replacing Python's own ``float``, ``int``, ``bool``."""

import builtins

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("name, expected", [("float", np.float32), ("int", np.int32),
                                            ("bool", np.bool_)])
def test_torch_builtin_dtype_names_are_torchs_dtypes(name, expected):
    dtype = getattr(ag, name)
    assert dtype is expected
    assert ag.zeros(2, dtype=dtype).dtype == expected
    assert ag.tensor([1, 0], dtype=dtype).dtype == expected
    assert ag.ones(3).to(dtype).dtype == expected
    assert ag.ones(3).type(dtype).dtype == expected


def test_torch_builtin_dtype_names_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("float", "int", "bool"):
        ours = np.dtype(getattr(ag, name))
        assert str(ours) == str(getattr(torch, name)).removeprefix("torch.")


def test_star_import_keeps_pythons_builtins():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    for name in ("float", "int", "bool"):
        assert name not in namespace, name
        assert name not in ag.__all__
    exec("x = float('1.5'); n = int('3'); b = bool(0)", namespace)
    assert (namespace["x"], namespace["n"], namespace["b"]) == (1.5, 3, False)
    assert builtins.float(ag.tensor(2.5)) == 2.5
