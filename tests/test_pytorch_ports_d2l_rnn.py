""""Dive into Deep Learning" (d2l.ai, PyTorch edition), the recurrent chapter, ported as
in ``test_pytorch_ports_d2l.py`` (written once for a library ``T``, run step for step next
to PyTorch's in float64 from the same weights): text preprocessing (``tokenize``,
``Vocab`` with ``min_freq`` and ``<unk>``), the language-model minibatch iterators
(random and sequential partitioning), the RNN from scratch (``torch.randn(...) * 0.01``
parameters, ``F.one_hot(X.T, vocab_size)``, the ``torch.tanh(torch.matmul(...))`` step,
``grad_clipping``, ``predict_ch8``, ``train_epoch_ch8`` carrying the state over with
``s.detach_()``) and the concise RNN (``nn.RNN`` and a ``Linear``). GRU, LSTM, deep and
bidirectional RNNs: ``test_pytorch_ports_d2l_rnn_modern.py``; seq2seq:
``test_pytorch_ports_d2l_rnn_seq2seq.py``.

The corpus is generated (``d2l_helpers.time_machine_lines``). Lines written differently:
``.type(torch.float32)`` after ``one_hot`` is ``.type(T.float64)``, the ports' default
dtype (PyTorch refuses a float32 input to float64 weights); d2l's ``d2l.Timer`` speed and
its plots are left out; ``random`` is a seeded ``random.Random`` shared by both runs.
"""

import math
import random

import pytest

from d2l_helpers import (Printed, Vocab, assert_records, grad_clipping, libraries,
                         load_corpus, seq_data_iter_random, seq_data_iter_sequential, sgd,
                         time_machine_lines, tokenize, weight_sync)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def test_text_preprocessing():
    lines = time_machine_lines()
    tokens = tokenize(lines)
    vocab = Vocab(tokens)
    assert vocab.idx_to_token[0] == '<unk>' and len(vocab) == len(set(sum(tokens, []))) + 1
    assert vocab['not-a-word'] == vocab.unk == 0
    indices = vocab[tokens[0]]
    assert vocab.to_tokens(indices) == tokens[0]
    rare = Vocab(tokens, min_freq=30)
    assert all(freq >= 30 for token, freq in rare.token_freqs if token in rare.token_to_idx)
    assert len(rare) < len(vocab) and rare[tokens[0]].count(0) >= 0
    corpus, chars = load_corpus()
    assert len(chars) <= 28 and chars.to_tokens(corpus[:5]) == list(lines[0][:5])


@pytest.mark.parametrize("iterator", [seq_data_iter_random, seq_data_iter_sequential])
def test_minibatch_iterators(torch, iterator):
    my_seq = list(range(35))
    got, want = Printed(), Printed()
    for T, record in [(libraries()[0], got), (libraries(torch)[0], want)]:
        for X, Y in iterator(T, my_seq, batch_size=2, num_steps=5, rnd=random.Random(0)):
            record += [X, Y, str(X.dtype)[-5:]]
    assert_records(got, want)
    assert got[2] == "int64" and len(got) == 9  # three minibatches of (2, 5)


# ------------------------------------------------------------------ RNN from scratch
def get_params(T, vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return T.randn(size=shape, device=device) * 0.01

    # Hidden layer parameters
    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = T.zeros(num_hiddens, device=device)
    # Output layer parameters
    W_hq = normal((num_hiddens, num_outputs))
    b_q = T.zeros(num_outputs, device=device)
    # Attach gradients
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(T, batch_size, num_hiddens, device):
    return (T.zeros((batch_size, num_hiddens), device=device), )


def rnn(T, inputs, state, params):
    # Here `inputs` shape: (`num_steps`, `batch_size`, `vocab_size`)
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    # Shape of `X`: (`batch_size`, `vocab_size`)
    for X in inputs:
        H = T.tanh(T.matmul(X, W_xh) + T.matmul(H, W_hh) + b_h)
        Y = T.matmul(H, W_hq) + b_q
        outputs.append(Y)
    return T.cat(outputs, dim=0), (H,)


class RNNModelScratch:
    """A RNN Model implemented from scratch."""

    def __init__(self, T, F, vocab_size, num_hiddens, device, get_params, init_state,
                 forward_fn):
        self.T, self.F = T, F  # the library, given once (d2l's module-level torch, F)
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(T, vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = self.F.one_hot(X.T, self.vocab_size).type(self.T.float64)  # see the top
        return self.forward_fn(self.T, X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(self.T, batch_size, self.num_hiddens, device)


def predict_ch8(T, prefix, num_preds, net, vocab, device):
    """Generate new characters following the `prefix`."""
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    get_input = lambda: T.reshape(T.tensor(  # noqa: E731 (d2l's lambda)
        [outputs[-1]], device=device), (1, 1))
    for y in prefix[1:]:  # Warm-up period
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):  # Predict `num_preds` steps
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([vocab.idx_to_token[i] for i in outputs])


def train_epoch_ch8(T, lib, optim, net, train_iter, loss, updater, device, use_random_iter,
                    record):
    """Train a net within one epoch (defined in Chapter 8)."""
    state = None
    metric = [0.0, 0.0]  # Sum of training loss, no. of tokens (d2l.Accumulator(2))
    for X, Y in train_iter:
        if state is None or use_random_iter:
            # Initialize `state` when either it is the first iteration or
            # using random sampling
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            if isinstance(net, lib.Module) and not isinstance(state, tuple):
                # `state` is a tensor for `nn.GRU`
                state.detach_()
            else:
                # `state` is a tuple of tensors for `nn.LSTM` and
                # for our custom scratch implementation
                for s in state:
                    s.detach_()
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()  # noqa: E741 (d2l's name)
        if isinstance(updater, optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(T, lib, net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(T, lib, net, 1)
            # Since the `mean` function has been invoked
            updater(batch_size=1)
        record.append(float(l))
        metric = [metric[0] + float(l * y.numel()), metric[1] + y.numel()]
    return math.exp(metric[0] / metric[1])


def train_ch8(T, lib, optim, net, train_iter, vocab, lr, num_epochs, device,
              use_random_iter, record):
    """Train a model (defined in Chapter 8): ``train_iter`` makes an epoch's iterator."""
    loss = lib.CrossEntropyLoss()
    # Initialize
    if isinstance(net, lib.Module):
        updater = optim.SGD(net.parameters(), lr)
    else:
        updater = lambda batch_size: sgd(T, net.params, lr, batch_size)  # noqa: E731
    predict = lambda prefix: predict_ch8(T, prefix, 20, net, vocab, device)  # noqa: E731
    # Train and predict
    for epoch in range(num_epochs):
        ppl = train_epoch_ch8(T, lib, optim, net, train_iter(), loss, updater, device,
                              use_random_iter, record)
        record.append(ppl)
    record += [predict('the time'), predict('he')]
    return ppl


def _rnn_scratch(T, lib, F, optim, record, use_random_iter) -> None:
    corpus, vocab = load_corpus()
    batch_size, num_steps = 8, 10
    rnd = random.Random(0)
    train_iter = lambda: (seq_data_iter_random if use_random_iter  # noqa: E731
                          else seq_data_iter_sequential)(T, corpus, batch_size, num_steps,
                                                         rnd)
    record.append(F.one_hot(T.tensor([0, 2]), len(vocab)))
    X = T.arange(10).reshape((2, 5))
    record.append(F.one_hot(X.T, 28).shape)
    num_hiddens = 32
    T.manual_seed(0)
    net = RNNModelScratch(T, F, len(vocab), num_hiddens, "cpu", get_params,
                          init_rnn_state, rnn)
    state = net.begin_state(X.shape[0], "cpu")
    Y, new_state = net(X, state)
    record += [Y, len(new_state), new_state[0]]
    record.append(predict_ch8(T, 'time traveller ', 10, net, vocab, "cpu"))
    num_epochs, lr = 3, 1
    train_ch8(T, lib, optim, net, train_iter, vocab, lr, num_epochs, "cpu",
              use_random_iter, record)
    record += net.params


@pytest.mark.parametrize("use_random_iter", [False, True])
def test_rnn_from_scratch(torch, use_random_iter):
    got, want = Printed(), Printed()
    _rnn_scratch(*libraries(torch)[:4], want, use_random_iter)
    _rnn_scratch(*libraries()[:4], got, use_random_iter)
    assert_records(got, want)
    assert tuple(got[1]) == (5, 2, 28) and got[2].shape == (10, got[0].shape[1])
    assert got[-8] < math.exp(got[6])  # the perplexity fell over the three epochs


# ------------------------------------------------------------------ concise RNN
def rnn_model_class(T, lib, F):
    class RNNModel(lib.Module):
        """The RNN model."""

        def __init__(self, rnn_layer, vocab_size, **kwargs):
            super(RNNModel, self).__init__(**kwargs)
            self.rnn = rnn_layer
            self.vocab_size = vocab_size
            self.num_hiddens = self.rnn.hidden_size
            # If the RNN is bidirectional (to be introduced later),
            # `num_directions` should be 2, else it should be 1.
            if not self.rnn.bidirectional:
                self.num_directions = 1
                self.linear = lib.Linear(self.num_hiddens, self.vocab_size)
            else:
                self.num_directions = 2
                self.linear = lib.Linear(self.num_hiddens * 2, self.vocab_size)

        def forward(self, inputs, state):
            X = F.one_hot(inputs.T.long(), self.vocab_size)
            X = X.to(T.float64)  # d2l: torch.float32 (see the top)
            Y, state = self.rnn(X, state)
            # The fully connected layer will first change the shape of `Y` to
            # (`num_steps` * `batch_size`, `num_hiddens`). Its output shape is
            # (`num_steps` * `batch_size`, `vocab_size`).
            output = self.linear(Y.reshape((-1, Y.shape[-1])))
            return output, state

        def begin_state(self, device, batch_size=1):
            if not isinstance(self.rnn, lib.LSTM):
                # `nn.GRU` takes a tensor as hidden state
                return T.zeros((self.num_directions * self.rnn.num_layers,
                                batch_size, self.num_hiddens), device=device)
            else:
                # `nn.LSTM` takes a tuple of hidden states
                return (T.zeros((
                    self.num_directions * self.rnn.num_layers,
                    batch_size, self.num_hiddens), device=device),
                    T.zeros((
                        self.num_directions * self.rnn.num_layers,
                        batch_size, self.num_hiddens), device=device))

    return RNNModel


def _rnn_concise(T, lib, F, optim, sync, record) -> None:
    corpus, vocab = load_corpus()
    batch_size, num_steps = 8, 10
    rnd = random.Random(0)
    train_iter = lambda: seq_data_iter_sequential(  # noqa: E731
        T, corpus, batch_size, num_steps, rnd)
    num_hiddens = 32
    rnn_layer = lib.RNN(len(vocab), num_hiddens)
    state = T.zeros((1, batch_size, num_hiddens))
    record.append(state.shape)
    X = T.rand(size=(num_steps, batch_size, len(vocab)))
    net = rnn_model_class(T, lib, F)(rnn_layer, vocab_size=len(vocab))
    sync(net)
    Y, state_new = rnn_layer(X, state)
    record += [Y, state_new]
    device = "cpu"  # d2l.try_gpu()
    net = net.to(device)
    record.append(predict_ch8(T, 'time traveller', 10, net, vocab, device))
    num_epochs, lr = 3, 1
    train_ch8(T, lib, optim, net, train_iter, vocab, lr, num_epochs, device, False, record)
    record += list(net.parameters())


def test_rnn_concise(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _rnn_concise(*libraries(torch)[:4], theirs, want)
    _rnn_concise(*libraries()[:4], ours, got)
    assert_records(got, want)
    assert tuple(got[0]) == (1, 8, 32) and got[1].shape == (10, 8, 32)
