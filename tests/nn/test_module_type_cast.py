"""``Module.type(dst_type)``, PyTorch's cast of every parameter and buffer (CS231n's
``model.type(dtype)`` with ``dtype = torch.FloatTensor``), compared with PyTorch."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError, UsageError


def _pair(torch):
    ours = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("spelling", ["FloatTensor", "torch.FloatTensor", "float32"])
def test_type_casts_parameters_and_buffers_as_pytorch(torch, spelling):
    ours, theirs = _pair(torch)
    weight = ours[0].weight
    ours_target = {"FloatTensor": ag.FloatTensor, "float32": ag.float32}.get(spelling, spelling)
    theirs_target = {"FloatTensor": torch.FloatTensor,
                     "float32": torch.float32}.get(spelling, spelling)
    assert ours.type(ours_target) is ours
    theirs.type(theirs_target)
    assert ours[0].weight is weight  # the same Parameter objects (optimizers keep them)
    x = np.random.default_rng(0).standard_normal((4, 2))
    got = ours(ag.tensor(x, dtype=ag.float32))
    want = theirs(torch.tensor(x, dtype=torch.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5)
    for name, tensor in ours.named_parameters():
        assert tensor.dtype == np.float32, name
    assert ours[1].running_mean.dtype == np.float32


def test_type_back_to_double_with_a_legacy_type(torch):
    ours, theirs = _pair(torch)
    ours.type(ag.FloatTensor).type(ag.DoubleTensor)
    theirs.type(torch.FloatTensor).type(torch.DoubleTensor)
    assert ours[0].weight.dtype == np.float64 and theirs[0].weight.dtype == torch.float64


def test_type_refuses_integer_and_gpu_types():
    model = nn.Linear(2, 3, rng=0)
    with pytest.raises(DTypeError, match="float16, float32 or float64"):
        model.type(ag.LongTensor)
    with pytest.raises(UsageError, match="no GPU"):
        model.type("torch.cuda.FloatTensor")
