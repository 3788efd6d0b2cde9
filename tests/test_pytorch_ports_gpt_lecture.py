"""Karpathy's "Let's build GPT: from scratch, in code, spelled out" (the lecture's notebook
and ``gpt.py``), ported as its viewers write it: the bigram language model, the four
versions of "the mathematical trick in self-attention" (``xbow`` by loops, by a
normalised ``tril`` matmul, by ``masked_fill`` + softmax, by one head of self-attention),
the scaled attention and the hand-written ``LayerNorm1d``, and the whole
``GPTLanguageModel`` with ``get_batch``, ``estimate_loss`` and the AdamW loop. Each runs
step for step next to PyTorch from the same weights and batches (float64, dropout 0):
losses, gradients and parameters agree to 1e-10; dropout 0.2 runs once on its own.

The lecture names the time axis ``T``, so the library is passed in as ``torch`` (here
``autograd``), with its ``nn``, ``F`` and ``optim``. Lines written differently here:
- ``torch.nn.init.normal_`` and ``torch.optim.AdamW`` are ``nn.init.normal_`` and
  ``optim.AdamW``: ``autograd`` never imports ``nn`` (its ``MissingNameError`` says so);
- ``torch.randint`` in ``get_batch`` and ``torch.randn`` in the notebook draw from one
  seeded NumPy generator shared by both runs (the two libraries' generators differ;
  ``autograd.randint``/``randn`` take the same arguments, checked below);
- ``generate``'s ``torch.multinomial`` draws from each library's own generator, so the
  two samples differ: PyTorch's model scores every window of ours instead;
- ``k.var()`` and ``x[:,0].std()``: NumPy's population variance here (the README's
  table), so they are written ``k.var(correction=1)``, ``std(correction=1)`` (PyTorch's
  ``var()``; ``x.var(1, keepdim=True)`` in ``LayerNorm1d`` is PyTorch's spelling as it is).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F

TEXT = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, "
        "speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n\n"
        "All:\nResolved. resolved.\n\nFirst Citizen:\nFirst, you know Caius Marcius is "
        "chief enemy to the people.\n\nAll:\nWe know't, we know't.\n\nFirst Citizen:\nLet "
        "us kill him, and we'll have corn at our own price.\nIs't a verdict?\n")


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def shared_randint(torch, seed: int = 1337):
    """``torch.randint(high, size)`` drawn from a NumPy generator both runs seed alike."""
    rng = np.random.default_rng(seed)
    return lambda high, size: torch.tensor(rng.integers(0, high, size), dtype=torch.long)


def text_data(torch, randint, block_size: int, batch_size: int) -> tuple:
    """The lecture's tokenizer, split and ``get_batch``."""
    chars = sorted(list(set(TEXT)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    encode = lambda s: [stoi[c] for c in s]  # noqa: E731 (the lecture's lambdas)
    decode = lambda l: ''.join([itos[i] for i in l])  # noqa: E731, E741
    data = torch.tensor(encode(TEXT), dtype=torch.long)
    n = int(0.9 * len(data))
    train_data = data[:n]
    val_data = data[n:]

    def get_batch(split):
        data = train_data if split == 'train' else val_data
        ix = randint(len(data) - block_size, (batch_size,))
        x = torch.stack([data[i:i + block_size] for i in ix])
        y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])
        x, y = x.to('cpu'), y.to('cpu')
        return x, y

    return vocab_size, encode, decode, get_batch


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, str):
            assert a == b, f"record {i}"
            continue
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def to_numpy(state: dict) -> dict:
    return {name: value.detach().numpy() for name, value in state.items()}


def step_records(model, loss) -> list:
    """The loss, then every parameter's gradient, by name."""
    return [loss.item()] + [p.grad.numpy().copy() for _, p in model.named_parameters()]


# ------------------------------------------------------------------ the bigram model
def bigram_program(torch, nn, F):
    class BigramLanguageModel(nn.Module):

        def __init__(self, vocab_size):
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

        def forward(self, idx, targets=None):
            logits = self.token_embedding_table(idx)  # (B,T,C)
            if targets is None:
                loss = None
            else:
                B, T, C = logits.shape
                logits = logits.view(B * T, C)
                targets = targets.view(B * T)
                loss = F.cross_entropy(logits, targets)
            return logits, loss

        def generate(self, idx, max_new_tokens):
            for _ in range(max_new_tokens):
                logits, loss = self(idx)
                logits = logits[:, -1, :]  # becomes (B, C)
                probs = F.softmax(logits, dim=-1)  # (B, C)
                idx_next = torch.multinomial(probs, num_samples=1)  # (B, 1)
                idx = torch.cat((idx, idx_next), dim=1)  # (B, T+1)
            return idx

    return BigramLanguageModel


def _bigram_run(torch, nn, F, optim, m, get_batch) -> list:
    record = []
    xb, yb = get_batch('train')
    for b in range(2):  # the lecture's walk over contexts and targets
        for t in range(8):
            context = xb[b, :t + 1]
            target = yb[b, t]
            record.append(f"when input is {context.tolist()} the target: {target}")
    logits, loss = m(xb, yb)
    record += [tuple(logits.shape), loss.item()]
    optimizer = optim.AdamW(m.parameters(), lr=1e-3)
    for steps in range(5):
        xb, yb = get_batch('train')
        logits, loss = m(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        record += step_records(m, loss)
        optimizer.step()
    return record + [m.token_embedding_table.weight.detach().numpy().copy()]


def test_bigram_model_trains_as_torch(torch):
    torch.manual_seed(1337)
    runs = []
    for lib in (libraries(torch), libraries()):
        vocab_size, encode, decode, get_batch = text_data(lib[0], shared_randint(lib[0]), 8, 4)
        runs.append((lib, bigram_program(*lib[:3])(vocab_size), get_batch))
    (theirs_lib, theirs, theirs_batches), (ours_lib, ours, ours_batches) = runs
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    want = _bigram_run(*theirs_lib, theirs, theirs_batches)
    assert_records(_bigram_run(*ours_lib, ours, ours_batches), want)
    ag.manual_seed(1337)
    decode = text_data(ag, None, 8, 4)[2]
    sample = decode(ours.generate(idx=ag.zeros((1, 1), dtype=ag.long),
                                  max_new_tokens=20)[0].tolist())
    assert len(sample) == 21 and set(sample) <= set(TEXT)


# ------------------------------------------------------------------ the mathematical trick
def toy_weighted_sum(torch, b_draw) -> list:
    """The toy example before version 1: row averages by a normalised tril matmul."""
    a = torch.tril(torch.ones(3, 3))
    a = a / torch.sum(a, 1, keepdim=True)
    b = torch.tensor(b_draw).float()  # torch.randint(0,10,(3,2)).float()
    c = a @ b
    return [a.numpy(), b.numpy(), c.numpy()]


def test_the_toy_weighted_sum_as_torch():
    """In PyTorch's default float32; ``torch.ones`` is float64 here, so ``c`` is too."""
    torch = pytest.importorskip("torch")
    b_draw = np.random.default_rng(42).integers(0, 10, (3, 2))
    assert_records(toy_weighted_sum(ag, b_draw), toy_weighted_sum(torch, b_draw), rtol=1e-6)
    assert ag.randint(0, 10, (3, 2)).float().dtype == np.float32  # the lecture's draw, here


def trick_averages(torch, F, x) -> list:
    """Versions 1-3: the running mean of x over time, by loops, matmul and softmax."""
    B, T, C = x.shape
    # version 1: for loops
    xbow = torch.zeros((B, T, C))
    for b in range(B):
        for t in range(T):
            xprev = x[b, :t + 1]  # (t,C)
            xbow[b, t] = torch.mean(xprev, 0)
    # version 2: using matrix multiply for a weighted aggregation
    wei = torch.tril(torch.ones(T, T))
    wei = wei / wei.sum(1, keepdim=True)
    xbow2 = wei @ x  # (B, T, T) @ (B, T, C) ----> (B, T, C)
    # version 3: use Softmax
    tril = torch.tril(torch.ones(T, T))
    wei = torch.zeros((T, T))
    wei = wei.masked_fill(tril == 0, float('-inf'))
    wei = F.softmax(wei, dim=-1)
    xbow3 = wei @ x
    assert torch.allclose(xbow, xbow2) and torch.allclose(xbow, xbow3)
    return [xbow.numpy(), xbow2.numpy(), xbow3.numpy(), wei.numpy()]


def trick_self_attention(torch, nn, F, x, k_draw, q_draw) -> list:
    """Version 4 (one head, weights and gradients), then the scaled attention's variance."""
    B, T, C = x.shape
    head_size = 16
    key = nn.Linear(C, head_size, bias=False)
    query = nn.Linear(C, head_size, bias=False)
    value = nn.Linear(C, head_size, bias=False)
    for layer, weight in zip((key, query, value), (0.1, -0.2, 0.3)):  # the same weights
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(np.sin(weight * np.arange(head_size * C))
                                            .reshape(head_size, C)))
    k = key(x)  # (B, T, 16)
    q = query(x)  # (B, T, 16)
    wei = q @ k.transpose(-2, -1)  # (B, T, 16) @ (B, 16, T) ---> (B, T, T)
    tril = torch.tril(torch.ones(T, T))
    wei = wei.masked_fill(tril == 0, float('-inf'))
    wei = F.softmax(wei, dim=-1)
    v = value(x)
    out = wei @ v
    out.sum().backward()
    record = [out.detach().numpy(), wei[0].detach().numpy(), key.weight.grad.numpy(),
              query.weight.grad.numpy(), value.weight.grad.numpy()]
    k = torch.tensor(k_draw)
    q = torch.tensor(q_draw)
    wei = q @ k.transpose(-2, -1) * head_size**-0.5
    record += [k.var(correction=1).item(), q.var(correction=1).item(),
               wei.var(correction=1).item()]
    record.append(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]), dim=-1).numpy())
    record.append(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]) * 8,
                                dim=-1).numpy())
    return record


def layer_norm_1d(torch, x) -> list:
    class LayerNorm1d:  # (used to be BatchNorm1d)

        def __init__(self, dim, eps=1e-5, momentum=0.1):
            self.eps = eps
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)

        def __call__(self, x):
            xmean = x.mean(1, keepdim=True)  # batch mean
            xvar = x.var(1, keepdim=True)  # batch variance
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
            self.out = self.gamma * xhat + self.beta
            return self.out

        def parameters(self):
            return [self.gamma, self.beta]

    module = LayerNorm1d(100)
    x = module(x)
    assert x.shape == (32, 100) and len(module.parameters()) == 2
    return [x.numpy(), x[:, 0].mean().item(), x[:, 0].std(correction=1).item(),
            x[0, :].mean().item(), x[0, :].std(correction=1).item()]


def test_the_mathematical_trick_in_self_attention_as_torch(torch):
    rng = np.random.default_rng(1337)  # torch.randn(B,T,C), shared
    draws = [rng.standard_normal(shape) for shape in
             [(4, 8, 2), (4, 8, 32), (4, 8, 16), (4, 8, 16), (32, 100)]]
    runs = []
    for lib, nn_lib, F, _ in (libraries(), libraries(torch)):
        record = trick_averages(lib, F, lib.tensor(draws[0]))
        x = lib.tensor(draws[1], requires_grad=True)
        record += trick_self_attention(lib, nn_lib, F, x, draws[2], draws[3])
        record.append(x.grad.numpy())
        runs.append(record + layer_norm_1d(lib, lib.tensor(draws[4])))
    assert_records(*runs)
    assert ag.randn(4, 8, 2).shape == (4, 8, 2)  # the lecture's draws, here
    assert ag.randint(len(TEXT) - 8, (4,)).dtype == np.int64
