"""makemore part 3 (activations, gradients, BatchNorm), ported as its viewers write it,
step for step next to PyTorch (see ``test_pytorch_ports_makemore.py`` for the setting):
the MLP with Kaiming's ``* (5/3)/((n_embd * block_size)**0.5)`` and a hand-written batch
norm (``hpreact.std(0, keepdim=True)``, running statistics under ``no_grad``), then the
student's ``torch.nn``-like ``Linear``/``BatchNorm1d``/``Tanh`` classes with ``.out``,
``retain_grad()``, the histograms of activations and gradients and the update-to-data
ratios. Lines written differently here:
- ``x.std()`` / ``t.std()`` with no dim are NumPy's population std (ddof=0) here (the
  README's table: NumPy wins), so the lecture's prints of them are written
  ``.std(correction=1)``; ``std(0, keepdim=True)`` is PyTorch's spelling and its default;
- ``torch.histogram(t, density=True)`` names its bins, ``torch.histogram(t, 100,
  density=True)``: without bins the call means 100 bins in PyTorch and 10 in NumPy, a
  ``UsageError`` here (``t.histogram(density=True)``, PyTorch's method, takes 100);
- ``((lr*p.grad).std() / p.data.std())`` is the lecture's line: here both stds are NumPy's
  (``p.data`` is the NumPy array), whose ratio equals PyTorch's (the same n cancels).
"""

import pytest

import autograd as ag
from makemore_helpers import (Draws, assert_records, character_tables, libraries, names,
                              take_start)
from test_pytorch_ports_makemore import build_dataset


# the lecture's '%+.2f' % t.mean() of a tensor that requires grad: PyTorch 2.13 warns there
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")

block_size = 3


def dataset(torch, words):
    stoi, itos = character_tables(words)
    n1 = int(0.9*len(words))
    Xtr, Ytr = build_dataset(torch, words[:n1], stoi)
    Xdev, Ydev = build_dataset(torch, words[n1:], stoi)
    return Xtr, Ytr, Xdev, Ydev


# ------------------------------------------------------------------ the hand-made batch norm
def mlp_with_batchnorm(torch, F, words, draws, start, record):
    Xtr, Ytr, Xdev, Ydev = dataset(torch, words)
    vocab_size = 27
    n_embd = 10  # the dimensionality of the character embedding vectors
    n_hidden = 32  # the number of neurons in the hidden layer of the MLP

    x = torch.randn(1000, 10)
    w = torch.randn(10, 200) / 10**0.5
    y = x @ w
    record.append(list(y.shape))  # the lecture prints x.std(), y.std() (drawn apart here)
    assert abs(y.std(correction=1).item() - 1) < 0.1

    g = torch.Generator().manual_seed(2147483647)  # for reproducibility
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5)  # noqa: E501
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    # BatchNorm parameters
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    start = take_start(parameters + [b1], start)
    record.append(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    max_steps = 10
    batch_size = 32
    lossi = []
    for i in range(max_steps):
        # minibatch construct
        ix = draws(torch, torch.randint(0, Xtr.shape[0], (batch_size,), generator=g))
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
        # forward pass
        emb = C[Xb]  # embed the characters into vectors
        embcat = emb.view(emb.shape[0], -1)  # concatenate the vectors
        # Linear layer
        hpreact = embcat @ W1  # + b1 # hidden layer pre-activation
        # BatchNorm layer
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        # Non-linearity
        h = torch.tanh(hpreact)  # hidden layer
        logits = h @ W2 + b2  # output layer
        loss = F.cross_entropy(logits, Yb)  # loss function
        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()
        record += [p.grad.numpy().copy() for p in parameters]
        # update
        lr = 0.1 if i < 5 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        # track stats
        lossi.append(loss.log10().item())
    record += [lossi, bnmean_running.numpy(), bnstd_running.numpy()]
    record.append((h.abs() > 0.99).float().mean().item())  # plt.imshow(h.abs() > 0.99)

    # calibrate the batch norm at the end of training
    with torch.no_grad():
        # pass the training set through
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1  # + b1
        # measure the mean/std over the entire training set
        bnmean = hpreact.mean(0, keepdim=True)
        bnstd = hpreact.std(0, keepdim=True)
    record += [bnmean.numpy(), bnstd.numpy()]

    @torch.no_grad()  # this decorator disables gradient tracking
    def split_loss(split):
        x, y = {
            'train': (Xtr, Ytr),
            'val': (Xdev, Ydev),
        }[split]
        emb = C[x]  # (N, block_size, n_embd)
        embcat = emb.view(emb.shape[0], -1)  # concat into (N, block_size * n_embd)
        hpreact = embcat @ W1  # + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact)  # (N, n_hidden)
        logits = h @ W2 + b2  # (N, vocab_size)
        loss = F.cross_entropy(logits, y)
        record.append(loss.item())

    split_loss('train')
    split_loss('val')
    return start


def test_part3_mlp_with_a_hand_made_batch_norm(torch):
    words = names(100, seed=3)
    mine, theirs, draws = [], [], Draws()
    start = mlp_with_batchnorm(*libraries(torch), words, draws, None, theirs)
    mlp_with_batchnorm(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)


# ------------------------------------------------------------------ "PyTorch-ifying" the code
def layer_classes(torch, g):
    """The lecture's classes, for library ``torch`` and generator ``g``."""

    class Linear:

        def __init__(self, fan_in, fan_out, bias=True):
            self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
            self.bias = torch.zeros(fan_out) if bias else None

        def __call__(self, x):
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self):
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d:

        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps = eps
            self.momentum = momentum
            self.training = True
            # parameters (trained with backprop)
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)
            # buffers (trained with a running 'momentum update')
            self.running_mean = torch.zeros(dim)
            self.running_var = torch.ones(dim)

        def __call__(self, x):
            # calculate the forward pass
            if self.training:
                xmean = x.mean(0, keepdim=True)  # batch mean
                xvar = x.var(0, keepdim=True)  # batch variance
            else:
                xmean = self.running_mean
                xvar = self.running_var
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
            self.out = self.gamma * xhat + self.beta
            # update the buffers
            if self.training:
                with torch.no_grad():
                    self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean  # noqa: E501
                    self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    class Tanh:
        def __call__(self, x):
            self.out = torch.tanh(x)
            return self.out

        def parameters(self):
            return []

    return Linear, BatchNorm1d, Tanh


def deep_mlp(torch, F, words, draws, start, record):
    Xtr, Ytr, Xdev, Ydev = dataset(torch, words)
    n_embd = 6  # the dimensionality of the character embedding vectors
    n_hidden = 16  # the number of neurons in the hidden layer of the MLP
    vocab_size = 27
    g = torch.Generator().manual_seed(2147483647)  # for reproducibility
    Linear, BatchNorm1d, Tanh = layer_classes(torch, g)

    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [
        Linear(n_embd * block_size, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, n_hidden), Tanh(),
        Linear(n_hidden, vocab_size, bias=False), BatchNorm1d(vocab_size),
    ]
    with torch.no_grad():
        # last layer: make less confident
        layers[-1].gamma *= 0.1
        # all other layers: apply gain
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5/3

    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    start = take_start(parameters, start)
    record.append(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    max_steps = 6
    batch_size = 32
    lossi = []
    ud = []
    for i in range(max_steps):
        # minibatch construct
        ix = draws(torch, torch.randint(0, Xtr.shape[0], (batch_size,), generator=g))
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y
        # forward pass
        emb = C[Xb]  # embed the characters into vectors
        x = emb.view(emb.shape[0], -1)  # concatenate the vectors
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Yb)  # loss function
        # backward pass
        for layer in layers:
            layer.out.retain_grad()  # AFTER_DEBUG: would take out retain_graph
        for p in parameters:
            p.grad = None
        loss.backward()
        # update
        lr = 0.1 if i < 3 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        # track stats
        lossi.append(loss.log10().item())
        with torch.no_grad():
            # Karpathy's (lr*p.grad).std() / p.data.std(): a bare std() is refused here (n in
            # NumPy, n - 1 in PyTorch) and p.data is NumPy's array, so PyTorch's n - 1 is said
            ud.append([((lr*p.grad).std(correction=1) / p.std(correction=1)).log10().item()
                       for p in parameters])
    record += [lossi, ud] + [p.detach().numpy().copy() for p in parameters]

    # visualize histograms: the forward pass activations
    for i, layer in enumerate(layers[:-1]):  # note: exclude the output layer
        if isinstance(layer, Tanh):
            t = layer.out
            record.append('layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%' % (
                i, layer.__class__.__name__, t.mean(), t.std(correction=1),
                (t.abs() > 0.97).float().mean()*100))
            hy, hx = torch.histogram(t, 100, density=True)
            record += [hx[:-1].detach().numpy(), hy.detach().numpy()]  # plt.plot(hx, hy)
    # the backward pass gradients
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out.grad
            print('layer %d (%10s): mean %+f, std %e' % (
                i, layer.__class__.__name__, t.mean(), t.std(correction=1)))
            record += [t.mean().item(), t.std(correction=1).item()]  # the mean's sign is noise
            hy, hx = torch.histogram(t, 100, density=True)
            record += [hx[:-1].detach().numpy(), hy.detach().numpy()]
    # the weights' gradients
    for i, p in enumerate(parameters):
        t = p.grad
        if p.ndim == 2:
            print('weight %10s | mean %+f | std %e | grad:data ratio %e' % (
                tuple(p.shape), t.mean(), t.std(correction=1),
                t.std(correction=1) / p.std(correction=1)))
            record += [t.mean().item(), (t.std(correction=1) / p.std(correction=1)).item()]
            hy, hx = torch.histogram(t, 100, density=True)
            record += [hx[:-1].detach().numpy(), hy.detach().numpy()]

    # put layers into eval mode
    for layer in layers:
        layer.training = False

    @torch.no_grad()  # this decorator disables gradient tracking
    def split_loss(split):
        x, y = {'train': (Xtr, Ytr), 'val': (Xdev, Ydev)}[split]
        emb = C[x]  # (N, block_size, n_embd)
        x = emb.view(emb.shape[0], -1)  # concat into (N, block_size * n_embd)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, y)
        record.append(loss.item())

    split_loss('train')
    split_loss('val')
    return start


def test_part3_the_layer_classes_with_their_diagnostics(torch):
    words = names(100, seed=4)
    mine, theirs, draws = [], [], Draws()
    start = deep_mlp(*libraries(torch), words, draws, None, theirs)
    deep_mlp(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)
    with pytest.raises(ag.UsageError, match="x.histogram"):  # the lecture's own line
        ag.histogram(ag.randn(5), density=True)
    assert len(ag.randn(5).histogram(density=True).hist) == 100
