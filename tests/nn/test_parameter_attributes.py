"""Code written for PyTorch tags parameters with attributes of its own: timm's
``p._no_weight_decay = True``, Megatron's ``p.sequence_parallel = True``, optimiser
groups built by reading them back. A ``Parameter`` takes them, as PyTorch's does; a plain
``Tensor`` stays slotted (no per-tensor dictionary on every graph node)."""

import pytest

import autograd as ag
import nn


def test_a_parameter_takes_attributes_of_its_own_as_pytorchs(torch):
    theirs = torch.nn.Linear(3, 2)
    ours = nn.Linear(3, 2)
    for model in (theirs, ours):
        model.bias._no_weight_decay = True
    for model in (theirs, ours):
        decay = [name for name, p in model.named_parameters()
                 if not getattr(p, "_no_weight_decay", False)]
        assert decay == ["weight"]


def test_a_plain_tensor_still_has_no_instance_dictionary():
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(AttributeError):
        t._no_weight_decay = True
