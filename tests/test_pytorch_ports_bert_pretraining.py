"""BERT masked-LM + next-sentence pretraining as Hugging Face users write it, on a
generated toy corpus: ``BertForPreTraining`` (``bert_program.py``) with its tied MLM
decoder, ``DataCollatorForLanguageModeling.torch_mask_tokens``'s 80/10/10 recipe (labels
-100 where not masked, ``CrossEntropyLoss``'s default ``ignore_index``), NSP pairs,
``AdamW`` over the usual decay / no-decay groups (``bias`` and ``LayerNorm.weight`` by
name), ``get_linear_schedule_with_warmup`` written as a ``LambdaLR`` over a
``functools.partial``, and ``clip_grad_norm_``. PyTorch runs the same program from the
same weights (float64): losses, learning rates, gradients and parameters agree to 1e-10.

Written differently here: the masking draws (``torch.bernoulli``, ``torch.randint``) come
from one NumPy generator in both runs (``SharedDraws``: the libraries' generators
differ), and dropout is 0 while training (its masks would differ too; the evaluation
forward runs with ``p=0.1`` in ``eval()``).
"""

import functools

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from bert_program import SharedDraws, bert_program

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
NOUNS = ["cat", "dog", "bird", "fish"]
VERBS = ["sees", "likes", "eats", "chases"]


def toy_documents(n_documents: int = 6, seed: int = 0) -> list:
    """Documents of short sentences "the NOUN VERB the NOUN" (a generated corpus)."""
    rng = np.random.default_rng(seed)
    return [[["the", rng.choice(NOUNS), rng.choice(VERBS), "the", rng.choice(NOUNS)]
             for _ in range(3)] for _ in range(n_documents)]


VOCAB = {w: i for i, w in enumerate(SPECIALS + ["the"] + NOUNS + VERBS)}


def nsp_examples(documents: list, max_len: int = 14, seed: int = 1) -> list:
    """(input_ids, token_type_ids, attention_mask, special_tokens_mask, is_random_next),
    padded to ``max_len``; half the second sentences come from another document."""
    rng = np.random.default_rng(seed)
    examples = []
    for d, doc in enumerate(documents):
        for i in range(len(doc) - 1):
            a, b, label = doc[i], doc[i + 1], 0
            if rng.random() < 0.5:
                other = documents[(d + 1 + rng.integers(len(documents) - 1)) % len(documents)]
                b, label = other[rng.integers(len(other))][:3], 1  # a shorter one: padding
            tokens = ["[CLS]"] + a + ["[SEP]"] + b + ["[SEP]"]
            ids = [VOCAB[t] for t in tokens]
            types_ = [0] * (len(a) + 2) + [1] * (len(b) + 1)
            special = [int(t in SPECIALS) for t in tokens]
            pad = max_len - len(ids)
            examples.append((ids + [0] * pad, types_ + [0] * pad, [1] * len(ids) + [0] * pad,
                             special + [1] * pad, label))
    return examples


def pretraining(torch, nn, F, optim, clip, record: list, weights) -> None:
    """The run: build, init, sync weights, mask, train 6 steps, evaluate."""
    program = bert_program(torch, nn, F)
    torch.manual_seed(0)
    config = program.BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=2,
                                num_attention_heads=2, intermediate_size=32,
                                hidden_act="gelu_new", hidden_dropout_prob=0.0,
                                attention_probs_dropout_prob=0.0,
                                max_position_embeddings=16)
    model = program.BertForPreTraining(config)
    # _init_weights as drawn (each library's own generator): N(0, 0.02), the padding row
    # zero, LayerNorm 1 and 0, biases 0
    word = model.bert.embeddings.word_embeddings.weight
    record.append([bool((word[0] == 0).all()), 0.01 < word[1:].std(correction=1).item() < 0.03,
                   bool((model.bert.embeddings.LayerNorm.weight == 1).all()),
                   bool((model.bert.pooler.dense.bias == 0).all())])
    weights(model)
    record.append(model.cls.predictions.decoder.weight is
                  model.bert.embeddings.word_embeddings.weight)
    record.append(sorted(n for n, _ in model.named_parameters()))

    def torch_mask_tokens(inputs, special_tokens_mask, mlm_probability=0.15):
        labels = inputs.clone()
        probability_matrix = torch.full(labels.shape, mlm_probability)
        special_tokens_mask = special_tokens_mask.bool()
        probability_matrix.masked_fill_(special_tokens_mask, value=0.0)
        masked_indices = torch.bernoulli(probability_matrix).bool()
        labels[~masked_indices] = -100  # We only compute loss on masked tokens
        # 80% of the time, we replace masked input tokens with tokenizer.mask_token ([MASK])
        indices_replaced = torch.bernoulli(torch.full(labels.shape, 0.8)).bool() & masked_indices
        inputs[indices_replaced] = VOCAB["[MASK]"]
        # 10% of the time, we replace masked input tokens with random word
        indices_random = (torch.bernoulli(torch.full(labels.shape, 0.5)).bool()
                          & masked_indices & ~indices_replaced)
        random_words = torch.randint(len(VOCAB), labels.shape, dtype=torch.long)
        inputs[indices_random] = random_words[indices_random]
        # The rest of the time (10% of the time) we keep the masked input tokens unchanged
        return inputs, labels

    def _get_linear_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps,
                                                   num_training_steps):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - current_step)
                   / float(max(1, num_training_steps - num_warmup_steps)))

    def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps,
                                        last_epoch=-1):
        lr_lambda = functools.partial(_get_linear_schedule_with_warmup_lr_lambda,
                                      num_warmup_steps=num_warmup_steps,
                                      num_training_steps=num_training_steps)
        return optim.lr_scheduler.LambdaLR(optimizer, lr_lambda, last_epoch)

    no_decay = ["bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in model.named_parameters()
                    if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters()
                    if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = optim.AdamW(optimizer_grouped_parameters, lr=5e-3, eps=1e-6)
    num_training_steps = 6
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=2,
                                                num_training_steps=num_training_steps)

    examples = nsp_examples(toy_documents())
    batch = [torch.tensor([e[k] for e in examples]) for k in range(4)]
    input_ids, token_type_ids, attention_mask, special_tokens_mask = batch
    next_sentence_label = torch.tensor([e[4] for e in examples])
    torch.manual_seed(42)
    model.train()
    for step in range(num_training_steps):
        inputs, labels = torch_mask_tokens(input_ids.clone(), special_tokens_mask)
        record += [inputs, labels]
        outputs = model(inputs, attention_mask=attention_mask, token_type_ids=token_type_ids,
                        labels=labels, next_sentence_label=next_sentence_label)
        loss = outputs[0]
        loss.backward()
        record.append(loss.item())
        record.append(model.bert.embeddings.word_embeddings.weight.grad)
        record.append(model.cls.predictions.bias.grad)
        record.append(float(clip(model.parameters(), 1.0)))
        optimizer.step()
        scheduler.step()
        model.zero_grad()
        record.append(scheduler.get_last_lr())
    record += [p for _, p in model.named_parameters()]

    model.eval()
    for module in model.modules():  # back to BERT's dropout: eval() turns it off
        if isinstance(module, nn.Dropout):
            module.p = 0.1
    with torch.no_grad():
        _, prediction_scores, seq_relationship_score = model(
            input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
    record += [prediction_scores, seq_relationship_score]
    record.append(model.cls.predictions.decoder.weight is
                  model.bert.embeddings.word_embeddings.weight)


def test_bert_pretraining_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records, weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    pretraining(SharedDraws(torch), torch.nn, torch.nn.functional, torch.optim,
                torch.nn.utils.clip_grad_norm_, want, theirs)
    pretraining(SharedDraws(ag), nn, nn_F, nn.optim, nn.utils.clip_grad_norm_, got, ours)
    assert got[0] == [True] * 4 and got[1] is True and got[-1] is True
    assert_records(got, want)
