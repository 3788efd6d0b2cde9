"""Karpathy's ``gpt.py`` (the end of "Let's build GPT"), ported as written: ``Head`` with
its ``tril`` buffer, ``MultiHeadAttention`` over an ``nn.ModuleList``, ``FeedFoward``,
``Block`` with pre-norm residuals, ``GPTLanguageModel`` with its ``_init_weights``,
``estimate_loss`` under ``@torch.no_grad()``, the AdamW loop and ``generate``. It trains
step for step next to PyTorch from the same weights and batches (float64, dropout 0),
and runs with dropout 0.2. The lines written differently, and why, are listed in
``test_pytorch_ports_gpt_lecture.py``; ``device = 'cuda' if torch.cuda.is_available() else
'cpu'`` is the script's line.
"""

import numpy as np

import autograd as ag
from test_pytorch_ports_gpt_lecture import (assert_records, libraries, shared_randint,
                                            step_records, text_data, to_numpy)


SIZES = dict(batch_size=4, block_size=8, eval_iters=2, n_embd=16, n_head=2, n_layer=2)


def gpt_program(torch, nn, F, vocab_size, batch_size, block_size, eval_iters, n_embd,
                n_head, n_layer, dropout=0.0):
    """gpt.py's model, with its hyperparameters as arguments."""
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    class Head(nn.Module):
        """ one head of self-attention """

        def __init__(self, head_size):
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer('tril', torch.tril(torch.ones(block_size, block_size)))
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            # input of size (batch, time-step, channels)
            # output of size (batch, time-step, head size)
            B, T, C = x.shape
            k = self.key(x)   # (B,T,hs)
            q = self.query(x)  # (B,T,hs)
            # compute attention scores ("affinities")
            wei = q @ k.transpose(-2, -1) * k.shape[-1]**-0.5  # (B, T, hs) @ (B, hs, T)
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float('-inf'))  # (B, T, T)
            wei = F.softmax(wei, dim=-1)  # (B, T, T)
            wei = self.dropout(wei)
            # perform the weighted aggregation of the values
            v = self.value(x)  # (B,T,hs)
            out = wei @ v  # (B, T, T) @ (B, T, hs) -> (B, T, hs)
            return out

    class MultiHeadAttention(nn.Module):
        """ multiple heads of self-attention in parallel """

        def __init__(self, num_heads, head_size):
            super().__init__()
            self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
            self.proj = nn.Linear(head_size * num_heads, n_embd)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            out = torch.cat([h(x) for h in self.heads], dim=-1)
            out = self.dropout(self.proj(out))
            return out

    class FeedFoward(nn.Module):
        """ a simple linear layer followed by a non-linearity """

        def __init__(self, n_embd):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(n_embd, 4 * n_embd),
                nn.ReLU(),
                nn.Linear(4 * n_embd, n_embd),
                nn.Dropout(dropout),
            )

        def forward(self, x):
            return self.net(x)

    class Block(nn.Module):
        """ Transformer block: communication followed by computation """

        def __init__(self, n_embd, n_head):
            # n_embd: embedding dimension, n_head: the number of heads we'd like
            super().__init__()
            head_size = n_embd // n_head
            self.sa = MultiHeadAttention(n_head, head_size)
            self.ffwd = FeedFoward(n_embd)
            self.ln1 = nn.LayerNorm(n_embd)
            self.ln2 = nn.LayerNorm(n_embd)

        def forward(self, x):
            x = x + self.sa(self.ln1(x))
            x = x + self.ffwd(self.ln2(x))
            return x

    class GPTLanguageModel(nn.Module):

        def __init__(self):
            super().__init__()
            # each token directly reads off the logits for the next token from a lookup table
            self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
            self.position_embedding_table = nn.Embedding(block_size, n_embd)
            self.blocks = nn.Sequential(*[Block(n_embd, n_head=n_head) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)  # final layer norm
            self.lm_head = nn.Linear(n_embd, vocab_size)
            # better init, not covered in the original GPT video, but important, will cover in
            # followup video
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)  # torch.nn.init
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            B, T = idx.shape

            # idx and targets are both (B,T) tensor of integers
            tok_emb = self.token_embedding_table(idx)  # (B,T,C)
            pos_emb = self.position_embedding_table(torch.arange(T, device=device))  # (T,C)
            x = tok_emb + pos_emb  # (B,T,C)
            x = self.blocks(x)  # (B,T,C)
            x = self.ln_f(x)  # (B,T,C)
            logits = self.lm_head(x)  # (B,T,vocab_size)

            if targets is None:
                loss = None
            else:
                B, T, C = logits.shape
                logits = logits.view(B * T, C)
                targets = targets.view(B * T)
                loss = F.cross_entropy(logits, targets)

            return logits, loss

        def generate(self, idx, max_new_tokens):
            # idx is (B, T) array of indices in the current context
            for _ in range(max_new_tokens):
                # crop idx to the last block_size tokens
                idx_cond = idx[:, -block_size:]
                # get the predictions
                logits, loss = self(idx_cond)
                # focus only on the last time step
                logits = logits[:, -1, :]  # becomes (B, C)
                # apply softmax to get probabilities
                probs = F.softmax(logits, dim=-1)  # (B, C)
                # sample from the distribution
                idx_next = torch.multinomial(probs, num_samples=1)  # (B, 1)
                # append sampled index to the running sequence
                idx = torch.cat((idx, idx_next), dim=1)  # (B, T+1)
            return idx

    model = GPTLanguageModel()
    m = model.to(device)
    return model, m, device


def gpt_training(torch, nn, F, optim, get_batch, model, m, device, eval_iters, max_iters=4,
                 eval_interval=2, learning_rate=1e-3) -> list:
    """gpt.py's estimate_loss and loop; the record of every step."""

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in ['train', 'val']:
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                X, Y = get_batch(split)
                logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    record = [f"{sum(p.numel() for p in m.parameters())/1e6} M parameters"]
    # create a PyTorch optimizer
    optimizer = optim.AdamW(model.parameters(), lr=learning_rate)  # torch.optim
    for iter in range(max_iters):
        # every once in a while evaluate the loss on train and val sets
        if iter % eval_interval == 0 or iter == max_iters - 1:
            losses = estimate_loss()
            record.append(f"step {iter}: train loss {losses['train']:.4f}, "
                          f"val loss {losses['val']:.4f}")
            record += [losses['train'].item(), losses['val'].item()]
        # sample a batch of data
        xb, yb = get_batch('train')
        # evaluate the loss
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        record += step_records(model, loss)
        optimizer.step()
    return record + [p.detach().numpy().copy() for p in model.parameters()]


def _build(lib, dropout=0.0):
    vocab_size, _, decode, get_batch = text_data(lib[0], shared_randint(lib[0]),
                                                 SIZES["block_size"], SIZES["batch_size"])
    model, m, device = gpt_program(*lib[:3], vocab_size, **SIZES, dropout=dropout)
    return model, m, device, decode, get_batch


def test_gpt_language_model_trains_as_torch(torch):
    torch.manual_seed(1337)
    theirs_lib, ours_lib = libraries(torch), libraries()
    theirs, theirs_m, theirs_device, _, theirs_batches = _build(theirs_lib)
    ours, ours_m, device, decode, ours_batches = _build(ours_lib)
    assert device == theirs_device == 'cpu' and ours_m is ours
    weights = [p.detach().numpy() for p in ours.parameters()]  # our own _init_weights
    assert all(np.all(w == 0) or 0.01 < w.std() < 0.03 for w in weights if w.ndim == 2)
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    want = gpt_training(*theirs_lib, theirs_batches, theirs, theirs_m, theirs_device, 2)
    got = gpt_training(*ours_lib, ours_batches, ours, ours_m, device, 2)
    assert_records(got, want)

    ag.manual_seed(1337)
    context = ag.zeros((1, 1), dtype=ag.long, device=device)
    tokens = ours_m.generate(context, max_new_tokens=12)[0].tolist()  # past block_size
    assert len(decode(tokens)) == 13
    windows = np.array([tokens[i:i + SIZES["block_size"]] for i in range(6)])
    with ag.no_grad(), torch.no_grad():  # PyTorch's model scores what ours sampled
        got, _ = ours(ag.tensor(windows))
        want, _ = theirs(torch.tensor(windows))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


def test_gpt_language_model_trains_with_dropout():
    ag.manual_seed(1337)
    model, m, device, _, get_batch = _build(libraries(), dropout=0.2)
    record = gpt_training(*libraries(), get_batch, model, m, device, 2, max_iters=6,
                          learning_rate=3e-3)
    losses = [r for r in record[1:] if isinstance(r, float)]
    assert np.all(np.isfinite(losses))
    xb, yb = get_batch('val')
    model.train()
    assert model(xb, yb)[1].item() != model(xb, yb)[1].item()  # dropout draws anew
    model.eval()
    assert model(xb, yb)[1].item() == model(xb, yb)[1].item()
