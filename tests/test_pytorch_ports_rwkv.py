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
- the RNN mode: one token at a time with the state ``(x, aa, bb, pp)`` per layer;
- training as RWKV-v4neo's: the loss through ``L2Wrap`` (an ``autograd.Function`` whose
  backward adds a push of each row's largest logit towards 0, by ``gy.scatter_``), Adam
  groups with a ``my_lr_scale`` key, the warm-up and exponential decay set per group.
Training steps agree with PyTorch to 1e-10, and the two WKV forms
and the RNN mode give the same logits in both libraries.

Lines written differently here: ``torch.autograd.Function`` is ``autograd.Function``
(the package is ``autograd``). The CUDA kernel is written as its loop
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
    # torch.autograd.Function is autograd.Function here: ``autograd`` is the package itself
    Function = torch.autograd.Function if torch.__name__ == "torch" else torch.Function

    class L2Wrap(Function):
        @staticmethod
        def forward(ctx, loss, y):
            ctx.save_for_backward(y)
            return loss

        @staticmethod
        def backward(ctx, grad_output):
            y = ctx.saved_tensors[0]
            # to encourage the logits to be close to 0
            factor = 1e-4 / (y.shape[0] * y.shape[1])
            maxx, ids = torch.max(y, -1, keepdim=True)
            gy = torch.zeros_like(y)
            gy.scatter_(-1, ids, maxx * factor)
            return (grad_output, gy)

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
                loss = L2Wrap.apply(loss, logits)
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


def configure_optimizers(torch, model, lr_init):
    """RWKV-v4neo's layer-wise groups: time_mix at 1x, time_decay at 2x, time_first at 3x
    the learning rate, by an extra ``my_lr_scale`` key the trainer reads."""
    lr_1x, lr_2x, lr_3x = set(), set(), set()
    for n, p in model.named_parameters():
        if "time_decay" in n:
            lr_2x.add(n)
        elif "time_first" in n:
            lr_3x.add(n)
        else:
            lr_1x.add(n)
    param_dict = {n: p for n, p in model.named_parameters()}
    optim_groups = [
        {"params": [param_dict[n] for n in sorted(lr_1x)], "weight_decay": 0.0,
         "my_lr_scale": 1.0},
        {"params": [param_dict[n] for n in sorted(lr_2x)], "weight_decay": 0.0,
         "my_lr_scale": 2.0},
        {"params": [param_dict[n] for n in sorted(lr_3x)], "weight_decay": 0.0,
         "my_lr_scale": 3.0}]
    # DeepSpeed's FusedAdam(..., bias_correction=True, adam_w_mode=False) is plain Adam
    return libraries(torch)[3].Adam(optim_groups, lr=lr_init, betas=(0.9, 0.99), eps=1e-8,
                                    weight_decay=0, amsgrad=False)


def train_records(torch, model, tokens, steps: int = 3) -> list:
    torch_ = libraries(torch)[0]
    lr_init, lr_final, w_step = 1e-2, 1e-3, 2
    optimizer = configure_optimizers(torch, model, lr_init)
    records = []
    for step in range(steps):  # the trainer's on_train_batch_start: warm-up, then decay
        progress = step / (steps - 1)
        lr = lr_init * math.exp(math.log(lr_final / lr_init) * pow(progress, 1))
        if step < w_step:
            lr = lr * (0.2 + 0.8 * step / w_step)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr * param_group["my_lr_scale"]
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
