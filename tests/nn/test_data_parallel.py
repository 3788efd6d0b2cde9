"""``nn.DataParallel(model)``: the CIFAR and ImageNet scripts wrap their network in it
(``net = torch.nn.DataParallel(net)``) and save ``net.state_dict()`` with its ``module.``
prefix, or ``net.module.state_dict()`` without. On a machine without a GPU PyTorch's
forwards to the module itself (``device_ids`` empty); so does ours, the CPU being the only
device here. It was missing."""
import numpy as np
import pytest

import autograd
import nn


def test_data_parallel_wraps_the_module_as_torch_s_on_the_cpu(torch):
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2), device_ids=[0], output_device=0)
    ours = nn.DataParallel(nn.Linear(3, 2), device_ids=[0], output_device=0)
    assert ours.device_ids == theirs.device_ids == []
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["module.weight",
                                                                    "module.bias"]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in
                                                       theirs.named_parameters()]
    out, want = ours(autograd.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    out.backward(autograd.tensor(g))
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.module.weight.grad.numpy(),
                               theirs.module.weight.grad.numpy(), rtol=1e-12)
    assert list(ours.module.state_dict()) == ["weight", "bias"]
    assert nn.parallel.DataParallel is nn.DataParallel


def test_data_parallel_passes_keywords_and_modes_through():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))

        def forward(self, x, scale=1.0):
            return self.body(x) * scale

    inner = Scaled()
    model = nn.DataParallel(inner)
    model.eval()
    assert not inner.training and not inner.body[1].training
    x = autograd.ones(3, 2)
    np.testing.assert_array_equal(model(x, scale=2.0).data, inner(x).data * 2)


def test_distributed_data_parallel_is_a_named_error():
    with pytest.raises(autograd.UnsupportedError, match="one process"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
