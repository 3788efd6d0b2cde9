"""Habits of the LLM ports (mamba-minimal, llama2.c, minGPT, minLoRA) that broke here,
each compared with PyTorch."""

import numpy as np

import autograd as ag


def test_split_takes_pytorchs_keyword_split_size(torch) -> None:
    """mamba-minimal writes ``x.split(split_size=[d, d], dim=1)``: ``Tensor.split``'s
    parameter is ``split_size`` in PyTorch (``torch.split``'s is
    ``split_size_or_sections``)."""
    values = np.arange(12.0).reshape(2, 6)
    ours = ag.tensor(values).split(split_size=[2, 4], dim=1)
    theirs = torch.tensor(values).split(split_size=[2, 4], dim=1)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [p.shape for p in ag.tensor(values).split(split_size=4, dim=-1)] == [(2, 4), (2, 2)]


def test_to_an_integer_dtype_of_a_tensor_requiring_grad_is_a_constant(torch) -> None:
    """llama2.c's export quantizes with ``torch.round(w / scale).to(torch.int8)`` on a
    parameter: PyTorch gives an integer tensor without gradient (as ``long()`` does here);
    ``to`` raised DTypeError."""
    values = np.array([[-1.6, 0.4], [2.5, 126.7]])
    ours, theirs = ag.tensor(values, requires_grad=True), torch.tensor(values,
                                                                       requires_grad=True)
    for name in ("int8", "int64", "uint8", "bool"):
        for cast in (lambda x, lib: lib.round(x).to(getattr(lib, name)),
                     lambda x, lib: x.to(dtype=getattr(lib, name)),
                     lambda x, lib: x.to("cpu", getattr(lib, name))):
            got, want = cast(ours, ag), cast(theirs, torch)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            assert got.dtype == np.dtype(name) and not got.requires_grad
            assert got.grad_fn is None and want.grad_fn is None
    assert ours.to(ag.float32).requires_grad  # a float cast still carries the gradient


def test_byte_char_and_short_as_pytorch(torch) -> None:
    """PyTorch's ``byte()``, ``char()`` and ``short()``: uint8, int8, int16 constants."""
    values = np.array([-1.6, 0.4, 2.5, 100.7])
    ours, theirs = ag.tensor(values, requires_grad=True), torch.tensor(values,
                                                                       requires_grad=True)
    for name, dtype in (("byte", np.uint8), ("char", np.int8), ("short", np.int16)):
        got = getattr(ours, name)()
        np.testing.assert_array_equal(got.numpy(), getattr(theirs, name)().numpy())
        assert got.dtype == dtype and not got.requires_grad
    small = ag.tensor(np.array([1, 2], dtype=np.int16))
    assert small.short() is small  # already int16: itself, as PyTorch


def test_complex_rotary_embeddings_name_the_real_formula() -> None:
    """Meta's llama ``apply_rotary_emb`` multiplies by ``torch.polar(ones, freqs)`` after
    ``torch.view_as_complex``: there are no complex tensors here, so the error names
    llama2.c's real-number rotation instead of "autograd.__all__ lists what it has"."""
    import pytest
    from autograd.errors import MissingNameError

    for name in ("polar", "view_as_complex", "view_as_real", "complex64", "cfloat"):
        with pytest.raises(MissingNameError, match=r"no complex tensors.*x_r \* cos - x_i "
                                                   r"\* sin"):
            getattr(ag, name)


def test_torch_distributed_is_named() -> None:
    """llama2.c's ``rank = dist.get_rank() if dist.is_initialized() else 0``."""
    import pytest
    from autograd.errors import MissingNameError

    with pytest.raises(MissingNameError, match=r"one process.*rank = 0"):
        ag.distributed
