"""PyTorch's "NLP from scratch: classifying names with a character-level RNN", ported as a
PyTorch user writes it (``import autograd as ag`` for ``torch``, ``import nn``), on
made-up names from four made-up languages (nothing is downloaded): ``letterToTensor``/
``lineToTensor`` one-hot rows written by ``tensor[li][0][letterToIndex(letter)] = 1``, the
hand-made ``RNN`` module (``nn.Linear(input_size + hidden_size, hidden_size)``,
``torch.cat((input, hidden), 1)``, ``nn.LogSoftmax(dim=1)``), ``NLLLoss``,
``output.topk(1)`` and ``top_i[0].item()``, the hand-written update over
``rnn.parameters()``, the confusion matrix filled by ``confusion[i][j] += 1`` and
normalised row by row, and ``predict`` with ``output.topk(n_predictions, 1, True)``.

It runs step for step as PyTorch's from the same weights and examples, with PyTorch's
default dtype set to float64 for the comparison so that the tutorial's ``torch.zeros``
lines run unchanged in both. One spelling differs here (a documented choice): ``p.data``
is the NumPy array, which has no ``add_``, so ``p.data.add_(p.grad.data,
alpha=-learning_rate)`` is written ``p.data -= learning_rate * p.grad.data``.

The tutorial's 2024 rewrite (``nn.RNN``, a ``NamesDataset`` of (label_tensor, text_tensor,
label, text), ``random_split``, per-sample losses summed into ``batch_loss``,
``clip_grad_norm_``) runs step for step too, with one more documented difference:
``random_split``'s generator is a seed or NumPy Generator (NumPy's permutation, not
PyTorch's), so PyTorch is given the same split for the comparison.
"""

import random
import string

import numpy as np

import autograd as ag
import nn
import nn.data
from test_pytorch_ports import _to_numpy

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)
SYLLABLES = {"Arvish": ["ar", "vo", "sk", "rin", "ov"], "Belline": ["bel", "la", "ni", "ette"],
             "Kotami": ["ko", "ta", "mi", "ya", "shi"], "Dunmark": ["dun", "th", "orp", "ey"]}


def _category_lines() -> tuple[dict, list]:
    """Twenty made-up names per language: two or three of its syllables, capitalised."""
    rng = random.Random(1)
    category_lines = {c: ["".join(rng.choice(s) for _ in range(rng.randint(2, 3))).title()
                          for _ in range(20)] for c, s in SYLLABLES.items()}
    return category_lines, list(category_lines)


def _tutorial(T, lib):
    """The tutorial's helpers and model, for either library."""
    def letterToIndex(letter):  # find letter index from all_letters, e.g. "a" = 0
        return all_letters.find(letter)

    def letterToTensor(letter):  # just for demonstration, turn a letter into a <1 x n_letters>
        tensor = T.zeros(1, n_letters)
        tensor[0][letterToIndex(letter)] = 1
        return tensor

    def lineToTensor(line):  # a <line_length x 1 x n_letters> array of one-hot letter vectors
        tensor = T.zeros(len(line), 1, n_letters)
        for li, letter in enumerate(line):
            tensor[li][0][letterToIndex(letter)] = 1
        return tensor

    class RNN(lib.Module):
        def __init__(self, input_size, hidden_size, output_size) -> None:
            super(RNN, self).__init__()
            self.hidden_size = hidden_size
            self.i2h = lib.Linear(input_size + hidden_size, hidden_size)
            self.i2o = lib.Linear(input_size + hidden_size, output_size)
            self.softmax = lib.LogSoftmax(dim=1)

        def forward(self, input, hidden):
            combined = T.cat((input, hidden), 1)
            hidden = self.i2h(combined)
            output = self.i2o(combined)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self):
            return T.zeros(1, self.hidden_size)

    return letterToTensor, lineToTensor, RNN


def _names(T, lib, rnn, lineToTensor, n_iters: int, learning_rate: float = 0.005) -> dict:
    """The tutorial's training, evaluation and prediction; returns what it shows."""
    category_lines, all_categories = _category_lines()
    n_categories = len(all_categories)
    pick = random.Random(0)  # the tutorial's random.randint, the same draws for both

    def categoryFromOutput(output):
        top_n, top_i = output.topk(1)
        category_i = top_i[0].item()
        return all_categories[category_i], category_i

    def randomChoice(lst):
        return lst[pick.randint(0, len(lst) - 1)]

    def randomTrainingExample():
        category = randomChoice(all_categories)
        line = randomChoice(category_lines[category])
        category_tensor = T.tensor([all_categories.index(category)], dtype=T.long)
        line_tensor = lineToTensor(line)
        return category, line, category_tensor, line_tensor

    criterion = lib.NLLLoss()

    def train(category_tensor, line_tensor):
        hidden = rnn.initHidden()
        rnn.zero_grad()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        loss = criterion(output, category_tensor)
        loss.backward()
        for p in rnn.parameters():  # add parameters' gradients to their values, times -lr
            p.data -= learning_rate * p.grad.data  # p.data.add_(...): see the top
        return output, loss.item()

    log: dict = {"losses": [], "guesses": []}
    current_loss = 0
    for iter in range(1, n_iters + 1):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        output, loss = train(category_tensor, line_tensor)
        current_loss += loss
        log["losses"].append(loss)
        if iter % 25 == 0:
            guess, guess_i = categoryFromOutput(output)
            correct = "✓" if guess == category else "✗ (%s)" % category
            log["guesses"].append("%d %.4f %s / %s %s" % (iter, loss, line, guess, correct))
            current_loss = 0

    def evaluate(line_tensor):  # just return an output given a line
        hidden = rnn.initHidden()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        return output

    confusion = T.zeros(n_categories, n_categories)
    for i in range(100):  # the tutorial's n_confusion = 10000
        category, line, category_tensor, line_tensor = randomTrainingExample()
        output = evaluate(line_tensor)
        guess, guess_i = categoryFromOutput(output)
        category_i = all_categories.index(category)
        confusion[category_i][guess_i] += 1
    for i in range(n_categories):  # normalize by dividing every row by its sum
        confusion[i] = confusion[i] / confusion[i].sum()
    log["confusion"] = confusion.numpy().copy()

    predictions = []
    with T.no_grad():
        output = evaluate(lineToTensor("Kotayami"))
        topv, topi = output.topk(3, 1, True)
        for i in range(3):
            value = topv[0][i].item()
            category_index = topi[0][i].item()
            predictions.append([value, all_categories[category_index]])
    log["predictions"] = predictions
    return log


def test_names_rnn_helpers_as_torch(torch):
    ours, theirs = _tutorial(ag, nn), _tutorial(torch, torch.nn)
    np.testing.assert_array_equal(ours[0]("J"), theirs[0]("J").numpy())
    np.testing.assert_array_equal(ours[1]("Jones"), theirs[1]("Jones").numpy())
    assert ours[1]("Jones").size() == tuple(theirs[1]("Jones").size()) == (5, 1, n_letters)
    assert ours[1]("Jones").sum().item() == 5.0  # every chained write reached the tensor


def test_names_rnn_trains_as_torch(torch):
    _, their_lines, TheirRNN = _tutorial(torch, torch.nn)
    _, our_lines, OurRNN = _tutorial(ag, nn)
    torch.manual_seed(0)
    theirs = TheirRNN(n_letters, 16, 4)
    ours = OurRNN(n_letters, 16, 4)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _names(ag, nn, ours, our_lines, n_iters=150, learning_rate=0.05)
    want = _names(torch, torch.nn, theirs, their_lines, n_iters=150, learning_rate=0.05)
    np.testing.assert_allclose(got.pop("losses"), want.pop("losses"), rtol=1e-10)
    np.testing.assert_allclose(got.pop("confusion"), want.pop("confusion"), rtol=1e-12)
    got_p, want_p = got.pop("predictions"), want.pop("predictions")
    assert [c for _, c in got_p] == [c for _, c in want_p]
    np.testing.assert_allclose([v for v, _ in got_p], [v for v, _ in want_p], rtol=1e-10)
    assert got == want  # the guesses it prints
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12)


def test_names_rnn_learns_the_languages():
    _, lineToTensor, RNN = _tutorial(ag, nn)
    nn.manual_seed(0)
    rnn = RNN(n_letters, 32, 4)
    log = _names(ag, nn, rnn, lineToTensor, n_iters=800, learning_rate=0.05)
    assert np.mean(log["losses"][-200:]) < 0.5 * np.mean(log["losses"][:100])
    assert np.trace(log["confusion"]) / 4 > 0.8  # mean per-language accuracy
    assert log["predictions"][0][1] == "Kotami"


# ------------------------------------------------------------------ the 2024 rewrite
def _names_dataset(T, data, lineToTensor):
    """The rewrite's ``NamesDataset``: (label_tensor, text_tensor, label, text) samples."""
    class NamesDataset(data.Dataset):
        def __init__(self) -> None:
            category_lines, self.labels_uniq = _category_lines()
            self.data = [name for c in self.labels_uniq for name in category_lines[c]]
            self.labels = [c for c in self.labels_uniq for _ in category_lines[c]]
            self.data_tensors = [lineToTensor(name) for name in self.data]
            self.labels_uniq = list(set(self.labels))
            self.labels_uniq.sort()  # the tutorial's set order, made reproducible

        def __len__(self):
            return len(self.data)

        def __getitem__(self, idx):
            data_label = self.labels[idx]
            data_tensor = self.data_tensors[idx]
            label_tensor = T.tensor([self.labels_uniq.index(data_label)], dtype=T.long)
            return label_tensor, data_tensor, data_label, self.data[idx]

    return NamesDataset()


def _char_rnn(lib, input_size, hidden_size, output_size):
    class CharRNN(lib.Module):
        def __init__(self) -> None:
            super(CharRNN, self).__init__()
            self.rnn = lib.RNN(input_size, hidden_size)
            self.h2o = lib.Linear(hidden_size, output_size)
            self.softmax = lib.LogSoftmax(dim=1)

        def forward(self, line_tensor):
            rnn_out, hidden = self.rnn(line_tensor)
            output = self.h2o(hidden[0])
            output = self.softmax(output)
            return output

    return CharRNN()


def _rewrite_train(lib, optim, rnn, training_data, n_epoch: int = 2, n_batch_size: int = 8,
                   learning_rate: float = 0.2) -> list[float]:
    """The rewrite's ``train``: per-sample losses summed into ``batch_loss`` (from 0),
    ``clip_grad_norm_``, batches from ``np.array_split`` of a shuffled index list."""
    criterion = lib.NLLLoss()
    shuffle = random.Random(2024)  # the tutorial's random.shuffle, the same for both
    all_losses = []
    rnn.train()
    optimizer = optim.SGD(rnn.parameters(), lr=learning_rate)
    for iter in range(1, n_epoch + 1):
        rnn.zero_grad()  # clear the gradients
        current_loss = 0
        batches = list(range(len(training_data)))
        shuffle.shuffle(batches)
        batches = np.array_split(batches, len(batches) // n_batch_size)
        for idx, batch in enumerate(batches):
            batch_loss = 0
            for i in batch:  # for each example in this batch
                (label_tensor, text_tensor, label, text) = training_data[i]
                output = rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss  # recorded, as PyTorch records it
            batch_loss.backward()
            lib.utils.clip_grad_norm_(rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()
            current_loss += batch_loss.item() / len(batch)
        all_losses.append(current_loss / len(batches))
    return all_losses


def _rewrite_evaluate(T, rnn, testing_data, classes):
    confusion = T.zeros(len(classes), len(classes))
    rnn.eval()
    with T.no_grad():
        for i in range(len(testing_data)):
            (label_tensor, text_tensor, label, text) = testing_data[i]
            output = rnn(text_tensor)
            top_n, top_i = output.topk(1)
            guess_i = top_i[0].item()
            label_i = classes.index(label)
            confusion[label_i][guess_i] += 1
    for i in range(len(classes)):
        denom = confusion[i].sum()
        if denom > 0:
            confusion[i] = confusion[i] / denom
    return confusion.numpy().copy()


def test_names_rnn_rewrite_with_nn_rnn_as_torch(torch):
    runs = []
    torch.manual_seed(0)
    theirs = _char_rnn(torch.nn, n_letters, 16, 4)
    ours = _char_rnn(nn, n_letters, 16, 4)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    split = None
    for T, lib, model in ((ag, nn, ours), (torch, torch.nn, theirs)):
        data = nn.data if T is ag else torch.utils.data
        alldata = _names_dataset(T, data, _tutorial(T, lib)[1])
        if T is ag:  # generator=torch.Generator().manual_seed(2024) is a seed here
            train_set, test_set = data.random_split(alldata, [.85, .15], generator=2024)
            split = [train_set.indices, test_set.indices]
        else:  # NumPy's permutation, not PyTorch's: the same split for the comparison
            train_set, test_set = (data.Subset(alldata, indices) for indices in split)
        assert (len(train_set), len(test_set)) == (68, 12)
        losses = _rewrite_train(lib, nn.optim if T is ag else T.optim, model, train_set)
        runs.append((losses, _rewrite_evaluate(T, model, test_set, alldata.labels_uniq)))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-10)
    assert runs[0][0][-1] < runs[0][0][0]
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12)


def test_summing_losses_in_place_is_recorded():
    """``batch_loss += loss`` on a loss in the graph (it was an InplaceError)."""
    logits = ag.zeros(1, 3, requires_grad=True)
    batch_loss = 0
    for _ in range(2):
        batch_loss += nn.NLLLoss()(logits * 1.0, ag.tensor([1]))  # 0 + loss: a new Tensor
    batch_loss.backward()
    np.testing.assert_array_equal(logits.grad.data, [[0.0, -2.0, 0.0]])
