"""PyTorch's Module spellings compared with torch on the same model: state_dict's
destination / prefix / keep_vars, non-persistent buffers, ParameterList/ParameterDict,
Unflatten, parameters_to_vector / vector_to_parameters, orthogonal_ and trunc_normal_."""

import numpy as np
import pytest

import nn
from nn.errors import ArgumentTypeError
from nn.module import Parameter


def _pair():
    """The same Linear + BatchNorm1d model in nn and in torch."""
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    return ours, theirs


# ---------------------------------------------------------------- state_dict arguments
def test_state_dict_prefix_and_destination_as_torch():
    ours, theirs = _pair()
    mine, torch_dest = {"kept": 1}, {"kept": 1}
    assert ours.state_dict(destination=mine, prefix="model.") is mine
    theirs.state_dict(destination=torch_dest, prefix="model.")
    assert list(mine) == list(torch_dest)
    assert list(ours.state_dict(None, "m")) == list(theirs.state_dict(prefix="m"))


def test_state_dict_default_is_copies_and_keep_vars_gives_the_objects():
    ours, theirs = _pair()
    copies = ours.state_dict()
    assert isinstance(copies["0.weight"], np.ndarray) and not isinstance(
        copies["0.weight"], Parameter)
    copies["0.weight"][...] = 7.0  # a copy: the model is unchanged
    assert not np.any(ours[0].weight.data == 7.0)
    kept = ours.state_dict(keep_vars=True)
    torch_kept = theirs.state_dict(keep_vars=True)
    assert list(kept) == list(torch_kept)
    assert kept["0.weight"] is ours[0].weight
    assert kept["1.running_mean"] is ours[1].running_mean
    assert torch_kept["0.weight"] is theirs[0].weight  # the habit we copy


def test_state_dict_keep_vars_loads_back_and_saves(tmp_path):
    ours, _ = _pair()
    other = nn.Sequential(nn.Linear(2, 3, rng=1), nn.BatchNorm1d(3))
    other.load_state_dict(ours.state_dict(keep_vars=True))
    np.testing.assert_array_equal(other[0].weight.data, ours[0].weight.data)
    nn.save(tmp_path / "m.npz", model=ours)
    restored = nn.Sequential(nn.Linear(2, 3, rng=2), nn.BatchNorm1d(3))
    nn.load_into(tmp_path / "m.npz", model=restored)
    np.testing.assert_array_equal(restored[0].bias.data, ours[0].bias.data)


def test_state_dict_argument_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(ArgumentTypeError, match="destination must be a dict"):
        model.state_dict(destination=[])
    with pytest.raises(ArgumentTypeError, match="prefix must be a str"):
        model.state_dict(prefix=3)
    with pytest.raises(ArgumentTypeError, match="keep_vars must be True or False"):
        model.state_dict(keep_vars="yes")
