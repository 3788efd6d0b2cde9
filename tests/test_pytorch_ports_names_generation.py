"""PyTorch's "NLP From Scratch: Generating Names with a Character-Level RNN"
(``char_rnn_generation_tutorial.py``), ported as a PyTorch user writes it and run step for
step next to PyTorch (float64) on made-up names of four made-up languages, read from
``data/names/*.txt`` by the tutorial's ``findFiles``/``unicodeToAscii``/``readLines``: the one-hot
``categoryTensor``/``inputTensor`` (``tensor[li][0][all_letters.find(letter)] = 1``) and
``targetTensor`` (``torch.LongTensor`` of the next letters and EOS), the ``RNN`` module
(``i2h``, ``i2o`` and ``o2o`` over ``torch.cat``, ``Dropout(0.1)``, ``LogSoftmax``),
``train`` (``target_line_tensor.unsqueeze_(-1)``, which was missing: fixed;
``loss = torch.Tensor([0])`` and ``loss += l`` over the line; ``loss.item() /
input_line_tensor.size(0)``), the training loop with its printed lines and plot, and
``sample`` under ``no_grad`` (``output.topk(1)``, ``topi[0][0]``, ``all_letters[topi]``).

Lines written differently here:
- ``p.data.add_(p.grad.data, alpha=-learning_rate)``: ``p.data`` is the NumPy array here (a
  documented choice), which has no ``add_``; the update is ``p.add_(p.grad,
  alpha=-learning_rate)`` under ``no_grad()``, the same update in both libraries;
- ``random`` is a ``random.Random`` given by the test, the same draws for both runs.

The test's glue: PyTorch's initial weights loaded into ours, and PyTorch's dropout keeping
what ours kept (in training and in sampling: the tutorial never calls ``rnn.eval()``).
"""

import contextlib
import glob
import io
import math
import os
import random
import re
import string
import time
import unicodedata

import numpy as np
import pytest

import autograd as ag
import nn
from pytorch_examples_helpers import record_dropout, replay_dropout
from test_pytorch_ports import _to_numpy

all_letters = string.ascii_letters + " .,;'-"
n_letters = len(all_letters) + 1  # Plus EOS marker
SYLLABLES = {"Arvish": ["ar", "vo", "sk", "rin", "ov"], "Belline": ["bel", "la", "ni", "ette"],
             "Kotami": ["ko", "ta", "mi", "ya", "shi"], "Dunmark": ["dun", "th", "orp", "ey"]}


@pytest.fixture
def names(tmp_path, monkeypatch):
    """``data/names/<language>.txt`` in place of the tutorial's download: twenty made-up
    names per language, some with a hyphen, an apostrophe or an accent (which
    ``unicodeToAscii`` drops)."""
    rng = random.Random(3)
    (tmp_path / "data" / "names").mkdir(parents=True)
    for category, syllables in SYLLABLES.items():
        lines = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
                 for _ in range(18)]
        lines += [f"{lines[0]}-{lines[1]}", f"O'{lines[2]}"]
        lines[3] = lines[3].replace("o", "ö").replace("e", "é")
        (tmp_path / "data" / "names" / f"{category}.txt").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _read_names():
    """The tutorial's reading of ``data/names/*.txt``: ``category_lines``, ``all_categories``
    (in ``glob``'s order, the same for both libraries' runs)."""
    def findFiles(path):
        return glob.glob(path)

    def unicodeToAscii(s):  # Turn a Unicode string to plain ASCII
        return ''.join(
            c for c in unicodedata.normalize('NFD', s)
            if unicodedata.category(c) != 'Mn'
            and c in all_letters
        )

    def readLines(filename):  # Read a file and split into lines
        with open(filename, encoding='utf-8') as some_file:
            return [unicodeToAscii(line.strip()) for line in some_file]

    category_lines = {}  # Build the category_lines dictionary, a list of lines per category
    all_categories = []
    for filename in findFiles('data/names/*.txt'):
        category = os.path.splitext(os.path.basename(filename))[0]
        all_categories.append(category)
        lines = readLines(filename)
        category_lines[category] = lines
    return category_lines, all_categories


def generation(torch, nn, random, plt=None, figures=None):
    """The tutorial's definitions for the library ``torch``; ``random`` draws the examples."""
    category_lines, all_categories = _read_names()
    n_categories = len(all_categories)

    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(RNN, self).__init__()
            self.hidden_size = hidden_size

            self.i2h = nn.Linear(n_categories + input_size + hidden_size, hidden_size)
            self.i2o = nn.Linear(n_categories + input_size + hidden_size, output_size)
            self.o2o = nn.Linear(hidden_size + output_size, output_size)
            self.dropout = nn.Dropout(0.1)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, category, input, hidden):
            input_combined = torch.cat((category, input, hidden), 1)
            hidden = self.i2h(input_combined)
            output = self.i2o(input_combined)
            output_combined = torch.cat((hidden, output), 1)
            output = self.o2o(output_combined)
            output = self.dropout(output)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self):
            return torch.zeros(1, self.hidden_size)

    def randomChoice(l):  # Random item from a list  # noqa: E741
        return l[random.randint(0, len(l) - 1)]

    def randomTrainingPair():  # Get a random category and random line from that category
        category = randomChoice(all_categories)
        line = randomChoice(category_lines[category])
        return category, line

    def categoryTensor(category):  # One-hot vector for category
        li = all_categories.index(category)
        tensor = torch.zeros(1, n_categories)
        tensor[0][li] = 1
        return tensor

    def inputTensor(line):  # One-hot matrix of first to last letters (not including EOS)
        tensor = torch.zeros(len(line), 1, n_letters)
        for li in range(len(line)):
            letter = line[li]
            tensor[li][0][all_letters.find(letter)] = 1
        return tensor

    def targetTensor(line):  # ``LongTensor`` of second letter to end (EOS) for target
        letter_indexes = [all_letters.find(line[li]) for li in range(1, len(line))]
        letter_indexes.append(n_letters - 1)  # EOS
        return torch.LongTensor(letter_indexes)

    def randomTrainingExample():  # category, input, and target tensors from a random pair
        category, line = randomTrainingPair()
        category_tensor = categoryTensor(category)
        input_line_tensor = inputTensor(line)
        target_line_tensor = targetTensor(line)
        return category_tensor, input_line_tensor, target_line_tensor

    criterion = nn.NLLLoss()

    def train(rnn, learning_rate, category_tensor, input_line_tensor, target_line_tensor):
        target_line_tensor.unsqueeze_(-1)
        hidden = rnn.initHidden()

        rnn.zero_grad()

        loss = torch.Tensor([0])  # you can also just simply use ``loss = 0``

        for i in range(input_line_tensor.size(0)):
            output, hidden = rnn(category_tensor, input_line_tensor[i], hidden)
            l = criterion(output, target_line_tensor[i])  # noqa: E741
            loss += l

        loss.backward()

        for p in rnn.parameters():  # p.data.add_(p.grad.data, alpha=-learning_rate)
            with torch.no_grad():
                p.add_(p.grad, alpha=-learning_rate)

        return output, loss.item() / input_line_tensor.size(0)

    def timeSince(since):
        now = time.time()
        s = now - since
        m = math.floor(s / 60)
        s -= m * 60
        return '%dm %ds' % (m, s)

    def trainIters(rnn, n_iters, print_every, plot_every, learning_rate=0.0005):
        all_losses = []
        total_loss = 0  # Reset every ``plot_every`` ``iters``

        start = time.time()

        for iter in range(1, n_iters + 1):
            output, loss = train(rnn, learning_rate, *randomTrainingExample())
            total_loss += loss

            if iter % print_every == 0:
                print('%s (%d %d%%) %.4f' % (timeSince(start), iter, iter / n_iters * 100, loss))

            if iter % plot_every == 0:
                all_losses.append(total_loss / plot_every)
                total_loss = 0

        if plt is not None:
            plt.figure()
            plt.plot(all_losses)
            plt.savefig(figures / "losses.png")  # the notebook shows it
            plt.close("all")
        return all_losses

    max_length = 20

    def sample(rnn, category, start_letter='A'):  # Sample from a category and starting letter
        with torch.no_grad():  # no need to track history in sampling
            category_tensor = categoryTensor(category)
            input = inputTensor(start_letter)
            hidden = rnn.initHidden()

            output_name = start_letter

            for i in range(max_length):
                output, hidden = rnn(category_tensor, input[0], hidden)
                topv, topi = output.topk(1)
                topi = topi[0][0]
                if topi == n_letters - 1:
                    break
                else:
                    letter = all_letters[topi]
                    output_name += letter
                input = inputTensor(letter)

            return output_name

    def samples(rnn, category, start_letters='ABC'):  # several samples, one per letter
        for start_letter in start_letters:
            print(sample(rnn, category, start_letter))

    return locals()


def test_names_generation_tensors_as_torch(torch, names):
    ours, theirs = generation(ag, nn, random.Random(0)), generation(torch, torch.nn, None)
    for make, line in (("categoryTensor", "Kotami"), ("inputTensor", "O'Dun-Ey"),
                       ("targetTensor", "O'Dun-Ey")):
        got, want = ours[make](line), theirs[make](line)
        assert got.numpy().dtype == want.numpy().dtype and got.shape == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert ours["inputTensor"]("Ko").sum().item() == 2.0  # every chained write landed
    assert ours["targetTensor"]("Ko").tolist() == [all_letters.find("o"), n_letters - 1]
    lines = ours["category_lines"]
    assert sorted(lines) == sorted(SYLLABLES) and all(len(v) == 20 for v in lines.values())
    assert any("-" in n for n in lines["Kotami"]) and all(n.isascii() for v in lines.values()
                                                          for n in v)


def _run(lib, rnn, masks, n_iters, plt=None, figures=None):
    """The tutorial's training and sampling for ``lib``; what it printed and plotted."""
    program = generation(ag if lib is nn else pytest.importorskip("torch"), lib,
                         random.Random(0), plt, figures)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        losses = program["trainIters"](rnn, n_iters, print_every=25, plot_every=10,
                                       learning_rate=0.02)
        for category in ("Arvish", "Kotami"):
            program["samples"](rnn, category, "ABK")
    return re.sub(r"\d+m \d+s", "#", printed.getvalue()), losses


def test_names_generation_trains_and_samples_as_torch(torch, names):
    tmp_path = names
    torch.manual_seed(0)
    theirs = generation(torch, torch.nn, None)["RNN"](n_letters, 24, n_letters)
    ours = generation(ag, nn, None)["RNN"](n_letters, 24, n_letters)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    masks: list = []
    record_dropout(ours, masks), replay_dropout(torch, theirs, masks)
    ag.manual_seed(0)
    plt = None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        pass
    got, got_losses = _run(nn, ours, masks, 100, plt, tmp_path)
    want, want_losses = _run(torch.nn, theirs, masks, 100)
    assert masks == []  # PyTorch's run used every one, in training and in sampling
    assert got == want
    assert got.startswith("# (25 25%) ") and len(got.splitlines()) == 4 + 6
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12)
    if plt is not None:
        assert (tmp_path / "losses.png").stat().st_size > 0
