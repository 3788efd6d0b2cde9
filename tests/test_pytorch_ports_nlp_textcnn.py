"""Kim (2014)'s convolutional sentence classifier (TextCNN), ported as its readers write
it: Shawn1993/cnn-text-classification-pytorch's ``CNN_Text`` (``Conv2d`` kernels
``(K, D)`` spanning the embedding, ``squeeze(3)``, ``F.max_pool1d(i, i.size(2))``:
max-over-time) with its ``train``/``eval`` loops, and bentrevett/pytorch-sentiment-
analysis's ``CNN`` (``Conv1d`` over the permuted embedding, ``padding_idx``, pretrained
vectors copied in, ``BCEWithLogitsLoss`` and ``binary_accuracy``). Each program is written
once for a library ``torch`` and runs step for step next to PyTorch from the same weights
(float64): losses, accuracies, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.max(logit, 1)[1]``: ``torch.max(logit, dim=1)[1]``; a bare positional axis
  means NumPy's values here as well as PyTorch's pair, so it is refused (``UsageError``);
- ``model.embedding.weight.data.copy_(vectors)`` and ``...data[UNK_IDX] = zeros``:
  ``.data`` is NumPy's array here, so the writes go to the parameter under ``no_grad()``;
- dropout is built with p=0 (the two libraries' generators differ); sentences are random
  token ids in place of torchtext's SST/IMDB iterators.
"""

import numpy as np

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync

VOCAB, LENGTH, BATCH = 40, 12, 8


def batches(n: int, classes: int, seed: int = 0) -> list:
    """n batches of (token ids (BATCH, LENGTH) with trailing padding id 1, labels)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        text = rng.integers(2, VOCAB, (BATCH, LENGTH))
        for row, length in enumerate(rng.integers(6, LENGTH + 1, BATCH)):
            text[row, length:] = 1
        out.append((text, rng.integers(0, classes, BATCH)))
    return out


def kim_cnn_text(torch, nn, F, optim, sync, record: list, static: bool) -> None:
    """Shawn1993's model.py and train.py (train, eval), one epoch over a few batches."""

    class CNN_Text(nn.Module):
        def __init__(self, args):
            super(CNN_Text, self).__init__()
            self.args = args
            V = args["embed_num"]
            D = args["embed_dim"]
            C = args["class_num"]
            Ci = 1
            Co = args["kernel_num"]
            Ks = args["kernel_sizes"]
            self.embed = nn.Embedding(V, D)
            self.convs1 = nn.ModuleList([nn.Conv2d(Ci, Co, (K, D)) for K in Ks])
            self.dropout = nn.Dropout(args["dropout"])
            self.fc1 = nn.Linear(len(Ks) * Co, C)
            if self.args["static"]:
                self.embed.weight.requires_grad = False

        def forward(self, x):
            x = self.embed(x)  # (N, W, D)
            x = x.unsqueeze(1)  # (N, Ci, W, D)
            x = [F.relu(conv(x)).squeeze(3) for conv in self.convs1]  # [(N, Co, W), ...]
            x = [F.max_pool1d(i, i.size(2)).squeeze(2) for i in x]  # [(N, Co), ...]
            x = torch.cat(x, 1)
            x = self.dropout(x)  # (N, len(Ks)*Co)
            logit = self.fc1(x)  # (N, C)
            return logit

    args = dict(embed_num=VOCAB, embed_dim=6, class_num=3, kernel_num=4,
                kernel_sizes=[3, 4, 5], dropout=0.0, static=static, lr=0.01)
    cnn = CNN_Text(args)
    sync(cnn)
    optimizer = optim.Adam(cnn.parameters(), lr=args["lr"])
    cnn.train()
    for feature, target in batches(3, 3):
        feature, target = torch.tensor(feature).t(), torch.tensor(target) + 1
        feature.t_(), target.sub_(1)  # batch first, index align
        optimizer.zero_grad()
        logit = cnn(feature)
        loss = F.cross_entropy(logit, target)
        loss.backward()
        record += [cnn.fc1.weight.grad, cnn.convs1[1].bias.grad]
        record.append(cnn.embed.weight.grad is None)
        optimizer.step()
        corrects = (torch.max(logit, dim=1)[1].view(target.size()).data == target.data).sum()
        accuracy = 100.0 * corrects / feature.shape[0]
        record += [loss.item(), float(accuracy), corrects.item()]
    cnn.eval()
    corrects, avg_loss = 0, 0
    for feature, target in batches(2, 3, seed=1):
        feature, target = torch.tensor(feature), torch.tensor(target)
        logit = cnn(feature)
        loss = F.cross_entropy(logit, target, reduction="sum")
        avg_loss += loss.item()
        corrects += (torch.max(logit, dim=1)[1].view(target.size()).data == target.data).sum()
    record += [avg_loss / (2 * BATCH), float(100.0 * corrects / (2 * BATCH))]
    record += [p for p in cnn.parameters()]


def bentrevett_cnn(torch, nn, F, optim, sync, record: list) -> None:
    """bentrevett's notebook 4: the model, pretrained vectors, train/evaluate, predict."""

    class CNN(nn.Module):
        def __init__(self, vocab_size, embedding_dim, n_filters, filter_sizes, output_dim,
                     dropout, pad_idx):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
            self.convs = nn.ModuleList([
                nn.Conv1d(in_channels=embedding_dim, out_channels=n_filters, kernel_size=fs)
                for fs in filter_sizes])
            self.fc = nn.Linear(len(filter_sizes) * n_filters, output_dim)
            self.dropout = nn.Dropout(dropout)

        def forward(self, text):
            embedded = self.embedding(text)  # [batch size, sent len, emb dim]
            embedded = embedded.permute(0, 2, 1)  # [batch size, emb dim, sent len]
            conved = [F.relu(conv(embedded)) for conv in self.convs]
            pooled = [F.max_pool1d(conv, conv.shape[2]).squeeze(2) for conv in conved]
            cat = self.dropout(torch.cat(pooled, dim=1))
            return self.fc(cat)

    EMBEDDING_DIM, PAD_IDX, UNK_IDX = 5, 1, 0
    model = CNN(VOCAB, EMBEDDING_DIM, 3, [2, 3, 4], 1, 0.0, PAD_IDX)
    sync(model)

    def count_parameters(model):
        return sum(p.numel() for p in model.parameters() if p.requires_grad)

    record.append(count_parameters(model))
    pretrained_embeddings = torch.tensor(np.random.default_rng(5).normal(
        size=(VOCAB, EMBEDDING_DIM)))
    with torch.no_grad():  # model.embedding.weight.data.copy_(pretrained_embeddings)
        model.embedding.weight.copy_(pretrained_embeddings)
        model.embedding.weight[UNK_IDX] = torch.zeros(EMBEDDING_DIM)
        model.embedding.weight[PAD_IDX] = torch.zeros(EMBEDDING_DIM)
    optimizer = optim.Adam(model.parameters())
    criterion = nn.BCEWithLogitsLoss()

    def binary_accuracy(preds, y):
        rounded_preds = torch.round(torch.sigmoid(preds))
        correct = (rounded_preds == y).float()
        acc = correct.sum() / len(correct)
        return acc

    def train(model, iterator, optimizer, criterion):
        epoch_loss = 0
        epoch_acc = 0
        model.train()
        for text, label in iterator:
            optimizer.zero_grad()
            predictions = model(torch.tensor(text)).squeeze(1)
            loss = criterion(predictions, torch.tensor(label, dtype=predictions.dtype))
            acc = binary_accuracy(predictions, torch.tensor(label, dtype=predictions.dtype))
            loss.backward()
            record.append(model.embedding.weight.grad[PAD_IDX])  # zero: padding_idx
            optimizer.step()
            epoch_loss += loss.item()
            epoch_acc += acc.item()
        return epoch_loss / len(iterator), epoch_acc / len(iterator)

    def evaluate(model, iterator, criterion):
        epoch_loss = 0
        epoch_acc = 0
        model.eval()
        with torch.no_grad():
            for text, label in iterator:
                predictions = model(torch.tensor(text)).squeeze(1)
                label = torch.tensor(label, dtype=predictions.dtype)
                epoch_loss += criterion(predictions, label).item()
                epoch_acc += binary_accuracy(predictions, label).item()
        return epoch_loss / len(iterator), epoch_acc / len(iterator)

    for epoch in range(2):
        record += list(train(model, batches(3, 2, seed=epoch), optimizer, criterion))
        record += list(evaluate(model, batches(2, 2, seed=9), criterion))

    def predict_sentiment(model, indexed, min_len=5):
        model.eval()
        indexed = indexed + [PAD_IDX] * (min_len - len(indexed))
        tensor = torch.LongTensor(indexed)
        tensor = tensor.unsqueeze(0)
        prediction = torch.sigmoid(model(tensor))
        return prediction.item()

    record += [predict_sentiment(model, [4, 9, 13]), predict_sentiment(model, [7] * 8)]
    record += [model.embedding.weight, model.convs[2].weight, model.fc.bias]


def test_kim_cnn_text_non_static_and_static(torch):
    for static in (False, True):
        ours, theirs = weight_sync()
        got, want = Printed(), Printed()
        kim_cnn_text(*libraries(torch), theirs, want, static)
        kim_cnn_text(*libraries(), ours, got, static)
        assert_records(got, want)
        assert got[2] is static  # a frozen embedding keeps no gradient


def test_bentrevett_convolutional_sentiment(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    bentrevett_cnn(*libraries(torch), theirs, want)
    bentrevett_cnn(*libraries(), ours, got)
    assert_records(got, want)
    assert got[0] == VOCAB * 5 + 3 * 5 * (2 + 3 + 4) + 9 + 9 + 1
    np.testing.assert_array_equal(got[1], 0.0)
