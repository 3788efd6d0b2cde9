"""RNNBase._all_weights: the parameters' names per layer and direction, as PyTorch's
(the forget-gate bias habit loops over it)."""

import numpy as np

import nn


def test_all_weights_names_each_layer_and_direction():
    lstm = nn.LSTM(4, 3, num_layers=2, bidirectional=True, proj_size=2)
    names = lstm._all_weights
    assert len(names) == 4
    assert names[1] == ["weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                        "bias_hh_l0_reverse", "weight_hr_l0_reverse"]
    assert [[p for p in group] for group in lstm.all_weights] == \
        [[getattr(lstm, n) for n in group] for group in names]
    assert nn.GRU(2, 3, bias=False)._all_weights == [["weight_ih_l0", "weight_hh_l0"]]


def test_the_forget_gate_bias_habit():
    lstm = nn.LSTM(2, 3)
    for names in lstm._all_weights:
        for name in filter(lambda n: "bias" in n, names):
            bias = getattr(lstm, name)
            n = bias.shape[0]
            bias.data[n // 4:n // 2] = 1.0
    assert np.all(lstm.bias_ih_l0.data[3:6] == 1.0)
