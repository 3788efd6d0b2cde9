"""``nn.LazyConv1d/2d/3d`` and ``nn.LazyBatchNorm1d/2d/3d``, PyTorch's (they were missing;
d2l.ai's convolutional chapters build every network with them): the channels come from the
first input or the first state dict, the module then becomes the eager class, keeping
its parameter objects; checked against PyTorch."""

import numpy as np
import pytest

import autograd as ag
import nn


def _d2l_block(lib):
    """d2l's DenseNet ``conv_block`` and ``transition_block`` pieces."""
    return lib.Sequential(lib.LazyConv2d(6, kernel_size=3, padding=1, groups=2),
                          lib.LazyBatchNorm2d(), lib.ReLU(), lib.LazyConv2d(4, kernel_size=1),
                          lib.Flatten(), lib.LazyLinear(3))


def test_lazy_layers_take_the_channels_of_the_first_input_as_torch(torch):
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 5))
    ours, theirs = _d2l_block(nn), _d2l_block(torch.nn)
    assert repr(ours) == repr(theirs)  # LazyConv2d(0, 6, kernel_size=(3, 3), ...)
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    before = [id(p) for p in ours.parameters()]
    ours(ag.tensor(x)), theirs(torch.tensor(x))
    assert repr(ours) == repr(theirs)  # Conv2d(4, 6, ...), BatchNorm2d(6, ...)
    assert [type(m) for m in ours][:2] == [nn.Conv2d, nn.BatchNorm2d]
    assert [id(p) for p in ours.parameters()] == before
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    ours.train(), theirs.train()
    got, want = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-10,
                                   err_msg=key)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_unbatched_inputs_and_state_dicts_materialize_as_torch(torch, dims):
    conv = {1: nn.LazyConv1d, 2: nn.LazyConv2d, 3: nn.LazyConv3d}[dims](4, 3, padding=1)
    assert conv(ag.ones(*(2,) + (4,) * dims)).shape == (4,) + (4,) * dims  # (C, *spatial)
    assert type(conv).__name__ == f"Conv{dims}d" and conv.in_channels == 2
    norm = {1: nn.LazyBatchNorm1d, 2: nn.LazyBatchNorm2d, 3: nn.LazyBatchNorm3d}[dims]()
    source = {1: torch.nn.BatchNorm1d, 2: torch.nn.BatchNorm2d, 3: torch.nn.BatchNorm3d}[dims](5)
    norm.load_state_dict({k: ag.tensor(v.numpy()) for k, v in source.state_dict().items()})
    assert norm.num_features == 5 and type(norm).__name__ == f"BatchNorm{dims}d"
    assert repr(norm) == repr(source)


def test_wrong_inputs_are_named_errors(torch):
    with pytest.raises(ag.ShapeError, match="expected 3-d .unbatched. or 4-d"):
        nn.LazyConv2d(4, 3)(ag.ones(2, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(ag.ones(1, 3, 5, 5))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        torch.nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 3, 5, 5))
