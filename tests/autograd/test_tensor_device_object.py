"""``x.device`` is a ``device`` (PyTorch's ``torch.device``), not only its name:
rtdl_num_embeddings' ``compute_bins`` asks ``if X.device.type != 'cpu' or
y.device.type != 'cpu'``, and code written for GPUs reads ``x.device.type == "cuda"`` and
``x.device.index``. It still equals (and hashes as) the string "cpu"."""

import numpy as np

import autograd as ag
import nn


def test_tensor_device_has_type_and_index_as_in_pytorch(torch):
    for T in (torch, ag):
        x = T.tensor(np.ones((2, 3)))
        assert x.device.type == "cpu" and x.device.index is None
        assert isinstance(x.device, T.device) and x.device == T.device("cpu")
        assert str(x.device) == "cpu" and (x * 2).device.type == "cpu"
        made = T.zeros(2, device=x.device)  # a device passed on, as written
        assert made.device == x.device


def test_tensor_device_still_equals_its_name():
    x = ag.zeros(2)
    assert x.device == "cpu" and {"cpu": 1}[x.device] == 1 and f"{x.device}" == "cpu"
    assert nn.Parameter(ag.ones(1)).device.type == "cpu"


def test_a_generators_device_is_the_device_object_too(torch) -> None:
    """``g.device.type`` (PyTorch code choosing where to draw) read a str's attribute."""
    ours, theirs = ag.Generator(), torch.Generator()
    assert ours.device == "cpu" and ours.device.type == theirs.device.type == "cpu"
    assert repr(ours.device) == repr(theirs.device)
