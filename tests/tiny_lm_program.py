"""A tiny causal GPT (one or more pre-norm blocks, learned positions) shared by the
preference-learning and decoding ports: ``model(input_ids, attention_mask=None)`` returns
the logits, as a Hugging Face causal LM's ``.logits``; padded keys (mask 0) are masked out
by ``masked_fill`` with the dtype's most negative number, as Hugging Face does. With
``use_cache=True`` it returns Hugging Face's pair, ``.logits`` and ``.past_key_values`` (a
``(k, v)`` pair per layer, ``(batch, heads, positions, head_dim)``), and continues from
``past_key_values`` when given one."""

import types

from dataclasses import dataclass


@dataclass
class TinyConfig:
    vocab_size: int = 12
    n_positions: int = 16
    n_embd: int = 16
    n_head: int = 2
    n_layer: int = 1
    pad_token_id: int = 0


def tiny_lm_program(torch, nn, F):
    class CausalSelfAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.n_head = config.n_head
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd)

        def forward(self, x, attention_mask=None, layer_past=None):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                       for t in (q, k, v))
            if layer_past is not None:
                k = torch.cat((layer_past[0], k), dim=-2)
                v = torch.cat((layer_past[1], v), dim=-2)
            present = (k, v)
            S = k.size(-2)  # cached and new positions
            att = (q @ k.transpose(-2, -1)) / (k.size(-1) ** 0.5)
            keep = torch.tril(torch.ones(T, S, dtype=torch.bool), diagonal=S - T)
            if attention_mask is not None:
                keep = keep & attention_mask[:, None, None, :].bool()
            att = att.masked_fill(~keep, torch.finfo(att.dtype).min)
            y = F.softmax(att, dim=-1) @ v
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)), present

    class Block(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = nn.LayerNorm(config.n_embd)
            self.mlp = nn.Sequential(nn.Linear(config.n_embd, 4 * config.n_embd),
                                     nn.GELU(approximate="tanh"),
                                     nn.Linear(4 * config.n_embd, config.n_embd))

        def forward(self, x, attention_mask=None, layer_past=None):
            a, present = self.attn(self.ln_1(x), attention_mask, layer_past)
            x = x + a
            return x + self.mlp(self.ln_2(x)), present

    class TinyGPT(nn.Module):
        def __init__(self, config, score_head=False):
            super().__init__()
            self.config = config
            self.wte = nn.Embedding(config.vocab_size, config.n_embd)
            self.wpe = nn.Embedding(config.n_positions, config.n_embd)
            self.h = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
            self.ln_f = nn.LayerNorm(config.n_embd)
            out = 1 if score_head else config.vocab_size  # ...ForSequenceClassification's
            self.lm_head = nn.Linear(config.n_embd, out, bias=False)

        def forward(self, input_ids, attention_mask=None, past_key_values=None,
                    use_cache=False):
            past_length = 0 if past_key_values is None else past_key_values[0][0].size(-2)
            pos = torch.arange(past_length, past_length + input_ids.size(1))
            x = self.wte(input_ids) + self.wpe(pos)
            presents = []
            for i, block in enumerate(self.h):
                layer_past = None if past_key_values is None else past_key_values[i]
                x, present = block(x, attention_mask, layer_past)
                presents.append(present)
            logits = self.lm_head(self.ln_f(x))
            if use_cache:
                return types.SimpleNamespace(logits=logits, past_key_values=presents)
            return logits

    return TinyGPT
