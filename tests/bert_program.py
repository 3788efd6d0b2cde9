"""A small BERT as Hugging Face's ``modeling_bert.py`` writes it, for one library: the
embeddings (word + position + token_type, ``LayerNorm`` with ``eps=1e-12``, dropout), the
extended attention mask ``(1.0 - mask[:, None, None, :]) * torch.finfo(dtype).min``,
self-attention, ``ACT2FN`` (``gelu`` and ``gelu_new``), the pooler with ``tanh``, the MLM
head whose decoder shares the word embedding (``_tie_or_clone_weights``), next-sentence
prediction, and ``model.apply(self._init_weights)`` with ``normal_(mean=0.0, std=0.02)``.

Used by ``test_pytorch_ports_bert_*.py``: each builds it with ``bert_program(torch, nn,
F)`` for PyTorch and for this library. Written differently here: ``_init_weights``
updates under ``torch.no_grad()`` where HF writes ``module.weight.data.normal_(...)``
(``.data`` is a NumPy array in this library, by design).
"""

import math
import types

import numpy as np


class SharedDraws:
    """A library namespace whose ``bernoulli``/``rand``/``rand_like``/``multinomial``/
    ``randint`` draw from one NumPy generator seeded by ``manual_seed``: the same masking
    draws in both runs (the two libraries' generators differ)."""

    def __init__(self, library) -> None:
        self.library = library
        self.rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def manual_seed(self, seed: int):
        self.rng = np.random.default_rng(seed)
        return self.library.manual_seed(seed)

    def bernoulli(self, probabilities):
        p = probabilities.detach().numpy()
        return self.library.tensor((self.rng.random(p.shape) < p).astype(np.float64))

    def rand(self, *size):
        size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
        return self.library.tensor(self.rng.random(size))

    def rand_like(self, tensor):
        return self.library.tensor(self.rng.random(tuple(tensor.shape)))

    def multinomial(self, probabilities, num_samples, replacement=False):
        p = probabilities.detach().numpy().astype(np.float64)
        picks = self.rng.choice(len(p), num_samples, replace=replacement, p=p / p.sum())
        return self.library.tensor(picks)

    def randint(self, high, size, dtype=None):
        return self.library.tensor(self.rng.integers(0, high, tuple(size)), dtype=dtype)


def bert_program(torch, nn, F) -> types.SimpleNamespace:
    """The classes of ``modeling_bert.py`` (cut to what pretraining and fine-tuning use)."""

    class BertConfig:
        def __init__(self, vocab_size=30522, hidden_size=768, num_hidden_layers=12,
                     num_attention_heads=12, intermediate_size=3072, hidden_act="gelu",
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                     max_position_embeddings=512, type_vocab_size=2, initializer_range=0.02,
                     layer_norm_eps=1e-12, pad_token_id=0, num_labels=2, **kwargs):
            self.vocab_size = vocab_size
            self.hidden_size = hidden_size
            self.num_hidden_layers = num_hidden_layers
            self.num_attention_heads = num_attention_heads
            self.hidden_act = hidden_act
            self.intermediate_size = intermediate_size
            self.hidden_dropout_prob = hidden_dropout_prob
            self.attention_probs_dropout_prob = attention_probs_dropout_prob
            self.max_position_embeddings = max_position_embeddings
            self.type_vocab_size = type_vocab_size
            self.initializer_range = initializer_range
            self.layer_norm_eps = layer_norm_eps
            self.pad_token_id = pad_token_id
            self.num_labels = num_labels
            self.__dict__.update(kwargs)  # PretrainedConfig keeps the model's own options

    class NewGELUActivation(nn.Module):
        """GELU as in Google BERT's repo (identical to OpenAI GPT)."""

        def forward(self, input):
            return 0.5 * input * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (
                input + 0.044715 * torch.pow(input, 3.0))))

    ACT2FN = {"gelu": nn.GELU(), "gelu_new": NewGELUActivation(),
              "gelu_pytorch_tanh": nn.GELU(approximate="tanh"), "relu": nn.ReLU()}

    class BertEmbeddings(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size,
                                                padding_idx=config.pad_token_id)
            self.position_embeddings = nn.Embedding(config.max_position_embeddings,
                                                    config.hidden_size)
            self.token_type_embeddings = nn.Embedding(config.type_vocab_size,
                                                      config.hidden_size)
            self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
            self.dropout = nn.Dropout(config.hidden_dropout_prob)
            self.register_buffer("position_ids",
                                 torch.arange(config.max_position_embeddings).expand((1, -1)),
                                 persistent=False)
            self.register_buffer("token_type_ids",
                                 torch.zeros(self.position_ids.size(), dtype=torch.long),
                                 persistent=False)

        def forward(self, input_ids=None, token_type_ids=None, position_ids=None):
            input_shape = input_ids.size()
            seq_length = input_shape[1]
            if position_ids is None:
                position_ids = self.position_ids[:, 0:seq_length]
            if token_type_ids is None:
                buffered_token_type_ids = self.token_type_ids[:, :seq_length]
                token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
            inputs_embeds = self.word_embeddings(input_ids)
            token_type_embeddings = self.token_type_embeddings(token_type_ids)
            embeddings = inputs_embeds + token_type_embeddings
            embeddings += self.position_embeddings(position_ids)
            embeddings = self.LayerNorm(embeddings)
            embeddings = self.dropout(embeddings)
            return embeddings

    class BertSelfAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.num_attention_heads = config.num_attention_heads
            self.attention_head_size = int(config.hidden_size / config.num_attention_heads)
            self.all_head_size = self.num_attention_heads * self.attention_head_size
            self.query = nn.Linear(config.hidden_size, self.all_head_size)
            self.key = nn.Linear(config.hidden_size, self.all_head_size)
            self.value = nn.Linear(config.hidden_size, self.all_head_size)
            self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

        def transpose_for_scores(self, x):
            new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
            x = x.view(new_x_shape)
            return x.permute(0, 2, 1, 3)

        def forward(self, hidden_states, attention_mask=None):
            query_layer = self.transpose_for_scores(self.query(hidden_states))
            key_layer = self.transpose_for_scores(self.key(hidden_states))
            value_layer = self.transpose_for_scores(self.value(hidden_states))
            attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
            attention_scores = attention_scores / math.sqrt(self.attention_head_size)
            if attention_mask is not None:
                attention_scores = attention_scores + attention_mask
            attention_probs = nn.functional.softmax(attention_scores, dim=-1)
            attention_probs = self.dropout(attention_probs)
            context_layer = torch.matmul(attention_probs, value_layer)
            context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
            new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
            return context_layer.view(new_context_layer_shape)

    class BertSelfOutput(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.hidden_size, config.hidden_size)
            self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
            self.dropout = nn.Dropout(config.hidden_dropout_prob)

        def forward(self, hidden_states, input_tensor):
            hidden_states = self.dropout(self.dense(hidden_states))
            return self.LayerNorm(hidden_states + input_tensor)

    class BertAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.self = BertSelfAttention(config)
            self.output = BertSelfOutput(config)

        def forward(self, hidden_states, attention_mask=None):
            self_outputs = self.self(hidden_states, attention_mask)
            return self.output(self_outputs, hidden_states)

    class BertIntermediate(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
            if isinstance(config.hidden_act, str):
                self.intermediate_act_fn = ACT2FN[config.hidden_act]
            else:
                self.intermediate_act_fn = config.hidden_act

        def forward(self, hidden_states):
            return self.intermediate_act_fn(self.dense(hidden_states))

    class BertOutput(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
            self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
            self.dropout = nn.Dropout(config.hidden_dropout_prob)

        def forward(self, hidden_states, input_tensor):
            hidden_states = self.dropout(self.dense(hidden_states))
            return self.LayerNorm(hidden_states + input_tensor)

    class BertLayer(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.attention = BertAttention(config)
            self.intermediate = BertIntermediate(config)
            self.output = BertOutput(config)

        def forward(self, hidden_states, attention_mask=None):
            attention_output = self.attention(hidden_states, attention_mask)
            intermediate_output = self.intermediate(attention_output)
            return self.output(intermediate_output, attention_output)

    class BertEncoder(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.layer = nn.ModuleList([BertLayer(config)
                                        for _ in range(config.num_hidden_layers)])

        def forward(self, hidden_states, attention_mask=None):
            for layer_module in self.layer:
                hidden_states = layer_module(hidden_states, attention_mask)
            return hidden_states

    class BertPooler(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.hidden_size, config.hidden_size)
            self.activation = nn.Tanh()

        def forward(self, hidden_states):
            # "pool" the model by simply taking the hidden state of the first token
            first_token_tensor = hidden_states[:, 0]
            return self.activation(self.dense(first_token_tensor))

    class BertPreTrainedModel(nn.Module):
        def _init_weights(self, module):
            """Initialize the weights"""
            # HF: module.weight.data.normal_(...); .data is NumPy here, so under no_grad
            with torch.no_grad():
                if isinstance(module, nn.Linear):
                    module.weight.normal_(mean=0.0, std=self.config.initializer_range)
                    if module.bias is not None:
                        module.bias.zero_()
                elif isinstance(module, nn.Embedding):
                    module.weight.normal_(mean=0.0, std=self.config.initializer_range)
                    if module.padding_idx is not None:
                        module.weight[module.padding_idx].zero_()
                elif isinstance(module, nn.LayerNorm):
                    module.bias.zero_()
                    module.weight.fill_(1.0)

        def get_extended_attention_mask(self, attention_mask, dtype):
            extended_attention_mask = attention_mask[:, None, None, :]
            extended_attention_mask = extended_attention_mask.to(dtype=dtype)  # fp16 compat
            return (1.0 - extended_attention_mask) * torch.finfo(dtype).min

    class BertModel(BertPreTrainedModel):
        def __init__(self, config, add_pooling_layer=True):
            super().__init__()
            self.config = config
            self.embeddings = BertEmbeddings(config)
            self.encoder = BertEncoder(config)
            self.pooler = BertPooler(config) if add_pooling_layer else None
            self.apply(self._init_weights)

        def forward(self, input_ids, attention_mask=None, token_type_ids=None):
            if attention_mask is None:
                attention_mask = torch.ones(input_ids.size())
            extended_attention_mask = self.get_extended_attention_mask(
                attention_mask, self.embeddings.word_embeddings.weight.dtype)
            embedding_output = self.embeddings(input_ids=input_ids,
                                               token_type_ids=token_type_ids)
            sequence_output = self.encoder(embedding_output, extended_attention_mask)
            pooled_output = self.pooler(sequence_output) if self.pooler is not None else None
            return sequence_output, pooled_output

    class BertPredictionHeadTransform(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.dense = nn.Linear(config.hidden_size, config.hidden_size)
            self.transform_act_fn = ACT2FN[config.hidden_act]
            self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

        def forward(self, hidden_states):
            return self.LayerNorm(self.transform_act_fn(self.dense(hidden_states)))

    class BertLMPredictionHead(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.transform = BertPredictionHeadTransform(config)
            # The output weights are the same as the input embeddings, but there is
            # an output-only bias for each token.
            self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
            self.bias = nn.Parameter(torch.zeros(config.vocab_size))
            # Need a link between the two variables so that the bias is correctly resized
            self.decoder.bias = self.bias

        def forward(self, hidden_states):
            return self.decoder(self.transform(hidden_states))

    class BertPreTrainingHeads(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.predictions = BertLMPredictionHead(config)
            self.seq_relationship = nn.Linear(config.hidden_size, 2)

        def forward(self, sequence_output, pooled_output):
            return self.predictions(sequence_output), self.seq_relationship(pooled_output)

    class BertForPreTraining(BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.bert = BertModel(config)
            self.cls = BertPreTrainingHeads(config)
            self.apply(self._init_weights)
            self.tie_weights()

        def tie_weights(self):
            # _tie_or_clone_weights(output_embeddings, input_embeddings)
            self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

        def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None,
                    next_sentence_label=None):
            sequence_output, pooled_output = self.bert(input_ids, attention_mask,
                                                       token_type_ids)
            prediction_scores, seq_relationship_score = self.cls(sequence_output,
                                                                 pooled_output)
            total_loss = None
            if labels is not None and next_sentence_label is not None:
                loss_fct = nn.CrossEntropyLoss()
                masked_lm_loss = loss_fct(prediction_scores.view(-1, self.config.vocab_size),
                                          labels.view(-1))
                next_sentence_loss = loss_fct(seq_relationship_score.view(-1, 2),
                                              next_sentence_label.view(-1))
                total_loss = masked_lm_loss + next_sentence_loss
            return total_loss, prediction_scores, seq_relationship_score

    class BertForSequenceClassification(BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.num_labels = config.num_labels
            self.config = config
            self.bert = BertModel(config)
            self.dropout = nn.Dropout(config.hidden_dropout_prob)
            self.classifier = nn.Linear(config.hidden_size, config.num_labels)
            self.apply(self._init_weights)

        def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
            _, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
            logits = self.classifier(self.dropout(pooled_output))
            loss = None
            if labels is not None:
                loss_fct = nn.CrossEntropyLoss()
                loss = loss_fct(logits.view(-1, self.num_labels), labels.view(-1))
            return loss, logits

    return types.SimpleNamespace(**{k: v for k, v in locals().items() if k[0].isupper()})
