"""DeBERTa-v2's disentangled attention as Hugging Face's ``modeling_deberta_v2.py`` writes
it (the release with ``XSoftmax``), trained as a masked LM on the generated corpus of
``test_pytorch_ports_bert_pretraining.py``, step for step next to PyTorch (float64):
``XSoftmax`` (an ``autograd.Function`` whose backward calls
``torch._softmax_backward_data``), ``make_log_bucket_position`` (``torch.sign``,
``torch.ceil``, ``torch.where``) and ``build_relative_position``, content-to-position and
position-to-content scores gathered with ``torch.gather`` from ``torch.bmm`` products and
``torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)``, the shared
``share_att_key`` projections, the scale ``torch.sqrt(torch.tensor(d, dtype=torch.float)
* scale_factor)`` (float32 in both libraries), the relative embeddings' ``LayerNorm``,
the 2-d attention mask turned into ``mask * mask.squeeze(-2).unsqueeze(-1)``, and the
``@torch.jit.script`` helper ``c2p_dynamic_expand`` (the content-to-position gather of
DeBERTa v1 uses it).

Written differently here: ``torch.autograd.Function`` is ``autograd.Function`` (the
program gets it as ``Function``). ``StableDropout`` is 0 (it returns its input then).
"""

import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from bert_program import SharedDraws, bert_program
from test_pytorch_ports_bert_pretraining import VOCAB, nsp_examples, toy_documents


def deberta_program(torch, nn, F, Function):
    program = bert_program(torch, nn, F)

    class XSoftmax(Function):
        @staticmethod
        def forward(ctx, input, mask, dim):
            ctx.dim = dim
            rmask = ~(mask.to(torch.bool))
            output = input.masked_fill(rmask, torch.tensor(torch.finfo(input.dtype).min))
            output = torch.softmax(output, ctx.dim)
            output.masked_fill_(rmask, 0)
            ctx.save_for_backward(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            (output,) = ctx.saved_tensors
            inputGrad = torch._softmax_backward_data(grad_output, output, ctx.dim, output.dtype)
            return inputGrad, None, None

    class StableDropout(nn.Module):
        def __init__(self, drop_prob):
            super().__init__()
            self.drop_prob = drop_prob

        def forward(self, x):
            assert self.drop_prob == 0  # XDropout's draws would differ between libraries
            return x

    @torch.jit.script
    def c2p_dynamic_expand(c2p_pos, query_layer, relative_pos):
        return c2p_pos.expand([query_layer.size(0), query_layer.size(1), query_layer.size(2),
                               relative_pos.size(-1)])

    def make_log_bucket_position(relative_pos, bucket_size, max_position):
        sign = torch.sign(relative_pos)
        mid = bucket_size // 2
        abs_pos = torch.where((relative_pos < mid) & (relative_pos > -mid),
                              torch.tensor(mid - 1).type_as(relative_pos),
                              torch.abs(relative_pos))
        log_pos = torch.ceil(torch.log(abs_pos / mid)
                             / torch.log(torch.tensor((max_position - 1) / mid))
                             * (mid - 1)) + mid
        bucket_pos = torch.where(abs_pos <= mid, relative_pos.type_as(log_pos), log_pos * sign)
        return bucket_pos

    def build_relative_position(query_size, key_size, bucket_size=-1, max_position=-1,
                                device=None):
        q_ids = torch.arange(0, query_size, device=device)
        k_ids = torch.arange(0, key_size, device=device)
        rel_pos_ids = q_ids[:, None] - k_ids[None, :]
        if bucket_size > 0 and max_position > 0:
            rel_pos_ids = make_log_bucket_position(rel_pos_ids, bucket_size, max_position)
        rel_pos_ids = rel_pos_ids.to(torch.long)
        rel_pos_ids = rel_pos_ids[:query_size, :]
        rel_pos_ids = rel_pos_ids.unsqueeze(0)
        return rel_pos_ids

    class DisentangledSelfAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.num_attention_heads = config.num_attention_heads
            self.attention_head_size = config.hidden_size // config.num_attention_heads
            self.all_head_size = self.num_attention_heads * self.attention_head_size
            self.query_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
            self.key_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
            self.value_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
            self.pos_att_type = config.pos_att_type
            self.position_buckets = config.position_buckets
            self.max_relative_positions = config.max_relative_positions
            self.pos_ebd_size = self.position_buckets
            self.pos_dropout = StableDropout(config.hidden_dropout_prob)
            self.dropout = StableDropout(config.attention_probs_dropout_prob)

        def transpose_for_scores(self, x, attention_heads):
            new_x_shape = x.size()[:-1] + (attention_heads, -1)
            x = x.view(new_x_shape)
            return x.permute(0, 2, 1, 3).contiguous().view(-1, x.size(1), x.size(-1))

        def forward(self, hidden_states, attention_mask, relative_pos=None,
                    rel_embeddings=None):
            query_layer = self.transpose_for_scores(self.query_proj(hidden_states),
                                                    self.num_attention_heads)
            key_layer = self.transpose_for_scores(self.key_proj(hidden_states),
                                                  self.num_attention_heads)
            value_layer = self.transpose_for_scores(self.value_proj(hidden_states),
                                                    self.num_attention_heads)
            scale_factor = 1
            if "c2p" in self.pos_att_type:
                scale_factor += 1
            if "p2c" in self.pos_att_type:
                scale_factor += 1
            scale = torch.sqrt(torch.tensor(query_layer.size(-1), dtype=torch.float)
                               * scale_factor)
            attention_scores = torch.bmm(query_layer, key_layer.transpose(-1, -2)
                                         / scale.to(dtype=query_layer.dtype))
            rel_embeddings = self.pos_dropout(rel_embeddings)
            rel_att = self.disentangled_attention_bias(query_layer, key_layer, relative_pos,
                                                       rel_embeddings, scale_factor)
            attention_scores = attention_scores + rel_att
            attention_scores = attention_scores.view(
                -1, self.num_attention_heads, attention_scores.size(-2),
                attention_scores.size(-1))
            # bsz x height x length x dimension
            attention_probs = XSoftmax.apply(attention_scores, attention_mask, -1)
            attention_probs = self.dropout(attention_probs)
            context_layer = torch.bmm(attention_probs.view(-1, attention_probs.size(-2),
                                                           attention_probs.size(-1)),
                                      value_layer)
            context_layer = (context_layer.view(-1, self.num_attention_heads,
                                                context_layer.size(-2), context_layer.size(-1))
                             .permute(0, 2, 1, 3).contiguous())
            new_context_layer_shape = context_layer.size()[:-2] + (-1,)
            return context_layer.view(new_context_layer_shape)

        def disentangled_attention_bias(self, query_layer, key_layer, relative_pos,
                                        rel_embeddings, scale_factor):
            if relative_pos.dim() == 3:
                relative_pos = relative_pos.unsqueeze(1)
            att_span = self.pos_ebd_size
            relative_pos = relative_pos.long().to(query_layer.device)
            rel_embeddings = rel_embeddings[0: att_span * 2, :].unsqueeze(0)
            # share_att_key
            pos_query_layer = self.transpose_for_scores(
                self.query_proj(rel_embeddings), self.num_attention_heads).repeat(
                query_layer.size(0) // self.num_attention_heads, 1, 1)
            pos_key_layer = self.transpose_for_scores(
                self.key_proj(rel_embeddings), self.num_attention_heads).repeat(
                query_layer.size(0) // self.num_attention_heads, 1, 1)
            score = 0
            # content->position
            if "c2p" in self.pos_att_type:
                scale = torch.sqrt(torch.tensor(pos_key_layer.size(-1), dtype=torch.float)
                                   * scale_factor)
                c2p_att = torch.bmm(query_layer, pos_key_layer.transpose(-1, -2))
                c2p_pos = torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)
                # v2 expands inline; v1 with its scripted helper, used here on the 4-d view
                c2p_att = torch.gather(
                    c2p_att.view(-1, self.num_attention_heads, *c2p_att.shape[1:]), dim=-1,
                    index=c2p_dynamic_expand(c2p_pos, query_layer.view(
                        -1, self.num_attention_heads, *query_layer.shape[1:]), relative_pos),
                ).view(-1, query_layer.size(1), relative_pos.size(-1))
                score += c2p_att / scale.to(dtype=c2p_att.dtype)
            # position->content
            if "p2c" in self.pos_att_type:
                scale = torch.sqrt(torch.tensor(pos_query_layer.size(-1), dtype=torch.float)
                                   * scale_factor)
                r_pos = relative_pos
                p2c_pos = torch.clamp(-r_pos + att_span, 0, att_span * 2 - 1)
                p2c_att = torch.bmm(key_layer, pos_query_layer.transpose(-1, -2))
                p2c_att = torch.gather(p2c_att, dim=-1, index=p2c_pos.squeeze(0).expand(
                    [query_layer.size(0), key_layer.size(-2), key_layer.size(-2)]),
                ).transpose(-1, -2)
                score += p2c_att / scale.to(dtype=p2c_att.dtype)
            return score

    class DebertaV2Layer(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.self = DisentangledSelfAttention(config)
            self.attention_output = program.BertSelfOutput(config)
            self.intermediate = program.BertIntermediate(config)
            self.output = program.BertOutput(config)

        def forward(self, hidden_states, attention_mask, relative_pos, rel_embeddings):
            attention_output = self.attention_output(
                self.self(hidden_states, attention_mask, relative_pos, rel_embeddings),
                hidden_states)
            return self.output(self.intermediate(attention_output), attention_output)

    class DebertaV2ForMaskedLM(program.BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size,
                                                padding_idx=0)
            self.embeddings_LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
            self.layer = nn.ModuleList([DebertaV2Layer(config)
                                        for _ in range(config.num_hidden_layers)])
            self.rel_embeddings = nn.Embedding(config.position_buckets * 2, config.hidden_size)
            self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps,
                                          elementwise_affine=True)
            self.lm_head = program.BertLMPredictionHead(config)
            self.apply(self._init_weights)
            self.lm_head.decoder.weight = self.word_embeddings.weight

        def get_attention_mask(self, attention_mask):
            extended_attention_mask = attention_mask.unsqueeze(1).unsqueeze(2)
            return extended_attention_mask * extended_attention_mask.squeeze(-2).unsqueeze(-1)

        def forward(self, input_ids, attention_mask, labels):
            embedding_output = self.embeddings_LayerNorm(self.word_embeddings(input_ids))
            # DebertaV2Embeddings: embeddings = (embeddings * mask).to(embeddings.dtype)
            embedding_output = embedding_output * attention_mask.unsqueeze(2).to(
                embedding_output)
            mask = self.get_attention_mask(attention_mask)
            q = embedding_output.size(-2)
            relative_pos = build_relative_position(
                q, q, bucket_size=self.config.position_buckets,
                max_position=self.config.max_relative_positions)
            rel_embeddings = self.LayerNorm(self.rel_embeddings.weight)
            hidden_states = embedding_output
            for layer_module in self.layer:
                hidden_states = layer_module(hidden_states, mask, relative_pos, rel_embeddings)
            prediction_scores = self.lm_head(hidden_states)
            loss_fct = nn.CrossEntropyLoss()  # -100 index = padding token
            return loss_fct(prediction_scores.view(-1, self.config.vocab_size), labels.view(-1))

    return program, DebertaV2ForMaskedLM, build_relative_position


def deberta_mlm(torch, nn, F, optim, Function, record: list, weights) -> None:
    program, DebertaV2ForMaskedLM, build_relative_position = deberta_program(torch, nn, F,
                                                                             Function)
    config = program.BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=2,
                                num_attention_heads=2, intermediate_size=32,
                                hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                                pos_att_type=["p2c", "c2p"], position_buckets=4,
                                max_relative_positions=16)
    torch.manual_seed(0)
    model = DebertaV2ForMaskedLM(config)
    weights(model)
    record.append(build_relative_position(14, 14, bucket_size=4, max_position=16))
    optimizer = optim.AdamW(model.parameters(), lr=5e-3)
    examples = nsp_examples(toy_documents(), seed=11)
    input_ids, _, attention_mask, special = [torch.tensor([e[k] for e in examples])
                                             for k in range(4)]
    torch.manual_seed(6)
    for step in range(3):
        masked = torch.bernoulli(torch.full(input_ids.shape, 0.2)).bool() & ~special.bool()
        labels = input_ids.masked_fill(~masked, -100)
        loss = model(input_ids.masked_fill(masked, VOCAB["[MASK]"]), attention_mask, labels)
        optimizer.zero_grad()
        loss.backward()
        record += [loss.item(), model.rel_embeddings.weight.grad,
                   model.layer[1].self.query_proj.weight.grad]
        optimizer.step()
    record += list(model.parameters())


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_deberta_v2_disentangled_attention_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records, weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    deberta_mlm(SharedDraws(torch), torch.nn, torch.nn.functional, torch.optim,
                torch.autograd.Function, want, theirs)
    deberta_mlm(SharedDraws(ag), nn, nn_F, nn.optim, ag.Function, got, ours)
    assert_records(got, want)
