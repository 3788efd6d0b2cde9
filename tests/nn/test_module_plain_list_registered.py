"""A plain list of layers that are also registered under names of their own (fast.ai's
``self.layers = layers`` then ``self.add_module(f'layer_{i}', l)``, lesson 13): PyTorch
never looks into the list, so each layer is named once, ``layer_0``; the list must not
name it a second time (``layers.0``), which broke ``load_state_dict`` of PyTorch's
weights and listed each child twice."""

from functools import reduce

import numpy as np
import pytest

import autograd as ag
import nn


def _fastai_model(lib, layers):
    class Model(lib.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = layers
            for i, l in enumerate(self.layers): self.add_module(f'layer_{i}', l)  # noqa: E701,E741

        def forward(self, x): return reduce(lambda val, layer: layer(val), self.layers, x)  # noqa: E704

    return Model(layers)


def _layers(lib):
    return [lib.Linear(4, 3), lib.ReLU(), lib.Linear(3, 2)]


def test_listed_and_added_layers_are_named_once_as_torch(torch):
    ours, theirs = _fastai_model(nn, _layers(nn)), _fastai_model(torch.nn, _layers(torch.nn))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert ([n for n, _ in ours.named_parameters()]
            == [n for n, _ in theirs.named_parameters()])
    assert repr(ours) == repr(theirs)


def test_pytorch_weights_load_strictly_and_the_model_runs_as_torch(torch):
    ours, theirs = _fastai_model(nn, _layers(nn)), _fastai_model(torch.nn, _layers(torch.nn))
    ours.load_state_dict({k: v.detach().double().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_a_list_with_a_layer_of_no_other_name_is_still_found():
    """Lists are discovered here (PyTorch needs a ModuleList): only a list whose every
    layer has a name of its own on the module is left out."""
    layers = _layers(nn)

    class Partly(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = layers
            self.first = layers[0]

    assert 'layers.2.weight' in Partly().state_dict()
    assert sum(p.numel() for p in Partly().parameters()) == 4 * 3 + 3 + 3 * 2 + 2


@pytest.mark.parametrize("container", [list, tuple])
def test_a_module_list_is_not_affected(torch, container):
    """A ModuleList holding layers also named elsewhere lists them in both places, as
    PyTorch's does."""
    for lib, holder in ((nn, nn.ModuleList), (torch.nn, torch.nn.ModuleList)):
        layers = container(_layers(lib))

        class Both(lib.Module):
            def __init__(self):
                super().__init__()
                self.layers = holder(layers)
                self.first = layers[0]

        if lib is nn:
            ours = list(Both().state_dict())
        else:
            theirs = list(Both().state_dict())
    assert ours == theirs
