"""Comparing two runs of one ported program, ours and PyTorch's: the records (losses,
gradients, parameters, state dicts) agree item by item, numbers and arrays to 1e-10,
strings, flags and Nones exactly. Shared by the port tests that record their runs."""

import numpy as np


def assert_same(got, want, where: str = "record") -> None:
    """``got`` (ours) and ``want`` (PyTorch's) agree: dicts key by key in one order,
    lists and tuples item by item, strings, bools and None exactly, the rest to 1e-10
    (of the array's largest entry, ``scaled_atol``)."""
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
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=scaled_atol(want),
                                   err_msg=where)


def scaled_atol(want, rtol: float = 1e-10, floor: float = 1e-12) -> float:
    """The absolute tolerance for an array of records: ``rtol`` times its largest entry.
    An entry's rounding error follows the size of the terms that made it, not its own:
    a gradient entry of 3e-3 beside entries of 1 differs by 1e-12 between two CPUs'
    vector kernels (AVX-512 or not), which is 5e-10 of itself."""
    values = np.abs(np.asarray(want, dtype=float))
    finite = values[np.isfinite(values)]
    return max(floor, rtol * float(finite.max())) if finite.size else floor


def numpy_of(tensor) -> np.ndarray | None:
    """A copy of a tensor's values (either library's), outside its graph; None (a
    gradient never written) stays None."""
    return None if tensor is None else tensor.detach().numpy().copy()
