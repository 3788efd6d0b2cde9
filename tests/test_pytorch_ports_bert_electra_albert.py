"""ELECTRA and ALBERT pretraining as Hugging Face's modelling code writes them (the model
pieces) and as ``lucidrains/electra-pytorch`` trains ELECTRA, on the generated corpus of
``test_pytorch_ports_bert_pretraining.py``, step for step next to PyTorch (float64):

- ELECTRA: a small generator and a discriminator sharing one ``ElectraEmbeddings``
  (``embedding_size`` smaller than the discriminator's hidden size, so
  ``embeddings_project``), the generator's LM head tied to the word embedding, the MLM
  loss by ``F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100)``,
  replacements sampled with Gumbel noise ``-log(-log(rand_like))`` and detached, the
  discriminator's replaced-token BCE over the non-padded positions;
- ALBERT: factorised embeddings (``embedding_hidden_mapping_in``), one layer group shared
  across all layers (``group_idx = int(i / (num_hidden_layers / num_hidden_groups))``),
  the MLM head back to ``embedding_size`` with its decoder tied, and sentence-order
  prediction on the pooled output.

The random draws (masks, Gumbel noise) come from one NumPy generator in both runs
(``SharedDraws``); dropout is 0.
"""

import math

import autograd as ag
import nn
import nn.functional as nn_F
from bert_program import SharedDraws, bert_program
from test_pytorch_ports_bert_pretraining import VOCAB, nsp_examples, toy_documents


def electra_program(torch, nn, F, program):
    class ElectraEmbeddings(program.BertEmbeddings):
        def __init__(self, config):
            super().__init__(config)  # BertEmbeddings at config.embedding_size
            size = config.embedding_size
            self.word_embeddings = nn.Embedding(config.vocab_size, size,
                                                padding_idx=config.pad_token_id)
            self.position_embeddings = nn.Embedding(config.max_position_embeddings, size)
            self.token_type_embeddings = nn.Embedding(config.type_vocab_size, size)
            self.LayerNorm = nn.LayerNorm(size, eps=config.layer_norm_eps)

    class ElectraModel(program.BertPreTrainedModel):
        def __init__(self, config, embeddings=None):
            super().__init__()
            self.config = config
            self.embeddings = embeddings if embeddings is not None else ElectraEmbeddings(config)
            if config.embedding_size != config.hidden_size:
                self.embeddings_project = nn.Linear(config.embedding_size, config.hidden_size)
            self.encoder = program.BertEncoder(config)

        def forward(self, input_ids, attention_mask):
            extended = self.get_extended_attention_mask(attention_mask, torch.float64)
            hidden_states = self.embeddings(input_ids=input_ids)
            if hasattr(self, "embeddings_project"):
                hidden_states = self.embeddings_project(hidden_states)
            return self.encoder(hidden_states, extended)

    class ElectraGenerator(program.BertPreTrainedModel):  # ElectraForMaskedLM
        def __init__(self, config, embeddings):
            super().__init__()
            self.config = config
            self.electra = ElectraModel(config, embeddings)
            self.dense = nn.Linear(config.hidden_size, config.embedding_size)
            self.activation = nn.GELU()
            self.LayerNorm = nn.LayerNorm(config.embedding_size, eps=config.layer_norm_eps)
            self.generator_lm_head = nn.Linear(config.embedding_size, config.vocab_size)
            self.generator_lm_head.weight = self.electra.embeddings.word_embeddings.weight

        def forward(self, input_ids, attention_mask):
            hidden = self.electra(input_ids, attention_mask)
            return self.generator_lm_head(self.LayerNorm(self.activation(self.dense(hidden))))

    class ElectraDiscriminator(program.BertPreTrainedModel):  # ElectraForPreTraining
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.electra = ElectraModel(config)
            self.dense = nn.Linear(config.hidden_size, config.hidden_size)
            self.activation = nn.GELU()
            self.dense_prediction = nn.Linear(config.hidden_size, 1)

        def forward(self, input_ids, attention_mask):
            hidden = self.activation(self.dense(self.electra(input_ids, attention_mask)))
            return self.dense_prediction(hidden).squeeze(-1)

    class Electra(nn.Module):
        def __init__(self, generator, discriminator, temperature=1.0, gen_weight=1.0,
                     disc_weight=50.0):
            super().__init__()
            self.generator = generator
            self.discriminator = discriminator
            self.temperature = temperature
            self.gen_weight = gen_weight
            self.disc_weight = disc_weight

        def forward(self, input, attention_mask, masked_input, mask_indices, gen_labels):
            logits = self.generator(masked_input, attention_mask)
            mlm_loss = F.cross_entropy(logits.transpose(1, 2), gen_labels, ignore_index=-100)
            sample_logits = logits[mask_indices]
            noise = torch.rand_like(sample_logits)
            gumbel = -torch.log(-torch.log(noise.clamp(min=1e-20)).clamp(min=1e-20))
            sampled = ((sample_logits / self.temperature) + gumbel).argmax(dim=-1)
            disc_input = input.clone()
            disc_input[mask_indices] = sampled.detach()
            # lucidrains: .float().detach(); .float() is float32 in both libraries, and
            # PyTorch's BCE of float64 logits against float32 targets is float32 (ours
            # float64): in this float64 run the labels take the default dtype
            disc_labels = (input != disc_input).to(torch.get_default_dtype()).detach()
            disc_logits = self.discriminator(disc_input, attention_mask)
            non_padded = attention_mask.bool()
            disc_loss = F.binary_cross_entropy_with_logits(disc_logits[non_padded],
                                                           disc_labels[non_padded])
            loss = self.gen_weight * mlm_loss + self.disc_weight * disc_loss
            return loss, mlm_loss, disc_loss, disc_labels

    return ElectraGenerator, ElectraDiscriminator, Electra


def electra_pretraining(torch, nn, F, optim, record: list, weights) -> None:
    program = bert_program(torch, nn, F)
    ElectraGenerator, ElectraDiscriminator, Electra = electra_program(torch, nn, F, program)
    sizes = dict(vocab_size=len(VOCAB), num_hidden_layers=1, hidden_dropout_prob=0.0,
                 attention_probs_dropout_prob=0.0, max_position_embeddings=16)
    disc_config = program.BertConfig(hidden_size=16, num_attention_heads=2,
                                     intermediate_size=32, embedding_size=8, **sizes)
    gen_config = program.BertConfig(hidden_size=8, num_attention_heads=1,
                                    intermediate_size=16, embedding_size=8, **sizes)
    torch.manual_seed(0)
    discriminator = ElectraDiscriminator(disc_config)
    generator = ElectraGenerator(gen_config, discriminator.electra.embeddings)  # shared
    model = Electra(generator, discriminator)
    model.apply(discriminator._init_weights)
    weights(model)
    record.append(sorted(n for n, _ in model.named_parameters()))
    optimizer = optim.AdamW(model.parameters(), lr=3e-3)

    examples = nsp_examples(toy_documents(), max_len=16, seed=6)  # 16 != vocabulary size:
    # cross_entropy(logits.transpose(1, 2), ...) of (N, 14, 14) reads two ways (ShapeError)
    input_ids = torch.tensor([e[0] for e in examples])
    attention_mask = torch.tensor([e[2] for e in examples])
    special = torch.tensor([e[3] for e in examples]).bool()
    torch.manual_seed(3)
    for step in range(4):
        probability = torch.full(input_ids.shape, 0.25).masked_fill(special, 0.0)
        mask_indices = torch.bernoulli(probability).bool()
        masked_input = input_ids.masked_fill(mask_indices, VOCAB["[MASK]"])
        gen_labels = input_ids.masked_fill(~mask_indices, -100)
        loss, mlm_loss, disc_loss, disc_labels = model(input_ids, attention_mask,
                                                       masked_input, mask_indices, gen_labels)
        optimizer.zero_grad()
        loss.backward()
        record += [loss.item(), mlm_loss.item(), disc_loss.item(), disc_labels,
                   discriminator.electra.embeddings.word_embeddings.weight.grad,
                   generator.dense.weight.grad]
        optimizer.step()
    record += list(model.parameters())
    record.append(generator.generator_lm_head.weight is
                  discriminator.electra.embeddings.word_embeddings.weight)


def albert_pretraining(torch, nn, F, optim, record: list, weights) -> None:
    program = bert_program(torch, nn, F)

    class AlbertLayer(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.full_layer_layer_norm = nn.LayerNorm(config.hidden_size,
                                                      eps=config.layer_norm_eps)
            self.attention = program.BertAttention(config)
            self.ffn = nn.Linear(config.hidden_size, config.intermediate_size)
            self.ffn_output = nn.Linear(config.intermediate_size, config.hidden_size)
            self.activation = nn.GELU(approximate="tanh")  # ALBERT's "gelu_new"

        def forward(self, hidden_states, attention_mask=None):
            attention_output = self.attention(hidden_states, attention_mask)
            ffn_output = self.ffn_output(self.activation(self.ffn(attention_output)))
            return self.full_layer_layer_norm(ffn_output + attention_output)

    class AlbertLayerGroup(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.albert_layers = nn.ModuleList([AlbertLayer(config)
                                                for _ in range(config.inner_group_num)])

        def forward(self, hidden_states, attention_mask=None):
            for albert_layer in self.albert_layers:
                hidden_states = albert_layer(hidden_states, attention_mask)
            return hidden_states

    class AlbertModel(program.BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.config = config
            embedding_config = program.BertConfig(**{**vars(config),
                                                     "hidden_size": config.embedding_size})
            self.embeddings = program.BertEmbeddings(embedding_config)
            self.embedding_hidden_mapping_in = nn.Linear(config.embedding_size,
                                                         config.hidden_size)
            self.albert_layer_groups = nn.ModuleList([AlbertLayerGroup(config)
                                                      for _ in range(config.num_hidden_groups)])
            self.pooler = nn.Linear(config.hidden_size, config.hidden_size)
            self.pooler_activation = nn.Tanh()

        def forward(self, input_ids, attention_mask, token_type_ids):
            extended = self.get_extended_attention_mask(attention_mask, torch.float64)
            hidden_states = self.embeddings(input_ids, token_type_ids)
            hidden_states = self.embedding_hidden_mapping_in(hidden_states)
            for i in range(self.config.num_hidden_layers):
                # Index of the hidden group
                group_idx = int(i / (self.config.num_hidden_layers
                                     / self.config.num_hidden_groups))
                hidden_states = self.albert_layer_groups[group_idx](hidden_states, extended)
            pooled = self.pooler_activation(self.pooler(hidden_states[:, 0]))
            return hidden_states, pooled

    class AlbertForPreTraining(program.BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.albert = AlbertModel(config)
            self.predictions_LayerNorm = nn.LayerNorm(config.embedding_size)
            self.predictions_dense = nn.Linear(config.hidden_size, config.embedding_size)
            self.predictions_decoder = nn.Linear(config.embedding_size, config.vocab_size)
            self.sop_classifier = nn.Linear(config.hidden_size, 2)
            self.apply(self._init_weights)
            self.predictions_decoder.weight = self.albert.embeddings.word_embeddings.weight

        def forward(self, input_ids, attention_mask, token_type_ids, labels,
                    sentence_order_label):
            sequence_output, pooled_output = self.albert(input_ids, attention_mask,
                                                         token_type_ids)
            hidden = self.predictions_dense(sequence_output)
            hidden = self.predictions_LayerNorm(nn.functional.gelu(hidden, approximate="tanh"))
            prediction_scores = self.predictions_decoder(hidden)
            sop_scores = self.sop_classifier(pooled_output)
            loss_fct = nn.CrossEntropyLoss()
            masked_lm_loss = loss_fct(prediction_scores.view(-1, self.config.vocab_size),
                                      labels.view(-1))
            sentence_order_loss = loss_fct(sop_scores.view(-1, 2),
                                           sentence_order_label.view(-1))
            return masked_lm_loss + sentence_order_loss

    config = program.BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=3,
                                num_attention_heads=2, intermediate_size=32,
                                hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                                max_position_embeddings=16, embedding_size=8,
                                num_hidden_groups=1, inner_group_num=1)
    torch.manual_seed(0)
    model = AlbertForPreTraining(config)
    weights(model)
    record.append(len(list(model.parameters())))
    optimizer = optim.AdamW(model.parameters(), lr=3e-3)
    examples = nsp_examples(toy_documents(), seed=8)
    input_ids, token_type_ids, attention_mask, special = [
        torch.tensor([e[k] for e in examples]) for k in range(4)]
    # sentence order: swap the two segments of every other pair (label 1)
    swapped = torch.tensor([i % 2 for i in range(len(examples))])
    input_ids = torch.where(swapped[:, None].bool(), input_ids.flip(1), input_ids)
    torch.manual_seed(4)
    for step in range(3):
        masked = torch.bernoulli(torch.full(input_ids.shape, 0.2)).bool() & ~special.bool()
        labels = input_ids.masked_fill(~masked, -100)
        loss = model(input_ids.masked_fill(masked, VOCAB["[MASK]"]), attention_mask,
                     token_type_ids, labels, swapped)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        shared_layer = model.albert.albert_layer_groups[0].albert_layers[0]
        record += [loss.item(), shared_layer.ffn.weight.grad]
        optimizer.step()
    record += list(model.parameters())


def run_both(program, torch) -> tuple:
    from test_pytorch_ports_nlp_tutorial import weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    program(SharedDraws(torch), torch.nn, torch.nn.functional, torch.optim, want, theirs)
    program(SharedDraws(ag), nn, nn_F, nn.optim, got, ours)
    return got, want


def test_electra_generator_discriminator_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records

    got, want = run_both(electra_pretraining, torch)
    assert got[-1] is True
    assert_records(got, want)


def test_albert_shared_layers_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records

    got, want = run_both(albert_pretraining, torch)
    assert math.isfinite(got[1])
    assert_records(got, want)
