"""Two more BERT programs as Hugging Face users write them, on the generated corpus of
``test_pytorch_ports_bert_pretraining.py``, step for step next to PyTorch (float64):

- sequence classification fine-tuning: ``BertForSequenceClassification`` over padded
  batches with their ``attention_mask`` from a ``DataLoader(TensorDataset(...))``,
  ``AdamW`` + linear warmup, then the padding check readers make (a padded sentence's
  logits equal the unpadded one's);
- DistilBERT's ``Distiller.step`` (HF ``research_projects/distillation``): the student
  initialised from every other teacher layer (``compressed_sd``), the soft-target
  ``KLDivLoss(reduction="batchmean")`` at a temperature times ``T**2``, the MLM
  ``CrossEntropyLoss(ignore_index=-100)``, and ``CosineEmbeddingLoss`` over the last
  hidden states picked by ``torch.masked_select`` with the attention mask, its target
  ``s.new(n).fill_(1)``; the batches masked by ``prepare_batch_mlm`` (tokens drawn by
  ``torch.multinomial`` over smoothed counts, 80/10/10 by a second multinomial, written
  in with ``masked_scatter``).

Dropout is 0 while training (each library draws its own masks).
"""

import math

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from bert_program import SharedDraws, bert_program
from test_pytorch_ports_bert_pretraining import VOCAB, nsp_examples, toy_documents


def small_config(program, **changes):
    sizes = dict(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=2,
                 num_attention_heads=2, intermediate_size=32, hidden_dropout_prob=0.0,
                 attention_probs_dropout_prob=0.0, max_position_embeddings=16)
    sizes.update(changes)
    return program.BertConfig(**sizes)


def fine_tuning(torch, nn, F, optim, data, record: list, weights) -> None:
    program = bert_program(torch, nn, F)
    torch.manual_seed(0)
    model = program.BertForSequenceClassification(small_config(program))
    weights(model)
    # the task: does the pair's second sentence come from the same document?
    examples = nsp_examples(toy_documents(8, seed=3), seed=4)
    tensors = [torch.tensor([e[k] for e in examples]) for k in (0, 1, 2, 4)]
    dataset = data.TensorDataset(*tensors)
    loader = data.DataLoader(dataset, batch_size=4, shuffle=False)
    no_decay = ["bias", "LayerNorm.weight"]
    grouped = [
        {"params": [p for n, p in model.named_parameters()
                    if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters()
                    if any(nd in n for nd in no_decay)], "weight_decay": 0.0}]
    optimizer = optim.AdamW(grouped, lr=1e-2)
    total = 2 * len(loader)
    scheduler = optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / 2, max(0.0, (total - step) / (total - 1))))
    for epoch in range(2):
        model.train()
        for batch in loader:
            input_ids, token_type_ids, attention_mask, labels = batch
            loss, logits = model(input_ids, attention_mask=attention_mask,
                                 token_type_ids=token_type_ids, labels=labels)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            record += [loss.item(), logits, model.classifier.weight.grad]
        model.eval()
        correct = 0
        with torch.no_grad():
            for input_ids, token_type_ids, attention_mask, labels in loader:
                _, logits = model(input_ids, attention_mask, token_type_ids)
                correct += (logits.argmax(dim=-1) == labels).sum().item()
        record.append(correct)
    # padding must not change the logits: one example, unpadded and padded
    input_ids, token_type_ids, attention_mask, _ = dataset[1]
    length = int(attention_mask.sum())
    with torch.no_grad():
        _, short = model(input_ids[None, :length], attention_mask[None, :length],
                         token_type_ids[None, :length])
        _, padded = model(input_ids[None], attention_mask[None], token_type_ids[None])
    record += [short, padded, length]


def distillation(torch, nn, F, optim, record: list, weights) -> None:
    program = bert_program(torch, nn, F)

    class BertForMaskedLM(program.BertPreTrainedModel):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.bert = program.BertModel(config, add_pooling_layer=False)
            self.cls = program.BertLMPredictionHead(config)
            self.apply(self._init_weights)
            self.cls.decoder.weight = self.bert.embeddings.word_embeddings.weight

        def forward(self, input_ids, attention_mask=None):
            hidden, _ = self.bert(input_ids, attention_mask)
            return self.cls(hidden), (hidden,)

    torch.manual_seed(0)
    teacher = BertForMaskedLM(small_config(program, num_hidden_layers=4))
    weights(teacher)
    student = BertForMaskedLM(small_config(program, num_hidden_layers=2))
    # extract_distilbert.py: the student takes the embeddings, every other layer and the head
    state_dict = teacher.state_dict()
    compressed_sd = {}
    for name, param in state_dict.items():
        if not name.startswith("bert.encoder.layer."):
            compressed_sd[name] = param
    for std_idx, teacher_idx in enumerate([0, 2]):
        prefix = f"bert.encoder.layer.{teacher_idx}."
        for name, param in state_dict.items():
            if name.startswith(prefix):
                compressed_sd[f"bert.encoder.layer.{std_idx}." + name[len(prefix):]] = param
    student.load_state_dict(compressed_sd)

    temperature, alpha_ce, alpha_mlm, alpha_cos = 2.0, 5.0, 2.0, 1.0
    mlm_mask_prop, mlm_smoothing = 0.15, 0.7
    ce_loss_fct = nn.KLDivLoss(reduction="batchmean")
    lm_loss_fct = nn.CrossEntropyLoss(ignore_index=-100)
    cosine_loss_fct = nn.CosineEmbeddingLoss(reduction="mean")
    optimizer = optim.AdamW(student.parameters(), lr=5e-3, eps=1e-6, betas=(0.9, 0.98))

    examples = nsp_examples(toy_documents(), seed=5)
    # binarized_data's token counts -> token_probs (train.py), specials never picked
    counts = np.bincount([i for e in examples for i in e[0][:sum(e[2])]],
                         minlength=len(VOCAB))
    token_probs = np.maximum(counts, 1) ** -mlm_smoothing
    for idx in (VOCAB[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")):
        token_probs[idx] = 0.0  # do not predict special tokens
    token_probs = torch.from_numpy(token_probs)
    pred_probs = torch.FloatTensor([0.8, 0.1, 0.1])

    def prepare_batch_mlm(token_ids, lengths):
        attn_mask = torch.arange(token_ids.size(1), dtype=torch.long)[None] < lengths[:, None]
        bs, max_seq_len = token_ids.size()
        mlm_labels = token_ids.new(token_ids.size()).copy_(token_ids)
        x_prob = token_probs[token_ids.flatten()]
        n_tgt = math.ceil(mlm_mask_prop * lengths.sum().item())
        tgt_ids = torch.multinomial(x_prob / x_prob.sum(), n_tgt, replacement=False)
        pred_mask = torch.zeros(bs * max_seq_len, dtype=torch.bool)
        pred_mask[tgt_ids] = 1
        pred_mask = pred_mask.view(bs, max_seq_len)
        pred_mask[token_ids == VOCAB["[PAD]"]] = 0
        _token_ids_real = token_ids[pred_mask]
        # distiller: _token_ids_real.clone().random_(vocab_size), a draw of each library's
        # own generator; the shared one's randint instead
        _token_ids_rand = torch.randint(len(VOCAB), _token_ids_real.shape, dtype=torch.long)
        _token_ids_mask = _token_ids_real.clone().fill_(VOCAB["[MASK]"])
        probs = torch.multinomial(pred_probs, len(_token_ids_real), replacement=True)
        _token_ids = (_token_ids_mask * (probs == 0).long() + _token_ids_real * (probs == 1).long()
                      + _token_ids_rand * (probs == 2).long())
        token_ids = token_ids.masked_scatter(pred_mask, _token_ids)
        mlm_labels[~pred_mask] = -100
        return token_ids, attn_mask, mlm_labels

    input_ids = torch.tensor([e[0] for e in examples])
    lengths = torch.tensor([sum(e[2]) for e in examples])
    torch.manual_seed(7)
    teacher.eval()
    student.train()
    for step in range(4):
        token_ids, attention_mask, lm_labels = prepare_batch_mlm(input_ids, lengths)
        record += [token_ids, lm_labels]

        s_logits, s_hidden_states = student(input_ids=token_ids, attention_mask=attention_mask)
        with torch.no_grad():
            t_logits, t_hidden_states = teacher(input_ids=token_ids,
                                                attention_mask=attention_mask)
        assert s_logits.size() == t_logits.size()
        mask = (lm_labels > -1).unsqueeze(-1).expand_as(s_logits)  # (bs, seq_length, voc_size)
        s_logits_slct = torch.masked_select(s_logits, mask)
        s_logits_slct = s_logits_slct.view(-1, s_logits.size(-1))
        t_logits_slct = torch.masked_select(t_logits, mask)
        t_logits_slct = t_logits_slct.view(-1, s_logits.size(-1))
        assert t_logits_slct.size() == s_logits_slct.size()
        loss_ce = ce_loss_fct(
            nn.functional.log_softmax(s_logits_slct / temperature, dim=-1),
            nn.functional.softmax(t_logits_slct / temperature, dim=-1),
        ) * (temperature) ** 2
        loss = alpha_ce * loss_ce
        loss_mlm = lm_loss_fct(s_logits.view(-1, s_logits.size(-1)), lm_labels.view(-1))
        loss += alpha_mlm * loss_mlm
        s_hidden_states = s_hidden_states[-1]  # (bs, seq_length, dim)
        t_hidden_states = t_hidden_states[-1]
        mask = attention_mask.unsqueeze(-1).expand_as(s_hidden_states)
        dim = s_hidden_states.size(-1)
        s_hidden_states_slct = torch.masked_select(s_hidden_states, mask).view(-1, dim)
        t_hidden_states_slct = torch.masked_select(t_hidden_states, mask).view(-1, dim)
        target = s_hidden_states_slct.new(s_hidden_states_slct.size(0)).fill_(1)
        loss_cos = cosine_loss_fct(s_hidden_states_slct, t_hidden_states_slct, target)
        loss += alpha_cos * loss_cos
        record += [loss_ce.item(), loss_mlm.item(), loss_cos.item(), loss.item()]
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(student.parameters(), 5.0)
        record.append(student.bert.encoder.layer[1].output.dense.weight.grad)
        optimizer.step()
    record += list(student.parameters())


def run_both(program, torch) -> tuple:
    from test_pytorch_ports_nlp_tutorial import weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    program(SharedDraws(torch), torch.nn, torch.nn.functional, torch.optim, want, theirs)
    program(SharedDraws(ag), nn, nn_F, nn.optim, got, ours)
    return got, want


def test_sequence_classification_fine_tuning_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records

    def program(torch_, nn_, F, optim, record, weights):
        data = torch.utils.data if nn_ is torch.nn else nn.data
        fine_tuning(torch_, nn_, F, optim, data, record, weights)

    got, want = run_both(program, torch)
    assert_records(got, want)
    np.testing.assert_allclose(got[-3], got[-2], rtol=1e-12, atol=1e-12)


def test_distilbert_distillation_step_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records

    got, want = run_both(distillation, torch)
    assert_records(got, want)
