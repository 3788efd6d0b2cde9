"""PyTorch's device spellings on a module: ``cpu()`` and ``to(..., non_blocking=)`` are
self (everything lives in host memory); ``cuda()`` is a named error."""

import numpy as np
import pytest

import nn
from autograd.errors import UnsupportedError, UsageError


def test_cpu_and_non_blocking_to_return_the_module_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    assert ours.cpu() is ours and theirs.cpu() is theirs
    assert ours.to("cpu", non_blocking=True) is ours
    assert theirs.to("cpu", non_blocking=True) is theirs
    assert ours.to(device="cpu", dtype=np.float32, non_blocking=True).weight.dtype == np.float32
    theirs.to(device="cpu", dtype=torch.float32, non_blocking=True)
    assert theirs.weight.dtype == torch.float32


def test_cuda_is_a_named_error():
    with pytest.raises(UsageError, match="NumPy on the CPU"):
        nn.Sequential(nn.Linear(1, 1)).cuda()


def test_share_memory_is_a_named_error_saying_to_train_in_one_process():
    """pytorch/examples' mnist_hogwild: ``model.share_memory()`` then ``mp.Process(target=
    train, args=(rank, args, model, ...))``. Parameters here are NumPy arrays private to
    this process, so a child would train its own copy and leave this model unchanged: a
    no-op would be silently wrong. PyTorch's returns the module."""
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(2, 2)
    assert theirs.share_memory() is theirs and theirs.weight.is_shared()
    with pytest.raises(UnsupportedError, match="one process") as caught:
        nn.Sequential(nn.Linear(1, 1)).share_memory()
    assert isinstance(caught.value, NotImplementedError)
    with pytest.raises(UnsupportedError, match="one process"):
        nn.Linear(1, 1).weight.share_memory_()


def test_torch_multiprocessing_is_a_missing_name_saying_to_train_in_one_process():
    import autograd
    with pytest.raises(autograd.MissingNameError, match="one process"):
        autograd.multiprocessing


def test_to_takes_memory_format_as_torch(torch):
    """``model.to(memory_format=torch.contiguous_format)`` (a reference script's
    ``--channels-last`` switch off) was a TypeError; channels-last is refused as on a
    tensor, saying to drop the argument."""
    import autograd
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    for lib, model in ((autograd, ours), (torch, theirs)):
        assert model.to(memory_format=lib.contiguous_format) is model
        assert model.to("cpu", memory_format=lib.preserve_format) is model
    with pytest.raises(UsageError, match="channels_last.*Drop memory_format"):
        ours.to(memory_format=autograd.channels_last)


@pytest.mark.parametrize("name", ["meta", "xpu", "cuda:1", "hpu"])
def test_to_any_pytorch_device_name_is_the_usage_error(name):
    """PyTorch's model ensembling tutorial writes ``base_model.to('meta')`` (a skeleton for
    ``functional_call``): every device name PyTorch knows gives the refusal that
    ``to('cuda')`` gives, not NumPy's "data type 'meta' not understood" (a TypeError)."""
    with pytest.raises(UsageError, match="NumPy on the CPU"):
        nn.Linear(2, 2).to(name)


def test_to_meta_says_a_cpu_copy_serves_functional_call():
    with pytest.raises(UsageError, match="functional_call"):
        nn.Linear(2, 2).to("meta")
