"""fastText-style text classifiers (Joulin et al. 2016), ported as their readers write
them: PyTorch's tutorial "Text classification with the torchtext library"
(``nn.EmbeddingBag`` fed flat token ids and ``offsets`` built by ``collate_batch``,
``init_weights``, SGD + ``StepLR`` + ``clip_grad_norm_``, bigram features hashed into
extra buckets as fastText does), and bentrevett/pytorch-sentiment-analysis's
``FastText`` (``generate_bigrams``, ``padding_idx``, ``F.avg_pool2d`` over the sentence).
Each program is written once for a library ``torch`` and runs step for step next to
PyTorch from the same weights (float64): losses, accuracies, gradients and parameters
agree to 1e-10.

Lines written differently here, and why:
- ``self.embedding.weight.data.uniform_(-initrange, initrange)``: ``.data`` is NumPy's
  array here, so ``init_weights`` writes under ``no_grad()`` on the parameter (both);
  ``sync(model)`` then gives both PyTorch's starting values (the generators differ);
- ``torch.nn.CrossEntropyLoss()``, ``torch.nn.utils.clip_grad_norm_``: ``nn.`` (``nn``
  is a package of its own here, ``torch.nn`` there);
- ``hash(bigram) % buckets`` uses ``zlib.crc32`` (Python's ``hash`` of a str changes
  between runs); AG_NEWS is replaced by generated (label, text) pairs over a small
  vocabulary, loaded with ``shuffle=False`` (the two libraries' generators differ).
"""

import zlib

import numpy as np

import nn.data
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync

WORDS = ("the a cat dog sat ran on under mat log fast slow red blue big small and then "
         "it was").split()
VOCAB = {word: i for i, word in enumerate(["<pad>", "<unk>"] + WORDS)}
BUCKETS = 16


def sentences(n: int, seed: int) -> list:
    """n (label in {1, 2, 3}, text) pairs: the label is told by some of the words."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        label = int(rng.integers(1, 4))
        words = list(rng.choice(WORDS, int(rng.integers(3, 9))))
        words[int(rng.integers(len(words)))] = ["cat", "log", "red"][label - 1]
        out.append((label, " ".join(words)))
    return out


def text_pipeline(text: str) -> list:
    """Unigram ids, then each bigram hashed into one of BUCKETS rows after the vocabulary
    (fastText's hashing trick; the tutorial's ngrams=2)."""
    tokens = text.split()
    ids = [VOCAB.get(token, 1) for token in tokens]
    bigrams = [" ".join(pair) for pair in zip(tokens, tokens[1:])]
    return ids + [len(VOCAB) + zlib.crc32(b.encode()) % BUCKETS for b in bigrams]


def tutorial_embedding_bag(torch, nn, F, optim, data, sync, record: list) -> None:
    """The tutorial's model, collate_batch, DataLoader, train and evaluate (two epochs);
    ``data`` is ``torch.utils.data`` (``nn.data`` here)."""
    DataLoader = data.DataLoader

    def label_pipeline(x):
        return int(x) - 1

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(label_pipeline(_label))
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list, text_list, offsets

    class TextClassificationModel(nn.Module):
        def __init__(self, vocab_size, embed_dim, num_class):
            super(TextClassificationModel, self).__init__()
            self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
            self.fc = nn.Linear(embed_dim, num_class)
            self.init_weights()

        def init_weights(self):
            initrange = 0.5
            with torch.no_grad():  # self.embedding.weight.data.uniform_(...)
                self.embedding.weight.uniform_(-initrange, initrange)
                self.fc.weight.uniform_(-initrange, initrange)
                self.fc.bias.zero_()

        def forward(self, text, offsets):
            embedded = self.embedding(text, offsets)
            return self.fc(embedded)

    model = TextClassificationModel(len(VOCAB) + BUCKETS, 8, 3)
    sync(model)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=5)
    scheduler = optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)

    def train(dataloader):
        model.train()
        total_acc, total_count = 0, 0
        for idx, (label, text, offsets) in enumerate(dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            record.append(model.embedding.weight.grad)
            record.append(float(nn.utils.clip_grad_norm_(model.parameters(), 0.1)))
            optimizer.step()
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
            record.append(loss.item())
        return total_acc / total_count

    def evaluate(dataloader):
        model.eval()
        total_acc, total_count = 0, 0
        with torch.no_grad():
            for idx, (label, text, offsets) in enumerate(dataloader):
                predicted_label = model(text, offsets)
                total_acc += (predicted_label.argmax(1) == label).sum().item()
                total_count += label.size(0)
        return total_acc / total_count

    train_dataset, valid_dataset = sentences(24, seed=0), sentences(8, seed=1)
    valid_dataloader = DataLoader(valid_dataset, batch_size=8, shuffle=False,
                                  collate_fn=collate_batch)
    for epoch in range(1, 3):
        train_dataloader = DataLoader(train_dataset, batch_size=8, shuffle=False,
                                      collate_fn=collate_batch)
        record.append(train(train_dataloader))
        record.append(evaluate(valid_dataloader))
        scheduler.step()
        record.append(scheduler.get_last_lr())

    ag_news_label = {1: "World", 2: "Sports", 3: "Business"}

    def predict(text, text_pipeline):
        with torch.no_grad():
            text = torch.tensor(text_pipeline(text))
            output = model(text, torch.tensor([0]))
            return output.argmax(1).item() + 1

    record.append(ag_news_label[predict("the red dog sat on a log", text_pipeline)])
    record += [model.embedding.weight, model.fc.weight, model.fc.bias]


def test_tutorial_embedding_bag_with_offsets_and_hashed_bigrams(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    tutorial_embedding_bag(*libraries(torch), torch.utils.data, theirs, want)
    tutorial_embedding_bag(*libraries(), nn.data, ours, got)
    assert_records(got, want)


def bentrevett_fasttext(torch, nn, F, optim, sync, record: list) -> None:
    """bentrevett's notebook 3: generate_bigrams, the FastText model, train/evaluate."""

    def generate_bigrams(x):
        n_grams = set(zip(*[x[i:] for i in range(2)]))
        for n_gram in sorted(n_grams):  # sorted: a set's order differs between runs
            x.append(' '.join(n_gram))
        return x

    vocab = {word: i for i, word in enumerate(["<unk>", "<pad>"] + WORDS)}
    for label, text in sentences(40, seed=3):
        for gram in generate_bigrams(text.split())[len(text.split()):]:
            vocab.setdefault(gram, len(vocab))
    UNK_IDX, PAD_IDX = vocab["<unk>"], vocab["<pad>"]

    def numericalize(batch):
        texts = [[vocab.get(t, UNK_IDX) for t in generate_bigrams(text.split())]
                 for _, text in batch]
        longest = max(len(t) for t in texts)
        text = [t + [PAD_IDX] * (longest - len(t)) for t in texts]
        return torch.tensor(text), torch.tensor([float(label == 1) for label, _ in batch])

    class FastText(nn.Module):
        def __init__(self, vocab_size, embedding_dim, output_dim, pad_idx):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
            self.fc = nn.Linear(embedding_dim, output_dim)

        def forward(self, text):
            embedded = self.embedding(text)  # [batch size, sent len, emb dim]
            pooled = F.avg_pool2d(embedded, (embedded.shape[1], 1)).squeeze(1)
            return self.fc(pooled)

    model = FastText(len(vocab), 6, 1, PAD_IDX)
    sync(model)
    with torch.no_grad():  # model.embedding.weight.data[UNK_IDX] = torch.zeros(EMBEDDING_DIM)
        model.embedding.weight[UNK_IDX] = torch.zeros(6)
        model.embedding.weight[PAD_IDX] = torch.zeros(6)
    optimizer = optim.Adam(model.parameters())
    criterion = nn.BCEWithLogitsLoss()

    def binary_accuracy(preds, y):
        rounded_preds = torch.round(torch.sigmoid(preds))
        correct = (rounded_preds == y).float()
        return correct.sum() / len(correct)

    data = sentences(40, seed=3)
    for epoch in range(3):
        model.train()
        for start in range(0, 32, 8):
            text, label = numericalize(data[start:start + 8])
            optimizer.zero_grad()
            predictions = model(text).squeeze(1)
            loss = criterion(predictions, label)
            acc = binary_accuracy(predictions, label)
            loss.backward()
            optimizer.step()
            record += [loss.item(), acc.item()]
        model.eval()
        with torch.no_grad():
            text, label = numericalize(data[32:])
            predictions = model(text).squeeze(1)
            record += [criterion(predictions, label).item(),
                       binary_accuracy(predictions, label).item()]
    record += [model.embedding.weight, model.fc.weight]


def test_bentrevett_fasttext_bigrams_and_average_pooling(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    bentrevett_fasttext(*libraries(torch), theirs, want)
    bentrevett_fasttext(*libraries(), ours, got)
    assert_records(got, want)
