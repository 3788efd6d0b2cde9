"""d2l.ai's "Modern Recurrent Neural Networks", ported as in
``test_pytorch_ports_d2l_rnn.py`` (its ``RNNModelScratch``, ``RNNModel``, ``train_ch8`` and
``predict_ch8``; float64 PyTorch next to this library from the same weights): the GRU and
the LSTM from scratch (``three()`` parameter triples, ``torch.sigmoid``/``torch.tanh``
gates with ``@``) and concise (``nn.GRU``, ``nn.LSTM`` with its ``(H, C)`` state tuple), the
deep LSTM (``num_layers=2``) and the bidirectional LSTM, trained for a few epochs on the
generated corpus with ``grad_clipping``.
"""

import random

import pytest

from d2l_helpers import (Printed, assert_records, libraries, load_corpus,
                         seq_data_iter_sequential, weight_sync)
from test_pytorch_ports_d2l_rnn import (RNNModelScratch, predict_ch8, rnn_model_class,
                                        train_ch8)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")

BATCH_SIZE, NUM_STEPS, NUM_HIDDENS, MAX_TOKENS = 8, 8, 16, 700


def _train_iter(T, corpus):
    rnd = random.Random(0)
    return lambda: seq_data_iter_sequential(T, corpus, BATCH_SIZE, NUM_STEPS, rnd)


# ------------------------------------------------------------------ GRU from scratch
def get_gru_params(T, vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return T.randn(size=shape, device=device) * 0.01

    def three():
        return (normal((num_inputs, num_hiddens)),
                normal((num_hiddens, num_hiddens)),
                T.zeros(num_hiddens, device=device))

    W_xz, W_hz, b_z = three()  # Update gate parameters
    W_xr, W_hr, b_r = three()  # Reset gate parameters
    W_xh, W_hh, b_h = three()  # Candidate hidden state parameters
    # Output layer parameters
    W_hq = normal((num_hiddens, num_outputs))
    b_q = T.zeros(num_outputs, device=device)
    # Attach gradients
    params = [W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_gru_state(T, batch_size, num_hiddens, device):
    return (T.zeros((batch_size, num_hiddens), device=device), )


def gru(T, inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        Z = T.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
        R = T.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
        H_tilda = T.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y = H @ W_hq + b_q
        outputs.append(Y)
    return T.cat(outputs, dim=0), (H,)


# ------------------------------------------------------------------ LSTM from scratch
def get_lstm_params(T, vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return T.randn(size=shape, device=device) * 0.01

    def three():
        return (normal((num_inputs, num_hiddens)),
                normal((num_hiddens, num_hiddens)),
                T.zeros(num_hiddens, device=device))

    W_xi, W_hi, b_i = three()  # Input gate parameters
    W_xf, W_hf, b_f = three()  # Forget gate parameters
    W_xo, W_ho, b_o = three()  # Output gate parameters
    W_xc, W_hc, b_c = three()  # Candidate memory cell parameters
    # Output layer parameters
    W_hq = normal((num_hiddens, num_outputs))
    b_q = T.zeros(num_outputs, device=device)
    # Attach gradients
    params = [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc,
              b_c, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_lstm_state(T, batch_size, num_hiddens, device):
    return (T.zeros((batch_size, num_hiddens), device=device),
            T.zeros((batch_size, num_hiddens), device=device))


def lstm(T, inputs, state, params):
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c,
     W_hq, b_q] = params
    (H, C) = state
    outputs = []
    for X in inputs:
        I = T.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)  # noqa: E741 (d2l's name)
        F = T.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
        O = T.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)  # noqa: E741
        C_tilda = T.tanh((X @ W_xc) + (H @ W_hc) + b_c)
        C = F * C + I * C_tilda
        H = O * T.tanh(C)
        Y = (H @ W_hq) + b_q
        outputs.append(Y)
    return T.cat(outputs, dim=0), (H, C)


SCRATCH = {"gru": (get_gru_params, init_gru_state, gru),
           "lstm": (get_lstm_params, init_lstm_state, lstm)}


def _scratch(T, lib, F, optim, name, record) -> None:
    corpus, vocab = load_corpus(MAX_TOKENS)
    vocab_size, num_hiddens, device = len(vocab), NUM_HIDDENS, "cpu"
    num_epochs, lr = 2, 1
    T.manual_seed(0)
    model = RNNModelScratch(T, F, len(vocab), num_hiddens, device, *SCRATCH[name])
    record.append(predict_ch8(T, 'he ', 5, model, vocab, device))
    record.append(train_ch8(T, lib, optim, model, _train_iter(T, corpus), vocab, lr,
                            num_epochs, device, False, record))
    record += model.params
    assert vocab_size == len(vocab)


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_gated_rnn_from_scratch(torch, name):
    got, want = Printed(), Printed()
    _scratch(*libraries(torch)[:4], name, want)
    _scratch(*libraries()[:4], name, got)
    assert_records(got, want)


# ------------------------------------------------------------------ concise, deep, bidirectional
def _layer(lib, name, num_inputs, num_hiddens):
    if name == "gru":
        return lib.GRU(num_inputs, num_hiddens)
    if name == "lstm":
        return lib.LSTM(num_inputs, num_hiddens)
    if name == "deep":  # d2l's deep-rnn: num_layers = 2
        num_layers = 2
        return lib.LSTM(num_inputs, num_hiddens, num_layers)
    # bidirectional-rnn: bidirectional=True (d2l's warning: not for prediction)
    num_layers = 2
    return lib.LSTM(num_inputs, num_hiddens, num_layers, bidirectional=True)


def _concise(T, lib, F, optim, name, sync, record) -> None:
    corpus, vocab = load_corpus(MAX_TOKENS)
    vocab_size, num_hiddens, device = len(vocab), NUM_HIDDENS, "cpu"
    num_epochs, lr = 2, 1
    num_inputs = vocab_size
    layer = _layer(lib, name, num_inputs, num_hiddens)
    model = rnn_model_class(T, lib, F)(layer, len(vocab))
    sync(model)
    model = model.to(device)
    state = model.begin_state(device, batch_size=2)
    record.append(type(state).__name__)
    record.append(train_ch8(T, lib, optim, model, _train_iter(T, corpus), vocab, lr,
                            num_epochs, device, False, record))
    record += list(model.parameters())


@pytest.mark.parametrize("name", ["gru", "lstm", "deep", "bidirectional"])
def test_gated_rnn_concise(torch, name):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _concise(*libraries(torch)[:4], name, theirs, want)
    _concise(*libraries()[:4], name, ours, got)
    assert_records(got, want)
    assert got[0] == ("tuple" if name != "gru" else "Tensor")
