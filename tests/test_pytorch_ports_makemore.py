"""Andrej Karpathy's makemore (Neural Networks: Zero to Hero), parts 1 and 2, ported as
its viewers write them: each program is written once with ``torch`` and ``F`` standing
for the library (``autograd`` / ``nn.functional`` here, PyTorch's there), and runs step
for step next to PyTorch from the same weights and batches: counts, probabilities,
losses, gradients and parameters agree (1e-10 in float64; float32 where the lecture
makes float32 with ``.float()``).

Part 1: the bigram model by counting (``N[ix1, ix2] += 1``, ``P = (N+1).float()``,
sampling with ``torch.multinomial(..., generator=g)``, the average negative log
likelihood) and as a one-layer net (``F.one_hot``, ``W.grad = None``,
``W.data += -50 * W.grad``). Part 2: the MLP of Bengio et al. 2003 (``C[X]``,
``emb.view(-1, 6)``, ``torch.cat(torch.unbind(emb, 1), 1)``, ``F.cross_entropy``,
minibatches, the learning-rate search ``10**torch.linspace(-3, 0, 1000)``).
Parts 3-5: ``test_pytorch_ports_makemore_bn.py``, ``..._backprop.py``, ``..._wavenet.py``.

Names are made up from syllables (``makemore_helpers.names``) in place of names.txt;
sizes are small. Where a line is written differently here, it says so:
- ``g = torch.Generator().manual_seed(2147483647)`` runs as written in both, but the two
  libraries' generators give different numbers: the starting weights are copied from
  PyTorch's run (``take_start``) and its draws (minibatches, samples) replayed in ours
  (``draws(torch, torch.multinomial(...))``: the draw is made, then PyTorch's used);
- PyTorch runs with float64 as its default dtype, as ours, but for the bigram net, whose
  ``F.one_hot(xs, num_classes=27).float() @ W`` PyTorch computes in float32 (its default)
  and we in float64 (W is float64 here, NumPy's default): agreement to float32's precision;
- ``W.data += -50 * W.grad``: ``.data`` is the NumPy array here; NumPy adds the Tensor in.
"""

import random

import numpy as np

from makemore_helpers import (Draws, assert_records, character_tables, libraries, names,
                              take_start)



# ------------------------------------------------------------------ part 1: counting
def bigram_by_counting(torch, words, draws, record):
    stoi, itos = character_tables(words)
    N = torch.zeros((27, 27), dtype=torch.int32)
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1
    record.append(N.numpy().copy())
    p = N[0].float()
    p = p / p.sum()
    record.append(p.numpy().copy())
    g = torch.Generator().manual_seed(2147483647)
    p = torch.rand(3, generator=g)  # the lecture's warm-up draw
    P = (N+1).float()
    P /= P.sum(1, keepdims=True)
    record.append(P.numpy().copy())
    assert P.dtype == torch.float32 and P[0].sum().item() == P[0].sum().item()

    g = torch.Generator().manual_seed(2147483647)
    for i in range(5):
        out = []
        ix = 0
        while True:
            p = P[ix]
            record.append(p.numpy().copy())
            ix = draws(torch, torch.multinomial(p, num_samples=1, replacement=True,
                                                generator=g)).item()
            out.append(itos[ix])
            if ix == 0:
                break
        record.append(''.join(out))

    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            prob = P[ix1, ix2]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    nll = -log_likelihood
    record += [log_likelihood.item(), nll.item(), (nll/n).item(), f'{nll/n:.4f}']


def test_part1_bigram_by_counting(torch):
    words = names(60)
    mine, theirs, draws = [], [], Draws()
    bigram_by_counting(torch, words, draws, theirs)
    bigram_by_counting(libraries()[0], words, draws.replay(), mine)
    # float32 sums of ~600 terms: the order of additions differs
    assert_records(mine, theirs, rtol=1e-5, atol=0)


# ------------------------------------------------------------------ part 1: the net
def bigram_as_a_net(torch, F, words, draws, start, record):
    stoi, itos = character_tables(words)
    xs, ys = [], []
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            xs.append(ix1)
            ys.append(ix2)
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()

    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((27, 27), generator=g, requires_grad=True)
    start = take_start([W], start)
    for k in range(8):
        # forward pass
        xenc = F.one_hot(xs, num_classes=27).float()  # input to the network: one-hot
        logits = xenc @ W  # predict log-counts
        counts = logits.exp()  # counts, equivalent to N
        probs = counts / counts.sum(1, keepdims=True)  # probabilities for next character
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01*(W**2).mean()
        record.append(loss.item())
        # backward pass
        W.grad = None  # set to zero the gradient
        loss.backward()
        record.append(W.grad.numpy().copy())
        # update
        W.data += -50 * W.grad
    record.append(W.detach().numpy().copy())

    g = torch.Generator().manual_seed(2147483647)
    for i in range(3):
        out = []
        ix = 0
        while True:
            xenc = F.one_hot(torch.tensor([ix]), num_classes=27).float()
            logits = xenc @ W  # predict log-counts
            counts = logits.exp()  # counts, equivalent to N
            p = counts / counts.sum(1, keepdims=True)  # probabilities for next character
            record.append(p.detach().numpy().copy())
            ix = draws(torch, torch.multinomial(p, num_samples=1, replacement=True,
                                                generator=g)).item()
            out.append(itos[ix])
            if ix == 0:
                break
        record.append(''.join(out))
    return start


def test_part1_bigram_as_a_one_layer_net(torch):
    # the lecture's float32: xenc = ....float() @ W (PyTorch's matmul refuses float32 @
    # float64; here W is float64, NumPy's default, and the product float64)
    torch.set_default_dtype(torch.float32)
    words = names(60, seed=1)
    mine, theirs, draws = [], [], Draws()
    start = bigram_as_a_net(*libraries(torch), words, draws, None, theirs)
    bigram_as_a_net(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs, rtol=2e-5, atol=1e-7)


# ------------------------------------------------------------------ part 2: the MLP
block_size = 3  # context length: how many characters do we take to predict the next one?


def build_dataset(torch, words, stoi):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]  # crop and append
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    return X, Y


def mlp(torch, F, words, draws, start, record):
    stoi, itos = character_tables(words)
    words = list(words)
    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8*len(words))
    n2 = int(0.9*len(words))
    Xtr, Ytr = build_dataset(torch, words[:n1], stoi)
    Xdev, Ydev = build_dataset(torch, words[n1:n2], stoi)

    # the lecture's first look at the embedding
    C = torch.randn((27, 2))
    emb = C[Xtr[:32]]
    record.append(list(emb.shape))
    a = torch.cat([emb[:, 0, :], emb[:, 1, :], emb[:, 2, :]], 1)
    b = torch.cat(torch.unbind(emb, 1), 1)
    assert torch.all(a == b).item() and (emb.view(32, 6) == a).all().item()
    record.append(torch.arange(18).view(3, 3, 2).numpy())

    g = torch.Generator().manual_seed(2147483647)  # for reproducibility
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 64), generator=g)
    b1 = torch.randn(64, generator=g)
    W2 = torch.randn((64, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    start = take_start(parameters, start)
    record.append(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    lri, lossi, stepi = [], [], []
    for i in range(12):
        # minibatch construct
        ix = draws(torch, torch.randint(0, Xtr.shape[0], (32,), generator=g))
        # forward pass
        emb = C[Xtr[ix]]  # (32, 3, 10)
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)  # (32, 64)
        logits = h @ W2 + b2  # (32, 27)
        if i == 0:  # the loss by hand, as the lecture writes it first
            counts = logits.exp()
            prob = counts / counts.sum(1, keepdims=True)
            record.append((-prob[torch.arange(32), Ytr[ix]].log().mean()).item())
        loss = F.cross_entropy(logits, Ytr[ix])
        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()
        record += [p.grad.numpy().copy() for p in parameters]
        # update
        lr = lrs[i * 80] if i < 8 else 0.1
        for p in parameters:
            p.data += -lr * p.grad
        # track stats
        lri.append(lre[i * 80].item())
        stepi.append(i)
        lossi.append(loss.log10().item())
    record += [lri, lossi] + [p.detach().numpy().copy() for p in parameters]

    emb = C[Xdev]  # (n, 3, 10)
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)  # (n, 64)
    logits = h @ W2 + b2  # (n, 27)
    record.append(F.cross_entropy(logits, Ydev).item())

    # sample from the model
    g = torch.Generator().manual_seed(2147483647 + 10)
    for _ in range(3):
        out = []
        context = [0] * block_size  # initialize with all ...
        while True:
            emb = C[torch.tensor([context])]  # (1,block_size,d)
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            record.append(probs.detach().numpy().copy())
            ix = draws(torch, torch.multinomial(probs, num_samples=1, generator=g)).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        record.append(''.join(itos[i] for i in out))
    return start


def test_part2_mlp(torch):
    words = names(120, seed=2)
    mine, theirs, draws = [], [], Draws()
    start = mlp(*libraries(torch), words, draws, None, theirs)
    mlp(*libraries(), words, draws.replay(), start, mine)
    assert_records(mine, theirs)


def test_the_generator_line_draws_as_numpy():
    """``torch.Generator().manual_seed(2147483647)`` here draws as NumPy's generator of
    that seed, so a port's own draws repeat from run to run."""
    T, _ = libraries()
    g = T.Generator().manual_seed(2147483647)
    np.testing.assert_array_equal(T.randn((27, 27), generator=g).numpy(),
                                  np.random.default_rng(2147483647).standard_normal((27, 27)))
