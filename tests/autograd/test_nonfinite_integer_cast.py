"""Casting a float tensor holding -inf, inf or nan to an integer dtype: PyTorch does it
without a word (T5's relative position bucket function casts ``log(0) = -inf`` on every
call and then discards it with ``torch.where``); NumPy's ``astype`` warned "invalid value
encountered in cast". The finite entries convert as in PyTorch."""

import math
import warnings

import numpy as np

import autograd as ag


def t5_bucket(torch, relative_position, num_buckets=8, max_distance=16):
    """T5's ``_relative_position_bucket`` (bidirectional), as Hugging Face writes it."""
    relative_buckets = 0
    num_buckets //= 2
    relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
    relative_position = torch.abs(relative_position)
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets


def test_nonfinite_to_integer_does_not_warn(torch):
    values = [-math.inf, math.inf, math.nan, 2.7, -3.5]
    for dtype in ("long", "int", "int16"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = ag.tensor(values).to(getattr(ag, dtype))
        want = torch.tensor(values).to(getattr(torch, dtype))
        assert got.dtype == np.dtype(str(want.dtype).removeprefix("torch."))
        np.testing.assert_array_equal(got.numpy()[3:], want.numpy()[3:])


def test_t5_relative_position_bucket_matches_pytorch(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        relative = ag.arange(20)[None, :] - ag.arange(20)[:, None]
        got = t5_bucket(ag, relative)
    want = t5_bucket(torch, torch.arange(20)[None, :] - torch.arange(20)[:, None])
    np.testing.assert_array_equal(got.numpy(), want.numpy())
