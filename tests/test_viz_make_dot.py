"""torchviz's ``make_dot(y, params=dict(model.named_parameters()))``: a PyTorch user's
drawing line runs unchanged and names the parameters as ``draw_graph(names=...)`` does."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

graphviz = pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
from autograd import viz  # noqa: E402


def _model_and_output():
    model = nn.Sequential(nn.Linear(3, 2, rng=np.random.default_rng(0)), nn.Tanh(),
                          nn.Linear(2, 1, rng=np.random.default_rng(1)))
    y = model(ag.Tensor(np.ones((4, 3)))).sum()
    return model, y


def test_make_dot_is_draw_graph_with_the_names():
    model, y = _model_and_output()
    params = dict(model.named_parameters())
    ours = viz.make_dot(y, params=params)
    assert isinstance(ours, graphviz.Digraph)
    for name in params:
        assert name in ours.source
    same = viz.draw_graph(y, names=params, show_values=False, show_grad=False)
    assert ours.source == same.source


def test_make_dot_takes_a_tuple_of_outputs_and_shows_values_when_asked():
    model, y = _model_and_output()
    z = y * 2
    both = viz.make_dot((y, z), params=dict(model.named_parameters()), show_saved=True)
    assert both.source == viz.draw_graph(y, z, names=dict(model.named_parameters()),
                                         show_grad=False).source
