"""``RNN``/``GRU``/``LSTM``'s ``_flat_weights_names`` and ``_flat_weights`` (PyTorch's names
of the layer's weights in its order: per layer and direction, ``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh``, ``weight_hr``), read by d2l.ai's
``train_seq2seq``: ``for param in m._flat_weights_names: if "weight" in param:
init.xavier_uniform_(m._parameters[param])``."""

import numpy as np
import pytest

import nn

CASES = [("RNN", {}), ("GRU", {"num_layers": 2}), ("LSTM", {"bidirectional": True}),
         ("LSTM", {"num_layers": 2, "proj_size": 2, "bias": False})]


@pytest.mark.parametrize("name, options", CASES)
def test_flat_weights_names_are_pytorchs(name, options):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(3, 4, **options)
    theirs = getattr(torch.nn, name)(3, 4, **options)
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert [p is getattr(ours, n) for p, n in zip(ours._flat_weights,
                                                  ours._flat_weights_names)] == [True] * len(
        theirs._flat_weights)


def test_d2l_xavier_initialisation_of_a_gru():
    gru = nn.GRU(3, 4, 2)
    for param in gru._flat_weights_names:
        if "weight" in param:
            nn.init.xavier_uniform_(gru._parameters[param])
    bound = np.sqrt(6 / (3 + 12))
    assert np.abs(gru.weight_ih_l0.detach().numpy()).max() <= bound
    assert np.abs(gru.weight_ih_l0.detach().numpy()).max() > 1 / np.sqrt(4)  # redrawn: wider
