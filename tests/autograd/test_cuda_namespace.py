"""``autograd.cuda``: PyTorch's device test, answered for an engine on the CPU, so
``device = 'cuda' if torch.cuda.is_available() else 'cpu'`` (Karpathy's gpt.py, nanoGPT)
is written as it is, and ``torch.cuda.amp`` (``autograd.amp``'s, disabled: tests/autograd/
test_amp.py); anything else under it is a ``MissingNameError`` saying so."""

from __future__ import annotations

import re

import pytest

import autograd as ag


def test_is_available_is_false_and_there_are_no_devices() -> None:
    assert ag.cuda.is_available() is False
    assert ag.cuda.device_count() == 0
    device = 'cuda' if ag.cuda.is_available() else 'cpu'
    assert ag.arange(3, device=device).tolist() == [0, 1, 2]
    assert "cuda" in ag.__all__ and "is_available" in ag.cuda.__all__


@pytest.mark.parametrize("name, hint", [
    ("set_device", "on the CPU"), ("synchronize", "on the CPU"),
    ("is_bf16_supported", "on the CPU")])
def test_anything_else_under_cuda_says_the_engine_runs_on_the_cpu(name: str, hint: str) -> None:
    with pytest.raises(ag.MissingNameError, match=re.escape(hint)) as caught:
        getattr(ag.cuda, name)
    assert f"'autograd.cuda' has no attribute {name!r}" in str(caught.value)
    assert not hasattr(ag.cuda, name)
    with pytest.raises(AttributeError, match="__wrapped__") as plain:  # Python's own look-ups
        ag.cuda.__wrapped__
    assert not isinstance(plain.value, ag.MissingNameError)


def test_cuda_seeding_is_silently_ignored_as_pytorch_s_without_a_gpu(torch) -> None:
    """A ResNet script's ``set_seed``: ``torch.manual_seed(s)``, then
    ``torch.cuda.manual_seed_all(s)``, which PyTorch documents as safe without CUDA
    ("silently ignored"); it was a MissingNameError here. Our draws are unchanged by it."""
    for lib in (ag, torch):
        lib.manual_seed(3)
        assert lib.cuda.manual_seed(3) is None and lib.cuda.manual_seed_all(3) is None
    ag.manual_seed(3)
    want = ag.rand(4).tolist()
    ag.manual_seed(3)
    ag.cuda.manual_seed_all(7)
    assert ag.rand(4).tolist() == want
    assert ag.cuda.__all__ == ["is_available", "device_count", "manual_seed",
                               "manual_seed_all", "empty_cache", "amp"]


def test_a_tensor_is_never_on_cuda() -> None:
    """``if x.is_cuda:`` (PyTorch's property) is False here, as ``x.device`` is 'cpu'."""
    x = ag.ones(2)
    assert x.is_cuda is False and (x * 2).is_cuda is False and x.device == 'cpu'


def test_matmul_precision_runs_as_written() -> None:
    """build-nanogpt's ``torch.set_float32_matmul_precision('high')`` (TF32 on GPUs) runs
    as written (more in ``test_torch_runtime.py``)."""
    try:
        ag.set_float32_matmul_precision('high')
        assert ag.get_float32_matmul_precision() == 'high'
    finally:
        ag.set_float32_matmul_precision('highest')


def test_empty_cache_does_nothing_as_pytorch_s_without_a_gpu(torch) -> None:
    """fast.ai miniai's ``clean_mem()`` ends with ``torch.cuda.empty_cache()``, which
    PyTorch runs as a no-op while CUDA is not initialised (``is_initialized()`` is False,
    always so without a GPU); it was a MissingNameError here."""
    assert torch.cuda.is_initialized() is False and torch.cuda.empty_cache() is None
    x = ag.ones(3)
    assert ag.cuda.empty_cache() is None
    assert x.tolist() == [1.0, 1.0, 1.0] and "empty_cache" in ag.cuda.__all__
