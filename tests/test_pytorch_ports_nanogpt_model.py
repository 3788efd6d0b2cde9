"""nanoGPT's ``model.py`` (Karpathy), ported as written: ``LayerNorm`` with an optional
bias, ``CausalSelfAttention`` with one ``c_attn`` split into heads and both of its paths
(``F.scaled_dot_product_attention(..., is_causal=True)`` and the manual one over the
``bias`` buffer), ``MLP`` with ``nn.GELU()`` (and the older ``new_gelu``), ``Block``,
``GPT`` with weight tying, ``_init_weights`` and the scaled ``c_proj`` init,
``configure_optimizers`` (decay by ``p.dim() >= 2``), ``crop_block_size``, ``generate``
(temperature, top-k) and ``estimate_mfu``. It steps next to PyTorch from the same weights
and batches (float64, dropout 0; losses, gradients and parameters to 1e-10), and runs with
dropout 0.1. The training script is ``test_pytorch_ports_nanogpt_train.py``.

Lines written differently here:
- ``torch.nn.functional``, ``torch.nn.init`` and ``torch.optim`` are ``F``, ``nn.init`` and
  ``optim`` (``autograd`` never imports ``nn``; its ``MissingNameError`` says so);
- ``self.flash`` also reads the test's switch, so that both attention paths run;
- ``from_pretrained`` (Hugging Face's GPT-2 weights) is left out: no downloads in tests.
  Its ``sd = model.state_dict()`` then ``sd[k].copy_(sd_hf[k].t())`` raises
  ``UsageError`` here: ``state_dict()`` holds read-only copies (the README's choice), not
  PyTorch's views; write ``model.load_state_dict({k: ...})`` instead;
- ``generate``'s ``torch.multinomial`` draws from each library's generator: ``top_k=1``
  makes the draw certain, so the two generations are compared token for token.
"""

import inspect
import math
from dataclasses import dataclass

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_gpt_lecture import (TEXT, assert_records, libraries, step_records,
                                            to_numpy)



@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304  # GPT-2 vocab_size of 50257, padded up to nearest multiple of 64
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True  # True: bias in Linears and LayerNorms, like GPT-2. False: a bit better
    flash: bool = True  # the test's switch: False takes the manual attention path
    gelu: str = "module"  # the test's switch: "new_gelu" is the older model.py's function


def nanogpt(torch, nn, F, optim):
    """model.py's classes for one library; returns GPT."""

    def new_gelu(x):
        """GELU as in Google BERT's repo (identical to OpenAI GPT)."""
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                           * (x + 0.044715 * torch.pow(x, 3.0))))

    class LayerNorm(nn.Module):
        """ LayerNorm but with an optional bias. PyTorch doesn't support simply bias=False """

        def __init__(self, ndim, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, input):
            return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):

        def __init__(self, config):
            super().__init__()
            assert config.n_embd % config.n_head == 0
            # key, query, value projections for all heads, but in a batch
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            # output projection
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            # regularization
            self.attn_dropout = nn.Dropout(config.dropout)
            self.resid_dropout = nn.Dropout(config.dropout)
            self.n_head = config.n_head
            self.n_embd = config.n_embd
            self.dropout = config.dropout
            # flash attention make GPU go brrrrr but support is only in PyTorch >= 2.0
            self.flash = hasattr(F, 'scaled_dot_product_attention') and config.flash
            if not self.flash:
                # causal mask to ensure that attention is only applied to the left
                self.register_buffer("bias", torch.tril(torch.ones(config.block_size,
                                                                   config.block_size))
                                     .view(1, 1, config.block_size, config.block_size))

        def forward(self, x):
            B, T, C = x.size()  # batch size, sequence length, embedding dimensionality

            # query, key, values for all heads in batch and move head forward to be the batch
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)

            # causal self-attention; (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)
            if self.flash:
                # efficient attention using Flash Attention CUDA kernels
                y = F.scaled_dot_product_attention(
                    q, k, v, attn_mask=None, dropout_p=self.dropout if self.training else 0,
                    is_causal=True)
            else:
                # manual implementation of attention
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
                att = F.softmax(att, dim=-1)
                att = self.attn_dropout(att)
                y = att @ v  # (B, nh, T, T) x (B, nh, T, hs) -> (B, nh, T, hs)
            y = y.transpose(1, 2).contiguous().view(B, T, C)  # re-assemble all head outputs

            # output projection
            y = self.resid_dropout(self.c_proj(y))
            return y

    class MLP(nn.Module):

        def __init__(self, config):
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
            self.gelu = nn.GELU() if config.gelu == "module" else new_gelu
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x):
            x = self.c_fc(x)
            x = self.gelu(x)
            x = self.c_proj(x)
            x = self.dropout(x)
            return x

    class Block(nn.Module):

        def __init__(self, config):
            super().__init__()
            self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP(config)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlp(self.ln_2(x))
            return x

    class GPT(nn.Module):

        def __init__(self, config):
            super().__init__()
            assert config.vocab_size is not None
            assert config.block_size is not None
            self.config = config

            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            ))
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying

            # init all weights
            self.apply(self._init_weights)
            # apply special scaled init to the residual projections, per GPT-2 paper
            for pn, p in self.named_parameters():
                if pn.endswith('c_proj.weight'):
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

            # report number of parameters
            print("number of parameters: %.2fM" % (self.get_num_params() / 1e6,))

        def get_num_params(self, non_embedding=True):
            """The number of parameters, without the position embeddings by default."""
            n_params = sum(p.numel() for p in self.parameters())
            if non_embedding:
                n_params -= self.transformer.wpe.weight.numel()
            return n_params

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            device = idx.device
            b, t = idx.size()
            assert t <= self.config.block_size, \
                f"Cannot forward sequence of length {t}, block size is only " \
                f"{self.config.block_size}"
            pos = torch.arange(0, t, dtype=torch.long, device=device)  # shape (t)

            # forward the GPT model itself
            tok_emb = self.transformer.wte(idx)  # token embeddings of shape (b, t, n_embd)
            pos_emb = self.transformer.wpe(pos)  # position embeddings of shape (t, n_embd)
            x = self.transformer.drop(tok_emb + pos_emb)
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)

            if targets is not None:
                # if we are given some desired targets also calculate the loss
                logits = self.lm_head(x)
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            else:
                # inference-time mini-optimization: only forward the lm_head on the very last
                # position
                logits = self.lm_head(x[:, [-1], :])  # note: using list [-1] to keep time dim
                loss = None

            return logits, loss

        def crop_block_size(self, block_size):
            # model surgery to decrease the block size if necessary
            assert block_size <= self.config.block_size
            self.config.block_size = block_size
            self.transformer.wpe.weight = nn.Parameter(self.transformer.wpe.weight[:block_size])
            for block in self.transformer.h:
                if hasattr(block.attn, 'bias'):
                    block.attn.bias = block.attn.bias[:, :, :block_size, :block_size]

        def configure_optimizers(self, weight_decay, learning_rate, betas, device_type):
            # start with all of the candidate parameters
            param_dict = {pn: p for pn, p in self.named_parameters()}
            # filter out those that do not require grad
            param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
            # create optim groups. Any parameters that is 2D will be weight decayed, otherwise
            # no. i.e. all weight tensors in matmuls + embeddings decay, all biases and
            # layernorms don't.
            decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
            nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
            optim_groups = [
                {'params': decay_params, 'weight_decay': weight_decay},
                {'params': nodecay_params, 'weight_decay': 0.0}
            ]
            num_decay_params = sum(p.numel() for p in decay_params)
            num_nodecay_params = sum(p.numel() for p in nodecay_params)
            print(f"num decayed parameter tensors: {len(decay_params)}, with "
                  f"{num_decay_params:,} parameters")
            print(f"num non-decayed parameter tensors: {len(nodecay_params)}, with "
                  f"{num_nodecay_params:,} parameters")
            # Create AdamW optimizer and use the fused version if it is available
            fused_available = 'fused' in inspect.signature(optim.AdamW).parameters
            use_fused = fused_available and device_type == 'cuda'
            extra_args = dict(fused=True) if use_fused else dict()
            optimizer = optim.AdamW(optim_groups, lr=learning_rate, betas=betas, **extra_args)
            print(f"using fused AdamW: {use_fused}")

            return optimizer

        def estimate_mfu(self, fwdbwd_per_iter, dt):
            """ estimate model flops utilization (MFU) in units of A100 bfloat16 peak FLOPS """
            # first estimate the number of flops we do per iteration.
            # see PaLM paper Appendix B as ref: https://arxiv.org/abs/2204.02311
            N = self.get_num_params()
            cfg = self.config
            L, H, Q, T = cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, cfg.block_size
            flops_per_token = 6 * N + 12 * L * H * Q * T
            flops_per_fwdbwd = flops_per_token * T
            flops_per_iter = flops_per_fwdbwd * fwdbwd_per_iter
            # express our flops throughput as ratio of A100 bfloat16 peak flops
            flops_achieved = flops_per_iter * (1.0 / dt)  # per second
            flops_promised = 312e12  # A100 GPU bfloat16 peak flops is 312 TFLOPS
            mfu = flops_achieved / flops_promised
            return mfu

        @torch.no_grad()
        def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
            """Complete the sequence idx (b,t) max_new_tokens times, each fed back in."""
            for _ in range(max_new_tokens):
                # if the sequence context is growing too long we must crop it at block_size
                idx_cond = idx if idx.size(1) <= self.config.block_size \
                    else idx[:, -self.config.block_size:]
                # forward the model to get the logits for the index in the sequence
                logits, _ = self(idx_cond)
                # pluck the logits at the final step and scale by desired temperature
                logits = logits[:, -1, :] / temperature
                # optionally crop the logits to only the top k options
                if top_k is not None:
                    v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                    logits[logits < v[:, [-1]]] = -float('Inf')
                # apply softmax to convert logits to (normalized) probabilities
                probs = F.softmax(logits, dim=-1)
                # sample from the distribution
                idx_next = torch.multinomial(probs, num_samples=1)
                # append sampled index to the running sequence and continue
                idx = torch.cat((idx, idx_next), dim=1)

            return idx

    return GPT


# ------------------------------------------------------------------ the tests
CONFIG = dict(block_size=8, vocab_size=len(set(TEXT)), n_layer=2, n_head=2, n_embd=16)


def batches(steps: int, batch_size: int = 4, block_size: int = 8) -> list:
    rng = np.random.default_rng(0)
    ids = np.array([sorted(set(TEXT)).index(c) for c in TEXT])
    starts = rng.integers(0, len(ids) - block_size, (steps, batch_size))
    return [(np.stack([ids[i:i + block_size] for i in ix]),
             np.stack([ids[i + 1:i + 1 + block_size] for i in ix])) for ix in starts]


def model_steps(torch, optimizer, model, data) -> list:
    record = []
    for x, y in data:
        logits, loss = model(torch.tensor(x), torch.tensor(y))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        record += step_records(model, loss)
        optimizer.step()
    return record + [p.detach().numpy().copy() for p in model.parameters()]


def both_models(torch, **config) -> tuple:
    """PyTorch's GPT and ours from the same state dict (ours inits on its own first)."""
    torch.manual_seed(1337)
    theirs = nanogpt(*libraries(torch))(GPTConfig(**config))
    ours = nanogpt(*libraries())(GPTConfig(**config))
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    return ours, theirs


@pytest.mark.parametrize("flash, bias, gelu", [(True, False, "module"),
                                               (False, True, "new_gelu")])
def test_gpt_trains_as_torch(torch, capsys, flash, bias, gelu):
    ours, theirs = both_models(torch, **CONFIG, flash=flash, bias=bias, gelu=gelu)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == printed[1] == "number of parameters: 0.01M"
    assert ours.transformer.wte.weight is ours.lm_head.weight  # tied, after loading too
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours.get_num_params() == theirs.get_num_params()
    assert ours.get_num_params(non_embedding=False) == theirs.get_num_params(False)
    runs = []
    for lib, model in ((ag, ours), (torch, theirs)):
        optimizer = model.configure_optimizers(0.1, 1e-3, (0.9, 0.95), 'cpu')
        record = [capsys.readouterr().out, [g['weight_decay'] for g in optimizer.param_groups],
                  model.estimate_mfu(4 * 2, 0.5)]
        runs.append(record + model_steps(lib, optimizer, model, batches(3)))
    assert_records(*runs)


def test_crop_block_size_as_torch(torch):
    ours, theirs = both_models(torch, **dict(CONFIG, block_size=16), flash=False)
    for model in (ours, theirs):
        model.crop_block_size(8)
    wpe = ours.transformer.wpe.weight
    assert wpe.shape == (8, 16) and wpe.is_leaf and wpe.requires_grad
    assert ours.transformer.h[0].attn.bias.shape == (1, 1, 8, 8)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    with pytest.raises(AssertionError, match="block size is only 8"):
        ours(ag.zeros((1, 9), dtype=ag.long))
    runs = []
    for lib, model in ((ag, ours), (torch, theirs)):
        optimizer = model.configure_optimizers(0.1, 1e-3, (0.9, 0.95), 'cpu')
        runs.append(model_steps(lib, optimizer, model, batches(2)))
    assert_records(*runs)


def test_generate_as_torch(torch):
    ours, theirs = both_models(torch, **CONFIG)
    runs = []
    for lib, model in ((ag, ours), (torch, theirs)):
        model.eval()
        x = (lib.tensor([3, 1, 4], dtype=lib.long, device='cpu')[None, ...])
        y = model.generate(x, 12, temperature=0.8, top_k=1)  # past block_size
        runs.append(y[0].tolist())
    assert runs[0] == runs[1] and len(runs[0]) == 15
    ag.manual_seed(1337)
    sampled = ours.generate(ag.tensor([[0]]), 10, temperature=1.2, top_k=3)
    assert sampled.shape == (1, 11) and sampled.dtype == np.int64


def test_gpt_trains_with_dropout():
    ag.manual_seed(1337)
    model = nanogpt(*libraries())(GPTConfig(**CONFIG, dropout=0.1))
    optimizer = model.configure_optimizers(0.1, 3e-3, (0.9, 0.95), 'cpu')
    record = model_steps(ag, optimizer, model, batches(5))
    assert all(np.all(np.isfinite(r)) for r in record)
    x, y = (ag.tensor(a) for a in batches(1)[0])
    assert model(x, y)[1].item() != model(x, y)[1].item()  # dropout draws anew
    model.eval()
    assert model(x, y)[1].item() == model(x, y)[1].item()
