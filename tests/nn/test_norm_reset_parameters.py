"""reset_parameters() of BatchNorm1d, LayerNorm and PReLU, as PyTorch's: the loop
``for m in model.modules(): if hasattr(m, "reset_parameters"): m.reset_parameters()``
that re-initialises a model must reset them too."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError


def _scramble(module, rng):
    for tensor in list(module.parameters()) + [b for b in module.buffers() if b is not None]:
        tensor.data[...] = rng.integers(1, 9, size=tensor.shape)


@pytest.mark.parametrize("build", [
    lambda m: m.BatchNorm1d(3), lambda m: m.BatchNorm1d(3, affine=False),
    lambda m: m.BatchNorm1d(3, track_running_stats=False), lambda m: m.LayerNorm((2, 3)),
    lambda m: m.LayerNorm(3, bias=False), lambda m: m.LayerNorm(3, elementwise_affine=False),
    lambda m: m.PReLU(), lambda m: m.PReLU(3, init=0.1)])
def test_reset_parameters_restores_torch_state(build):
    torch = pytest.importorskip("torch")
    ours, theirs = build(nn), build(torch.nn).double()
    _scramble(ours, np.random.default_rng(0))
    with torch.no_grad():
        for tensor in list(theirs.parameters()) + list(theirs.buffers()):
            tensor.fill_(5)
    ours.reset_parameters()
    theirs.reset_parameters()
    expected = {key: value.numpy() for key, value in theirs.state_dict().items()}
    got = ours.state_dict()
    assert got.keys() == expected.keys()
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)


def test_the_reinitialising_loop_reaches_every_layer():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.PReLU(4),
                          nn.LayerNorm(4))
    fresh = {key: value.copy() for key, value in model.state_dict().items()}
    _scramble(model, np.random.default_rng(1))
    model(Tensor(np.ones((2, 3))))
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    for key in ("1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "2.weight", "3.weight", "3.bias"):
        np.testing.assert_array_equal(model.state_dict()[key], fresh[key], err_msg=key)


def test_reset_is_a_write_that_a_saved_graph_notices():
    norm = nn.LayerNorm(3)  # the input's gradient reads the weight (the weight's own reads
    # only the normalised input: a graph that wants that alone needs no old weight and runs)
    y = norm(Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)).sum()
    norm.reset_parameters()
    with pytest.raises(AutogradError, match="in place|modified|changed"):
        y.backward()
