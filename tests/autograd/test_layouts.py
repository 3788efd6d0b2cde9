"""PyTorch's layouts: ``x.layout`` is ``torch.strided`` for every dense tensor, and the
factory functions take ``layout=`` (NODE's ``process_in_chunks`` writes
``torch.zeros(*shape, dtype=out.dtype, device=out.device, layout=out.layout)``). Every
tensor here is a dense NumPy array, so ``strided`` is the one layout; a sparse one is a
named error."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError


def process_in_chunks(torch, function, *args, batch_size, out=None, **kwargs):
    """NODE's ``lib/utils.py`` helper, as written."""
    total_size = args[0].shape[0]
    first_output = function(*[x[0: batch_size] for x in args])
    output_shape = (total_size,) + tuple(first_output.shape[1:])
    if out is None:
        out = torch.zeros(*output_shape, dtype=first_output.dtype, device=first_output.device,
                          layout=first_output.layout, **kwargs)
    out[0: batch_size] = first_output
    for i in range(batch_size, total_size, batch_size):
        batch_ix = slice(i, min(i + batch_size, total_size))
        out[batch_ix] = function(*[x[batch_ix] for x in args])
    return out


def test_layout_is_strided_and_factories_take_it_as_in_pytorch(torch):
    x = np.random.default_rng(0).normal(size=(7, 3))
    results = []
    for T in (torch, ag):
        t = T.tensor(x)
        assert t.layout == T.strided and t.layout is T.strided
        assert isinstance(T.strided, T.layout) and repr(T.strided).endswith(".strided")
        made = [T.zeros(2, 3, layout=T.strided), T.ones((2,), layout=t.layout),
                T.empty(2, layout=None).zero_(), T.full((2,), 4.0, layout=T.strided),
                T.zeros_like(t, layout=T.strided), T.ones_like(t, layout=t.layout),
                T.empty_like(t, layout=T.strided).zero_(), T.full_like(t, 2.0, layout=None),
                t.new_zeros(2, layout=T.strided), t.new_ones(2, layout=T.strided),
                t.new_full((2,), 3.0, layout=T.strided), t.new_empty(2, layout=T.strided)]
        with T.no_grad():
            out = process_in_chunks(T, lambda a: a * 2, t, batch_size=3)
        results.append([m.numpy() for m in made[:-1]] + [out.numpy()])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_array_equal(ours, theirs)


def test_a_sparse_layout_is_a_named_error():
    assert ag.ones(2).layout != ag.sparse_coo
    with pytest.raises(UnsupportedError, match="zeros.*layout=autograd.sparse_coo.*dense"):
        ag.zeros(2, 2, layout=ag.sparse_coo)
    with pytest.raises(UnsupportedError, match="new_zeros.*sparse_csr"):
        ag.ones(2).new_zeros(2, layout=ag.sparse_csr)
    with pytest.raises(ag.UsageError, match="layout must be.*got 'strided'"):
        ag.zeros(2, layout="strided")
