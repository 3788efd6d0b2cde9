"""``autograd.device``: PyTorch's ``torch.device`` (word_language_model's and
time_sequence_prediction's ``device = torch.device("cuda" if args.cuda else "cpu")``).
The CPU is the only device to compute on; a GPU's device may be named, and using it is
the ``UsageError`` of ``x.to('cuda')``, as PyTorch fails at use without a GPU."""

import numpy as np
import pytest

import autograd as ag
import nn


@pytest.mark.parametrize("args, name, kind, index", [
    (("cpu",), "cpu", "cpu", None), (("cpu", 0), "cpu:0", "cpu", 0),
    (("cuda:1",), "cuda:1", "cuda", 1), (("cuda", 2), "cuda:2", "cuda", 2),
    (("mps",), "mps", "mps", None)])
def test_a_device_has_torchs_type_index_and_name(args, name, kind, index):
    d = ag.device(*args)
    assert (str(d), d.type, d.index) == (name, kind, index)
    assert repr(d) == (f"device(type='{kind}')" if index is None
                       else f"device(type='{kind}', index={index})")
    assert ag.device(d) == d and hash(d) == hash(ag.device(name))


def test_the_cpu_device_is_where_tensors_and_modules_are():
    device = ag.device("cuda" if ag.cuda.is_available() else "cpu")
    x = ag.zeros(2, 3, device=device)
    assert x.to(device) is x and x.device == device and device == "cpu"
    assert ag.tensor([1.0], device=device).device == "cpu"
    model = nn.Linear(2, 1).to(device)
    assert model(ag.ones(1, 2).to(device)).shape == (1, 1)


def test_computing_on_a_gpu_device_is_a_usage_error():
    device = ag.device("cuda")
    with pytest.raises(ag.UsageError, match="no 'cuda' device"):
        ag.zeros(2).to(device)
    with pytest.raises(ag.UsageError, match="no 'cuda' device"):
        ag.zeros(2, device=device)
    with pytest.raises(ag.UsageError):
        nn.Linear(2, 1).to(device)


@pytest.mark.parametrize("args", [("gpu",), ("cuda:x",), ("cpu:0", 1), ("cpu", -1),
                                  (0,), ("cpu", "0")])
def test_a_bad_device_is_a_usage_error(args):
    with pytest.raises(ag.UsageError, match="device"):
        ag.device(*args)


def test_as_torchs(torch):
    for spec in ["cpu", "cpu:0", "cuda:1", "mps"]:
        theirs, ours = torch.device(spec), ag.device(spec)
        assert (str(ours), ours.type, ours.index, repr(ours)) == (
            str(theirs), theirs.type, theirs.index, repr(theirs))
    assert np.array_equal(ag.zeros(2, device=torch.device("cpu")).numpy(), np.zeros(2))
