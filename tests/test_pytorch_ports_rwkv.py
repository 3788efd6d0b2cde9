"""RWKV-4 as BlinkDL's ``RWKV-LM`` (``RWKV-v4/src/model.py``, its GPT mode) and
``RWKV_in_150_lines.py`` (its RNN mode) write it, next to PyTorch (float64, the same
weights):
- time-mix and channel-mix, each mixing the token with the previous one by
  ``nn.ZeroPad2d((0, 0, 1, -1))`` (a negative pad crops the last step) and the "fancy
  init" of ``time_decay``, ``time_first`` and ``time_mix_*`` under ``torch.no_grad()``,
  filled element by element;
- the WKV sum in the numerically stable running form of the CUDA kernel
  (``torch.maximum`` of log-scales), or all at once as a softmax over a ``(C, T, T)``
  table of log-weights, ``(t - 1 - i) * w + k_i`` below the diagonal and ``u + k_t`` on it;
- the RNN mode: one token at a time with the state ``(x, aa, bb, pp)`` per layer.
Training steps (AdamW, cross-entropy) agree with PyTorch to 1e-10, and the two WKV forms
and the RNN mode give the same logits in both libraries.

Lines written differently here: none. The CUDA kernel is written as its loop
(``wkv_running``), which is what RWKV's own CPU fallbacks do.
"""

import math

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries

VOCAB, N_EMBD, N_LAYER, CTX = 11, 8, 2, 7


def rwkv_program(torch, nn, F):
    def wkv_running(w, u, k, v):
        """The CUDA kernel's loop: weights exp(k_i + (t - 1 - i) w), exp(u + k_t) for i = t,
        scaled by the running maximum pp of their logs."""
        B, T, C = k.size()
        aa = torch.zeros(B, C)
        bb = torch.zeros(B, C)
        pp = torch.full((B, C), -1e38)
        ys = []
        for t in range(T):
            kk, vv = k[:, t], v[:, t]
            ww = u + kk
            p = torch.maximum(pp, ww)
            e1, e2 = torch.exp(pp - p), torch.exp(ww - p)
            ys.append((e1 * aa + e2 * vv) / (e1 * bb + e2))
            ww = w + pp
            p = torch.maximum(ww, kk)
            e1, e2 = torch.exp(ww - p), torch.exp(kk - p)
            aa = e1 * aa + e2 * vv
            bb = e1 * bb + e2
            pp = p
        return torch.stack(ys, dim=1)

    def wkv_parallel(w, u, k, v):
        """All steps at once: softmax over i <= t of the log-weights, then a weighted sum."""
        B, T, C = k.size()
        t = torch.arange(T)
        before = t[:, None] > t[None, :]
        dist = (t[:, None] - 1 - t[None, :]).to(k.dtype)
        logw = torch.where(before, dist * w[:, None, None], float("-inf"))  # (C, T, T)
        logw = torch.where(torch.eye(T, dtype=torch.bool), u[:, None, None], logw)
        logits = logw.unsqueeze(0) + k.transpose(1, 2).unsqueeze(2)  # (B, C, T, T)
        return torch.einsum("bctj,bjc->btc", torch.softmax(logits, dim=-1), v)

    def fancy_ramp(n_embd):
        x = torch.ones(1, 1, n_embd)
        for i in range(n_embd):
            x[0, 0, i] = i / n_embd
        return x

    class RWKV_TimeMix(nn.Module):
        def __init__(self, n_embd, n_layer, layer_id, parallel):
            super().__init__()
            attn_sz, self.parallel = n_embd, parallel
            with torch.no_grad():  # fancy init
                ratio_0_to_1 = layer_id / (n_layer - 1)  # 0 to 1
                ratio_1_to_almost0 = 1.0 - (layer_id / n_layer)  # 1 to ~0
                decay_speed = torch.ones(attn_sz)
                for h in range(attn_sz):
                    decay_speed[h] = -5 + 8 * (h / (attn_sz - 1)) ** (0.7 + 1.3 * ratio_0_to_1)
                self.time_decay = nn.Parameter(decay_speed)
                zigzag = torch.tensor([(i + 1) % 3 - 1 for i in range(attn_sz)]) * 0.5
                self.time_first = nn.Parameter(torch.ones(attn_sz) * math.log(0.3) + zigzag)
                x = fancy_ramp(n_embd)
                self.time_mix_k = nn.Parameter(torch.pow(x, ratio_1_to_almost0))
                self.time_mix_v = nn.Parameter(torch.pow(x, ratio_1_to_almost0)
                                               + 0.3 * ratio_0_to_1)
                self.time_mix_r = nn.Parameter(torch.pow(x, 0.5 * ratio_1_to_almost0))
            self.time_shift = nn.ZeroPad2d((0, 0, 1, -1))
            self.key = nn.Linear(n_embd, attn_sz, bias=False)
            self.value = nn.Linear(n_embd, attn_sz, bias=False)
            self.receptance = nn.Linear(n_embd, attn_sz, bias=False)
            self.output = nn.Linear(attn_sz, n_embd, bias=False)

        def mix(self, x, xx):
            xk = x * self.time_mix_k + xx * (1 - self.time_mix_k)
            xv = x * self.time_mix_v + xx * (1 - self.time_mix_v)
            xr = x * self.time_mix_r + xx * (1 - self.time_mix_r)
            return torch.sigmoid(self.receptance(xr)), self.key(xk), self.value(xv)

        def forward(self, x):
            sr, k, v = self.mix(x, self.time_shift(x))
            wkv = wkv_parallel if self.parallel else wkv_running
            return self.output(sr * wkv(-torch.exp(self.time_decay), self.time_first, k, v))

        def step(self, x, state):
            """RWKV_in_150_lines' time_mixing, with the kernel's scaling: state (x, aa, bb, pp)."""
            last_x, aa, bb, pp = state
            sr, k, v = self.mix(x, last_x)
            ww = self.time_first + k
            p = torch.maximum(pp, ww)
            e1, e2 = torch.exp(pp - p), torch.exp(ww - p)
            out = self.output(sr * (e1 * aa + e2 * v) / (e1 * bb + e2))
            ww = pp - torch.exp(self.time_decay)
            p = torch.maximum(ww, k)
            e1, e2 = torch.exp(ww - p), torch.exp(k - p)
            return out, (x, e1 * aa + e2 * v, e1 * bb + e2, p)

    class RWKV_ChannelMix(nn.Module):
        def __init__(self, n_embd, n_layer, layer_id):
            super().__init__()
            self.time_shift = nn.ZeroPad2d((0, 0, 1, -1))
            with torch.no_grad():  # fancy init of time_mix
                ratio_1_to_almost0 = 1.0 - (layer_id / n_layer)  # 1 to ~0
                x = fancy_ramp(n_embd)
                self.time_mix_k = nn.Parameter(torch.pow(x, ratio_1_to_almost0))
                self.time_mix_r = nn.Parameter(torch.pow(x, ratio_1_to_almost0))
            hidden_sz = 4 * n_embd
            self.key = nn.Linear(n_embd, hidden_sz, bias=False)
            self.receptance = nn.Linear(n_embd, n_embd, bias=False)
            self.value = nn.Linear(hidden_sz, n_embd, bias=False)

        def forward(self, x, xx=None):
            xx = self.time_shift(x) if xx is None else xx
            xk = x * self.time_mix_k + xx * (1 - self.time_mix_k)
            xr = x * self.time_mix_r + xx * (1 - self.time_mix_r)
            k = torch.square(torch.relu(self.key(xk)))
            return torch.sigmoid(self.receptance(xr)) * self.value(k)

    class Block(nn.Module):
        def __init__(self, n_embd, n_layer, layer_id, parallel):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)
            self.att = RWKV_TimeMix(n_embd, n_layer, layer_id, parallel)
            self.ffn = RWKV_ChannelMix(n_embd, n_layer, layer_id)

        def forward(self, x):
            x = x + self.att(self.ln1(x))
            return x + self.ffn(self.ln2(x))

        def step(self, x, state):
            att_state, ffn_last = state
            h = self.ln1(x)
            dx, att_state = self.att.step(h, att_state)
            x = x + dx
            h = self.ln2(x)
            return x + self.ffn(h, ffn_last), (att_state, h)

    class GPT(nn.Module):
        def __init__(self, parallel=False):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, N_EMBD)
            self.blocks = nn.Sequential(*[Block(N_EMBD, N_LAYER, i, parallel)
                                          for i in range(N_LAYER)])
            self.ln_out = nn.LayerNorm(N_EMBD)
            self.head = nn.Linear(N_EMBD, VOCAB, bias=False)

        def forward(self, idx, targets=None):
            x = self.ln_out(self.blocks(self.emb(idx)))
            logits = self.head(x)
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

        @torch.no_grad()
        def run_rnn(self, idx):
            """The RNN mode: one token at a time, a zero state to start (pp at -1e38)."""
            B, T = idx.shape
            zeros = torch.zeros(B, 1, N_EMBD)  # a step is (B, 1, C), as the mixes' (1, 1, C)
            states = [((zeros, zeros, zeros, torch.full((B, 1, N_EMBD), -1e38)), zeros)
                      for _ in self.blocks]
            out = []
            for t in range(T):
                x = self.emb(idx[:, t: t + 1])
                for i, block in enumerate(self.blocks):
                    x, states[i] = block.step(x, states[i])
                out.append(self.head(self.ln_out(x)))
            return torch.cat(out, dim=1)

    return GPT


def train_records(torch, model, tokens, steps: int = 3) -> list:
    torch_, _, _, optim = libraries(torch)
    optimizer = optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.99), eps=1e-8)
    records = []
    for _ in range(steps):
        # the dataset's (x, y) pairs are two tensors: y.view(-1) needs a contiguous y
        _, loss = model(torch_.tensor(tokens[:, :-1]), torch_.tensor(tokens[:, 1:]))
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in model.parameters()]


@pytest.mark.parametrize("parallel", [False, True], ids=["running", "parallel"])
def test_rwkv4_trains_as_torch(torch, parallel: bool) -> None:
    tokens = np.random.default_rng(0).integers(0, VOCAB, (2, CTX + 1))
    ours, theirs = both_layers(torch, rwkv_program, parallel)
    assert_records(train_records(None, ours, tokens), train_records(torch, theirs, tokens))


def test_rwkv4_gpt_forms_and_rnn_mode_give_the_same_logits(torch) -> None:
    tokens = np.random.default_rng(1).integers(0, VOCAB, (2, CTX))
    runs = []
    for lib in (ag, torch):
        running, theirs = both_layers(torch, rwkv_program, False)
        model = running if lib is ag else theirs
        with lib.no_grad():
            logits = model(lib.tensor(tokens))[0].numpy()
            for block in model.blocks:
                block.att.parallel = True
            parallel = model(lib.tensor(tokens))[0].numpy()
        np.testing.assert_allclose(parallel, logits, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(model.run_rnn(lib.tensor(tokens)).numpy(), logits,
                                   rtol=1e-10, atol=1e-12)
        runs.append(logits)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-12)
