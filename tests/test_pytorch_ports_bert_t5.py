"""T5's encoder as Hugging Face's ``modeling_t5.py`` writes it, trained as a masked-token
denoiser on the generated corpus of ``test_pytorch_ports_bert_pretraining.py``, step for
step next to PyTorch (float64): ``T5LayerNorm`` (RMS, no bias, ``torch.rsqrt``),
``T5Attention`` without the 1/sqrt(d) scaling, whose first layer alone owns the
``relative_attention_bias`` embedding and computes ``compute_bias`` through
``_relative_position_bucket`` (log buckets by ``torch.log``, ``torch.where`` and
``torch.min(..., torch.full_like(...))``) and passes the bias (plus the extended mask) on
to the other layers, the ``DenseReluDense`` feed-forward, the scaled T5 initialisation,
and the LM head scaled by ``d_model ** -0.5`` when tied.

Written differently here: ``T5LayerNorm``'s ``hidden_states.to(torch.float32)`` and
``softmax(scores.float(), dim=-1).type_as(scores)`` keep float64 (``.double()``): they
are fp16 guards that would put float32 rounding into this float64 comparison, and its
``if self.weight.dtype in [torch.float16, torch.bfloat16]`` cast is left out (NumPy has no
bfloat16: ``autograd.bfloat16`` is a ``MissingNameError``). Dropout is 0 (each library
draws its own masks).
"""

import math

import autograd as ag
import nn
import nn.functional as nn_F
from bert_program import SharedDraws
from test_pytorch_ports_bert_pretraining import VOCAB, nsp_examples, toy_documents


def t5_program(torch, nn, F):
    class T5Config:
        def __init__(self, vocab_size, d_model=16, d_kv=8, d_ff=32, num_layers=2,
                     num_heads=2, relative_attention_num_buckets=8,
                     relative_attention_max_distance=16, dropout_rate=0.0,
                     layer_norm_epsilon=1e-6, initializer_factor=1.0):
            self.__dict__.update({k: v for k, v in locals().items() if k != "self"})

    class T5LayerNorm(nn.Module):
        def __init__(self, hidden_size, eps=1e-6):
            """Construct a layernorm module in the T5 style. No bias and no subtraction
            of mean."""
            super().__init__()
            self.weight = nn.Parameter(torch.ones(hidden_size))
            self.variance_epsilon = eps

        def forward(self, hidden_states):
            variance = hidden_states.double().pow(2).mean(-1, keepdim=True)  # HF: float32
            hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
            return self.weight * hidden_states

    class T5DenseActDense(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.wi = nn.Linear(config.d_model, config.d_ff, bias=False)
            self.wo = nn.Linear(config.d_ff, config.d_model, bias=False)
            self.dropout = nn.Dropout(config.dropout_rate)
            self.act = nn.ReLU()

        def forward(self, hidden_states):
            hidden_states = self.dropout(self.act(self.wi(hidden_states)))
            return self.wo(hidden_states)

    class T5LayerFF(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.DenseReluDense = T5DenseActDense(config)
            self.layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
            self.dropout = nn.Dropout(config.dropout_rate)

        def forward(self, hidden_states):
            forwarded_states = self.DenseReluDense(self.layer_norm(hidden_states))
            return hidden_states + self.dropout(forwarded_states)

    class T5Attention(nn.Module):
        def __init__(self, config, has_relative_attention_bias=False):
            super().__init__()
            self.has_relative_attention_bias = has_relative_attention_bias
            self.relative_attention_num_buckets = config.relative_attention_num_buckets
            self.relative_attention_max_distance = config.relative_attention_max_distance
            self.d_model = config.d_model
            self.key_value_proj_dim = config.d_kv
            self.n_heads = config.num_heads
            self.dropout = config.dropout_rate
            self.inner_dim = self.n_heads * self.key_value_proj_dim
            self.q = nn.Linear(self.d_model, self.inner_dim, bias=False)
            self.k = nn.Linear(self.d_model, self.inner_dim, bias=False)
            self.v = nn.Linear(self.d_model, self.inner_dim, bias=False)
            self.o = nn.Linear(self.inner_dim, self.d_model, bias=False)
            if self.has_relative_attention_bias:
                self.relative_attention_bias = nn.Embedding(
                    self.relative_attention_num_buckets, self.n_heads)

        @staticmethod
        def _relative_position_bucket(relative_position, bidirectional=True, num_buckets=32,
                                      max_distance=128):
            relative_buckets = 0
            if bidirectional:
                num_buckets //= 2
                relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
                relative_position = torch.abs(relative_position)
            else:
                relative_position = -torch.min(relative_position,
                                               torch.zeros_like(relative_position))
            # now relative_position is in the range [0, inf)
            # half of the buckets are for exact increments in positions
            max_exact = num_buckets // 2
            is_small = relative_position < max_exact
            # The other half of the buckets are for logarithmically bigger bins in positions
            # up to max_distance
            relative_position_if_large = max_exact + (
                torch.log(relative_position.float() / max_exact)
                / math.log(max_distance / max_exact)
                * (num_buckets - max_exact)
            ).to(torch.long)
            relative_position_if_large = torch.min(
                relative_position_if_large,
                torch.full_like(relative_position_if_large, num_buckets - 1))
            relative_buckets += torch.where(is_small, relative_position,
                                            relative_position_if_large)
            return relative_buckets

        def compute_bias(self, query_length, key_length, device=None):
            """Compute binned relative position bias"""
            if device is None:
                device = self.relative_attention_bias.weight.device
            context_position = torch.arange(query_length, dtype=torch.long,
                                            device=device)[:, None]
            memory_position = torch.arange(key_length, dtype=torch.long, device=device)[None, :]
            relative_position = memory_position - context_position  # (query_len, key_len)
            relative_position_bucket = self._relative_position_bucket(
                relative_position, bidirectional=True,
                num_buckets=self.relative_attention_num_buckets,
                max_distance=self.relative_attention_max_distance)
            values = self.relative_attention_bias(relative_position_bucket)
            values = values.permute([2, 0, 1]).unsqueeze(0)  # (1, heads, q_len, k_len)
            return values

        def forward(self, hidden_states, mask=None, position_bias=None):
            batch_size, seq_length = hidden_states.shape[:2]

            def shape(states):
                return states.view(batch_size, -1, self.n_heads,
                                   self.key_value_proj_dim).transpose(1, 2)

            def unshape(states):
                return states.transpose(1, 2).contiguous().view(batch_size, -1,
                                                                self.inner_dim)

            query_states = shape(self.q(hidden_states))
            key_states = shape(self.k(hidden_states))
            value_states = shape(self.v(hidden_states))
            scores = torch.matmul(query_states, key_states.transpose(3, 2))
            if position_bias is None:
                if not self.has_relative_attention_bias:
                    position_bias = torch.zeros((1, self.n_heads, seq_length, seq_length),
                                                device=scores.device, dtype=scores.dtype)
                else:
                    position_bias = self.compute_bias(seq_length, seq_length,
                                                      device=scores.device)
                if mask is not None:
                    position_bias = position_bias + mask  # (batch, heads, q_len, k_len)
            scores += position_bias
            # HF: softmax(scores.float(), ...); .float() would round this float64 run
            attn_weights = nn.functional.softmax(scores.double(), dim=-1).type_as(scores)
            attn_weights = nn.functional.dropout(attn_weights, p=self.dropout,
                                                 training=self.training)
            attn_output = unshape(torch.matmul(attn_weights, value_states))
            return self.o(attn_output), position_bias

    class T5LayerSelfAttention(nn.Module):
        def __init__(self, config, has_relative_attention_bias=False):
            super().__init__()
            self.SelfAttention = T5Attention(config, has_relative_attention_bias)
            self.layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
            self.dropout = nn.Dropout(config.dropout_rate)

        def forward(self, hidden_states, attention_mask=None, position_bias=None):
            normed_hidden_states = self.layer_norm(hidden_states)
            attention_output = self.SelfAttention(normed_hidden_states, mask=attention_mask,
                                                  position_bias=position_bias)
            hidden_states = hidden_states + self.dropout(attention_output[0])
            return (hidden_states,) + attention_output[1:]

    class T5Block(nn.Module):
        def __init__(self, config, has_relative_attention_bias=False):
            super().__init__()
            self.layer = nn.ModuleList()
            self.layer.append(T5LayerSelfAttention(config, has_relative_attention_bias))
            self.layer.append(T5LayerFF(config))

        def forward(self, hidden_states, attention_mask=None, position_bias=None):
            hidden_states, position_bias = self.layer[0](hidden_states, attention_mask,
                                                         position_bias)
            return self.layer[-1](hidden_states), position_bias

    class T5EncoderForDenoising(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.shared = nn.Embedding(config.vocab_size, config.d_model)
            self.block = nn.ModuleList([T5Block(config, has_relative_attention_bias=bool(i == 0))
                                        for i in range(config.num_layers)])
            self.final_layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
            self.dropout = nn.Dropout(config.dropout_rate)
            self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
            self.apply(self._init_weights)
            self.lm_head.weight = self.shared.weight

        def _init_weights(self, module):
            factor = self.config.initializer_factor
            d_model, d_kv, n_heads = self.config.d_model, self.config.d_kv, self.config.num_heads
            with torch.no_grad():  # HF: module.weight.data.fill_ / .normal_
                if isinstance(module, T5LayerNorm):
                    module.weight.fill_(factor * 1.0)
                elif isinstance(module, T5DenseActDense):
                    module.wi.weight.normal_(mean=0.0, std=factor * ((d_model) ** -0.5))
                    module.wo.weight.normal_(mean=0.0, std=factor * ((self.config.d_ff) ** -0.5))
                elif isinstance(module, T5Attention):
                    module.q.weight.normal_(mean=0.0, std=factor * ((d_model * d_kv) ** -0.5))
                    module.k.weight.normal_(mean=0.0, std=factor * (d_model**-0.5))
                    module.v.weight.normal_(mean=0.0, std=factor * (d_model**-0.5))
                    module.o.weight.normal_(mean=0.0, std=factor * ((n_heads * d_kv) ** -0.5))
                    if module.has_relative_attention_bias:
                        module.relative_attention_bias.weight.normal_(
                            mean=0.0, std=factor * ((d_model) ** -0.5))
                elif isinstance(module, T5EncoderForDenoising):
                    module.shared.weight.normal_(mean=0.0, std=factor * 1.0)

        def forward(self, input_ids, attention_mask, labels):
            extended_attention_mask = attention_mask[:, None, None, :].to(dtype=torch.float64)
            extended_attention_mask = (1.0 - extended_attention_mask) * torch.finfo(
                torch.float64).min
            hidden_states = self.dropout(self.shared(input_ids))
            position_bias = None
            for layer_module in self.block:
                hidden_states, position_bias = layer_module(
                    hidden_states, extended_attention_mask, position_bias)
            sequence_output = self.dropout(self.final_layer_norm(hidden_states))
            # Rescale output before projecting on vocab
            sequence_output = sequence_output * (self.config.d_model**-0.5)
            lm_logits = self.lm_head(sequence_output)
            loss_fct = nn.CrossEntropyLoss(ignore_index=-100)
            loss = loss_fct(lm_logits.view(-1, lm_logits.size(-1)), labels.view(-1))
            return loss, lm_logits, position_bias

    return T5Config, T5EncoderForDenoising


def t5_denoising(torch, nn, F, optim, record: list, weights) -> None:
    T5Config, T5EncoderForDenoising = t5_program(torch, nn, F)
    torch.manual_seed(0)
    model = T5EncoderForDenoising(T5Config(vocab_size=len(VOCAB), num_layers=3))
    weights(model)
    record.append(sorted(n for n, _ in model.named_parameters()))
    record.append(model.block[0].layer[0].SelfAttention._relative_position_bucket(
        torch.arange(-20, 20), num_buckets=8, max_distance=16))
    optimizer = optim.AdamW(model.parameters(), lr=1e-2)
    examples = nsp_examples(toy_documents(), seed=9)
    input_ids, _, attention_mask, special = [torch.tensor([e[k] for e in examples])
                                             for k in range(4)]
    torch.manual_seed(5)
    for step in range(4):
        masked = torch.bernoulli(torch.full(input_ids.shape, 0.2)).bool() & ~special.bool()
        labels = input_ids.masked_fill(~masked, -100)
        loss, lm_logits, position_bias = model(input_ids.masked_fill(masked, VOCAB["[MASK]"]),
                                               attention_mask, labels)
        optimizer.zero_grad()
        loss.backward()
        record += [loss.item(), position_bias,
                   model.block[0].layer[0].SelfAttention.relative_attention_bias.weight.grad]
        optimizer.step()
    record += list(model.parameters())


def test_t5_relative_position_bias_encoder_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records, weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    t5_denoising(SharedDraws(torch), torch.nn, torch.nn.functional, torch.optim, want, theirs)
    t5_denoising(SharedDraws(ag), nn, nn_F, nn.optim, got, ours)
    assert len(set(got[1].tolist())) == 7  # every bucket but "+0" (4) used
    assert_records(got, want)
