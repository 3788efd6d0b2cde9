"""Comparing two runs of one ported program, ours and PyTorch's: the records (losses,
gradients, parameters, state dicts) agree item by item, numbers and arrays to 1e-10,
strings, flags and Nones exactly. Shared by the port tests that record their runs."""

import numpy as np


def assert_same(got, want, where: str = "record") -> None:
    """``got`` (ours) and ``want`` (PyTorch's) agree: dicts key by key in one order,
    lists and tuples item by item, strings, bools and None exactly, the rest to 1e-10."""
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for name in want:
            assert_same(got[name], want[name], f"{where}[{name!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(want, (str, bool)) or want is None:
        assert got == want, where
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=where)


def numpy_of(tensor) -> np.ndarray | None:
    """A copy of a tensor's values (either library's), outside its graph; None (a
    gradient never written) stays None."""
    return None if tensor is None else tensor.detach().numpy().copy()
