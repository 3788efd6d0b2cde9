"""PyTorch's per-module ``_load_from_state_dict`` override, as torchvision's and DETR's
``FrozenBatchNorm2d`` writes it (drop ``num_batches_tracked`` from a BatchNorm2d's state
dict, then ``super()._load_from_state_dict(...)``) and as old checkpoints are upgraded
(rename keys under ``prefix``): ``load_state_dict`` calls it on each module before loading,
as PyTorch does; compared with torch."""

import numpy as np
import pytest

import autograd as ag
import nn


def frozen_batch_norm_class(T, lib):
    class FrozenBatchNorm2d(lib.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("weight", T.ones(n))
            self.register_buffer("bias", T.zeros(n))
            self.register_buffer("running_mean", T.zeros(n))
            self.register_buffer("running_var", T.ones(n))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                  missing_keys, unexpected_keys, error_msgs):
            num_batches_tracked_key = prefix + "num_batches_tracked"
            if num_batches_tracked_key in state_dict:
                del state_dict[num_batches_tracked_key]
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)

        def forward(self, x):
            w = self.weight.reshape(1, -1, 1, 1)
            b = self.bias.reshape(1, -1, 1, 1)
            rv = self.running_var.reshape(1, -1, 1, 1)
            rm = self.running_mean.reshape(1, -1, 1, 1)
            scale = w * (rv + 1e-5).rsqrt()
            return x * scale + (b - rm * scale)
    return FrozenBatchNorm2d


def test_frozen_batch_norm_loads_a_batch_norm_state_dict(torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    outputs = []
    for T, lib in ((ag, nn), (torch, torch.nn)):
        source = lib.Sequential(lib.Conv2d(3, 3, 1), lib.BatchNorm2d(3))
        with T.no_grad():
            source[0].weight.copy_(T.tensor(np.eye(3).reshape(3, 3, 1, 1)))
            source[0].bias.copy_(T.tensor([0.5, -0.5, 0.25]))
            source[1].running_mean.copy_(T.tensor([0.1, 0.2, 0.3]))
            source[1].running_var.copy_(T.tensor([1.5, 2.0, 0.5]))
            source[1].weight.copy_(T.tensor([1.0, 2.0, 3.0]))
        target = lib.Sequential(lib.Conv2d(3, 3, 1), frozen_batch_norm_class(T, lib)(3))
        state = source.state_dict()
        assert "1.num_batches_tracked" in state
        target.load_state_dict(state)  # strict: the override removed the extra key
        assert "1.num_batches_tracked" in state  # the caller's dict is left as it was
        source.eval()
        np.testing.assert_allclose(target(T.tensor(x)).detach().numpy(),
                                   source(T.tensor(x)).detach().numpy(), rtol=1e-12)
        outputs.append(target(T.tensor(x)).detach().numpy())
    np.testing.assert_allclose(*outputs, rtol=1e-12)


class OldNames(nn.Module):
    """A layer whose checkpoints of an old version saved ``gamma``; now ``weight``."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(ag.zeros(2))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        if prefix + "gamma" in state_dict:
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "gamma")
        if prefix + "broken" in state_dict:
            error_msgs.append(f"{prefix}broken: cannot be read")
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)


def test_override_renames_keys_under_its_prefix_and_reports_errors():
    model = nn.Sequential(nn.Linear(2, 2), OldNames())
    state = {k: v for k, v in model.state_dict().items() if k != "1.weight"}
    state["1.gamma"] = np.array([1.0, 2.0])
    model.load_state_dict(state)
    assert np.array_equal(model[1].weight.detach().numpy(), [1.0, 2.0])
    with pytest.raises(nn.StateDictError, match="1.broken: cannot be read"):
        model.load_state_dict({**model.state_dict(), "1.broken": np.zeros(1)})


@pytest.mark.parametrize("strict", [True, False])
def test_batch_norm_loads_a_state_dict_without_num_batches_tracked(torch, strict):
    """PyTorch 0.3's checkpoints (torchvision's DenseNet loader renames their keys) and
    dicts rebuilt key by key have no ``num_batches_tracked``: the module keeps its count,
    as PyTorch's (it was a missing key here)."""
    results = []
    for T, lib in ((ag, nn), (torch, torch.nn)):
        model = lib.Sequential(lib.Conv2d(2, 3, 1), lib.BatchNorm2d(3),
                               lib.BatchNorm2d(3, track_running_stats=False))
        model(T.ones(2, 2, 2, 2) * T.arange(2.0).reshape(2, 1, 1, 1))  # counts one batch
        state = {k: T.tensor(np.full(tuple(v.shape), 0.5)) for k, v in model.state_dict().items()
                 if not k.endswith("num_batches_tracked")}
        result = model.load_state_dict(state, strict=strict)
        assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
        assert "1.num_batches_tracked" not in state  # the caller's dict is left as it was
        results.append({k: v.numpy().copy() for k, v in model.state_dict().items()})
    assert list(results[0]) == list(results[1])
    for key in results[0]:
        np.testing.assert_array_equal(results[0][key], results[1][key], err_msg=key)
    assert results[0]["1.num_batches_tracked"] == 1
