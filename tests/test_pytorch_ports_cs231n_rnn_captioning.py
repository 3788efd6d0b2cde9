"""Stanford CS231n's RNN and LSTM captioning in PyTorch (``RNN_Captioning_pytorch.ipynb``,
``LSTM_Captioning``), with ``cs231n/rnn_layers_pytorch.py`` and
``cs231n/classifiers/rnn_pytorch.py``, ported as students write them: the layers as plain
functions of tensors (``torch.tanh(x @ Wx + prev_h @ Wh + b)``, ``rnn_forward`` filling a
preallocated ``h[:, t, :] = prev_h``, ``lstm_step_forward`` slicing the gates out of ``a``,
``word_embedding_forward`` as ``W[x]``, ``temporal_affine_forward``, the masked
``temporal_softmax_loss`` by ``cross_entropy(..., reduction='none')``), the notebook's
checks on ``torch.linspace`` inputs with ``backward(dout)`` gradients, then
``CaptioningRNN`` (a ``params`` dict of tensors made leaves by ``requires_grad_()``, loss,
greedy ``sample`` writing ``captions[:, t] = word``) trained by Adam over
``model.params.values()`` for both cell types. Everything runs next to PyTorch
(float64) and agrees to 1e-10.

Lines written differently here: none but the test's glue (``torch.randn`` is ours replayed
on PyTorch's side, ``RandomDraws``).
"""

import numpy as np

from cs231n_helpers import RandomDraws, libraries
from interpret_helpers import numpy_of
from test_pytorch_ports_cs231n_transformer_captioning import small_coco, sample_coco_minibatch


def rnn_layers(torch, F):
    """``cs231n/rnn_layers_pytorch.py``."""

    def affine_forward(x, w, b):
        out = x.reshape(x.shape[0], -1) @ w + b
        return out

    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        next_h = torch.tanh(x @ Wx + prev_h @ Wh + b)
        return next_h

    def rnn_forward(x, h0, Wx, Wh, b):
        N, T, D = x.shape
        H = h0.shape[1]
        h = torch.zeros((N, T, H), dtype=x.dtype, device=x.device)
        prev_h = h0
        for t in range(T):
            prev_h = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
            h[:, t, :] = prev_h
        return h

    def word_embedding_forward(x, W):
        out = W[x]
        return out

    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        H = prev_h.shape[1]
        a = x @ Wx + prev_h @ Wh + b
        i = torch.sigmoid(a[:, :H])
        f = torch.sigmoid(a[:, H:2 * H])
        o = torch.sigmoid(a[:, 2 * H:3 * H])
        g = torch.tanh(a[:, 3 * H:])
        next_c = f * prev_c + i * g
        next_h = o * torch.tanh(next_c)
        return next_h, next_c

    def lstm_forward(x, h0, Wx, Wh, b):
        N, T, D = x.shape
        prev_h, prev_c = h0, torch.zeros_like(h0)
        hs = []
        for t in range(T):
            prev_h, prev_c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
            hs.append(prev_h)
        h = torch.stack(hs, dim=1)
        return h

    def temporal_affine_forward(x, w, b):
        N, T, D = x.shape
        M = b.shape[0]
        out = x.reshape(N * T, D) @ w + b
        return out.reshape(N, T, M)

    def temporal_softmax_loss(x, y, mask, verbose=False):
        N, T, V = x.shape
        x_flat = x.reshape(N * T, V)
        y_flat = y.reshape(N * T)
        mask_flat = mask.reshape(N * T)
        loss = F.cross_entropy(x_flat, y_flat, reduction='none')
        loss = torch.mul(loss, mask_flat)
        loss = torch.sum(loss) / N
        return loss

    return locals()


def captioning_rnn(torch, layers):
    """``cs231n/classifiers/rnn_pytorch.py``."""
    affine_forward, word_embedding_forward = (layers["affine_forward"],
                                              layers["word_embedding_forward"])

    class CaptioningRNN:
        def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                     cell_type="rnn", dtype=torch.float32):
            if cell_type not in {"rnn", "lstm"}:
                raise ValueError('Invalid cell_type "%s"' % cell_type)
            self.cell_type = cell_type
            self.dtype = dtype
            self.word_to_idx = word_to_idx
            self.idx_to_word = {i: w for w, i in word_to_idx.items()}
            self.params = {}
            vocab_size = len(word_to_idx)
            self._null = word_to_idx["<NULL>"]
            self._start = word_to_idx.get("<START>", None)
            self._end = word_to_idx.get("<END>", None)
            # Initialize word vectors
            self.params["W_embed"] = torch.randn(vocab_size, wordvec_dim) / 100
            # Initialize CNN -> hidden state projection parameters
            self.params["W_proj"] = torch.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
            self.params["b_proj"] = torch.zeros(hidden_dim)
            # Initialize parameters for the RNN
            dim_mul = {"lstm": 4, "rnn": 1}[cell_type]
            self.params["Wx"] = torch.randn(wordvec_dim, dim_mul * hidden_dim)
            self.params["Wx"] /= np.sqrt(wordvec_dim)
            self.params["Wh"] = torch.randn(hidden_dim, dim_mul * hidden_dim)
            self.params["Wh"] /= np.sqrt(hidden_dim)
            self.params["b"] = torch.zeros(dim_mul * hidden_dim)
            # Initialize output to vocab weights
            self.params["W_vocab"] = torch.randn(hidden_dim, vocab_size)
            self.params["W_vocab"] /= np.sqrt(hidden_dim)
            self.params["b_vocab"] = torch.zeros(vocab_size)
            # Cast parameters to correct dtype
            for k, v in self.params.items():
                self.params[k] = v.to(self.dtype)
                self.params[k].requires_grad_()

        def loss(self, features, captions):
            captions_in = captions[:, :-1]
            captions_out = captions[:, 1:]
            mask = captions_out != self._null
            W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
            W_embed = self.params["W_embed"]
            Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
            W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]
            h0 = affine_forward(features, W_proj, b_proj)
            x = word_embedding_forward(captions_in, W_embed)
            forward = layers["rnn_forward" if self.cell_type == "rnn" else "lstm_forward"]
            h = forward(x, h0, Wx, Wh, b)
            scores = layers["temporal_affine_forward"](h, W_vocab, b_vocab)
            loss = layers["temporal_softmax_loss"](scores, captions_out, mask)
            return loss

        def sample(self, features, max_length=30):
            N = features.shape[0]
            captions = self._null * torch.ones((N, max_length), dtype=torch.long)
            W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
            W_embed = self.params["W_embed"]
            Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
            W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]
            with torch.no_grad():
                h = affine_forward(features, W_proj, b_proj)
                c = torch.zeros_like(h)
                word = self._start * torch.ones(N, dtype=torch.long)
                for t in range(max_length):
                    x = W_embed[word]
                    if self.cell_type == "rnn":
                        h = layers["rnn_step_forward"](x, h, Wx, Wh, b)
                    else:
                        h, c = layers["lstm_step_forward"](x, h, c, Wx, Wh, b)
                    scores = affine_forward(h, W_vocab, b_vocab)
                    word = torch.argmax(scores, dim=1)
                    captions[:, t] = word
            return captions

    return CaptioningRNN


def layer_checks(torch, layers, record):
    """The notebook's checks: forward values on ``torch.linspace`` inputs, and the
    gradients of ``out.backward(dout)``."""
    N, D, H, T = 3, 10, 4, 5
    x = torch.linspace(-0.4, 0.7, steps=N * D).reshape(N, D)
    prev_h = torch.linspace(-0.2, 0.5, steps=N * H).reshape(N, H)
    Wx = torch.linspace(-0.1, 0.9, steps=D * H).reshape(D, H)
    Wh = torch.linspace(-0.3, 0.7, steps=H * H).reshape(H, H)
    b = torch.linspace(-0.2, 0.4, steps=H)
    record.append(layers["rnn_step_forward"](x, prev_h, Wx, Wh, b))

    x = torch.randn(N, T, D, requires_grad=True)
    h0 = torch.randn(N, H, requires_grad=True)
    for name, gates in (("rnn_forward", 1), ("lstm_forward", 4)):
        Wx = torch.randn(D, gates * H, requires_grad=True)
        Wh = torch.randn(H, gates * H, requires_grad=True)
        b = torch.randn(gates * H, requires_grad=True)
        out = layers[name](x, h0, Wx, Wh, b)
        dout = torch.randn(*out.shape)
        out.backward(dout)
        record += [out, x.grad, h0.grad, Wx.grad, Wh.grad, b.grad]
        x.grad, h0.grad = None, None

    V = 6
    idx = torch.tensor([[0, 3, 1, 2], [2, 1, 0, 3]])
    W = torch.randn(V, 3, requires_grad=True)
    out = layers["word_embedding_forward"](idx, W)
    out.backward(torch.randn(*out.shape))
    record += [out, W.grad]

    # check temporal_softmax_loss: about 2.3, 23 and 2.2-2.4
    for N, T, V, p in ((100, 1, 10, 1.0), (100, 10, 10, 1.0), (5000, 10, 10, 0.1)):
        x = 0.001 * torch.randn(N, T, V)
        y = torch.randint(V, size=(N, T))
        mask = torch.rand(N, T) <= p
        record.append(layers["temporal_softmax_loss"](x, y, mask).item())


def notebook(torch, F, optim, record):
    layers = rnn_layers(torch, F)
    torch.manual_seed(231)
    layer_checks(torch, layers, record)
    CaptioningRNN = captioning_rnn(torch, layers)
    np.random.seed(231)
    small_data = small_coco()
    for cell_type in ("rnn", "lstm"):
        model = CaptioningRNN(small_data["word_to_idx"],
                              input_dim=small_data["train_features"].shape[1],
                              wordvec_dim=8, hidden_dim=5, cell_type=cell_type,
                              dtype=torch.float64)
        optimizer = optim.Adam(model.params.values(), lr=5e-2)
        for t in range(3):
            captions, features, _ = sample_coco_minibatch(small_data, batch_size=6)
            loss = model.loss(torch.tensor(features), torch.tensor(captions))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append(loss.item())
            print("(Iteration %d / %d) loss: %f" % (t + 1, 3, loss.item()))
        record += list(model.params.values())
        features = small_data["train_features"][small_data["train_image_idxs"][:4]]
        record.append(model.sample(torch.tensor(features), max_length=6))


def run(torch=None, draws=None):
    """The notebook in one library; ours first (its random draws for PyTorch's)."""
    T, _, F, optim, _ = libraries(torch)
    T = RandomDraws(T, draws=draws) if torch is None else RandomDraws(T, replay=list(draws))
    record = []
    notebook(T, F, optim, record)
    return [numpy_of(v) for v in record]


def test_rnn_captioning_matches_pytorch(torch, capsys):
    draws = []
    ours = run(None, draws)
    ours_printed = capsys.readouterr().out
    theirs = run(torch, draws)
    assert capsys.readouterr().out == ours_printed
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
