"""A CRNN (convolutions, then a bidirectional LSTM over the columns, trained with CTC)
as crnn.pytorch's readers write it, on generated images of stroke glyphs: a line of 2-3
glyphs from a 4-letter alphabet, with noise. Written once for a library ``torch`` and run
step for step next to PyTorch's from the same weights (float64): losses, gradients and
parameters agree to 1e-10. Then greedy decoding (crnn.pytorch's ``strLabelConverter``
loop) and prefix beam search on the trained model's outputs, both checked against the
sum over every path on a small case.

Lines written differently here: ``_, preds = preds.max(2)`` is ``preds.max(dim=2)`` (a
bare int axis is refused: NumPy's ``max`` gives the values, PyTorch's the pair); the image
buffer is a ``DoubleTensor`` (``FloatTensor`` there) so that both run in float64; and
``loadData`` takes the library as its first argument.
"""

import itertools
from collections import defaultdict

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)

# ------------------------------------------------------------------ generated data
GLYPHS = {  # 6 x 3 strokes of the letters 1..4 (0 is CTC's blank)
    1: ["010", "010", "010", "010", "010", "010"],
    2: ["111", "001", "111", "100", "100", "111"],
    3: ["101", "101", "111", "001", "001", "001"],
    4: ["111", "101", "101", "101", "101", "111"],
}
HEIGHT, WIDTH = 8, 20


def stroke_lines(n: int, seed: int, jitter: bool = True) -> tuple[np.ndarray, list[list[int]]]:
    """n images (n, 1, HEIGHT, WIDTH) of 2-3 glyphs left to right at random gaps and
    heights, plus noise; and each image's labels."""
    rng = np.random.default_rng(seed)
    images, texts = np.zeros((n, 1, HEIGHT, WIDTH)), []
    for i in range(n):
        text = list(rng.integers(1, 5, size=rng.integers(2, 4)))
        x = int(rng.integers(0, 3))
        for label in text:
            top = int(rng.integers(0, HEIGHT - 5)) if jitter else 1
            glyph = np.array([[float(c) for c in row] for row in GLYPHS[label]])
            images[i, 0, top:top + 6, x:x + 3] = glyph
            x += 3 + int(rng.integers(2, 4))
        texts.append([int(c) for c in text])
    images += rng.normal(scale=0.1, size=images.shape)
    return images, texts


def encode(texts: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """crnn.pytorch's ``strLabelConverter.encode``: all labels end to end, and lengths."""
    return (np.array([c for t in texts for c in t], dtype=np.int64),
            np.array([len(t) for t in texts], dtype=np.int64))


# ------------------------------------------------------------------ the program
def crnn(torch, nclass: int = 5, nh: int = 8):
    torch, nn, F, _ = libraries(torch)

    class BidirectionalLSTM(nn.Module):
        def __init__(self, nIn, nHidden, nOut):
            super().__init__()
            self.rnn = nn.LSTM(nIn, nHidden, bidirectional=True)
            self.embedding = nn.Linear(nHidden * 2, nOut)

        def forward(self, input):
            recurrent, _ = self.rnn(input)
            T, b, h = recurrent.size()
            t_rec = recurrent.view(T * b, h)
            output = self.embedding(t_rec)  # [T * b, nOut]
            output = output.view(T, b, -1)
            return output

    class CRNN(nn.Module):
        def __init__(self):
            super().__init__()
            cnn = nn.Sequential()
            cnn.add_module("conv0", nn.Conv2d(1, 6, 3, 1, 1))
            cnn.add_module("batchnorm0", nn.BatchNorm2d(6))
            cnn.add_module("relu0", nn.ReLU(True))
            cnn.add_module("pooling0", nn.MaxPool2d((2, 1), (2, 1)))  # 8x20 -> 4x20
            cnn.add_module("conv1", nn.Conv2d(6, 8, 3, 1, 1))
            cnn.add_module("relu1", nn.ReLU(True))
            cnn.add_module("pooling1", nn.MaxPool2d((4, 1), (4, 1)))  # 4x20 -> 1x20
            self.cnn = cnn
            self.rnn = nn.Sequential(BidirectionalLSTM(8, nh, nh),
                                     BidirectionalLSTM(nh, nh, nclass))

        def forward(self, input):
            conv = self.cnn(input)
            b, c, h, w = conv.size()
            assert h == 1, "the height of conv must be 1"
            conv = conv.squeeze(2)
            conv = conv.permute(2, 0, 1)  # [w, b, c]
            output = self.rnn(conv)
            return F.log_softmax(output, dim=2)

    return CRNN()


def loadData(torch, v, data):
    """crnn.pytorch's ``utils.loadData``: reuse the buffer ``v`` for ``data``."""
    with torch.no_grad():
        v.resize_(data.size()).copy_(data)


def train(torch, model, images, texts, steps: int, batch_size: int = 8,
          record: list | None = None):
    """crnn.pytorch's ``trainBatch`` loop: buffers filled by ``loadData``, the CTC loss
    summed and divided by the batch size."""
    torch, nn, F, optim = libraries(torch)
    criterion = nn.CTCLoss(reduction="sum", zero_infinity=True)
    optimizer = optim.Adam(model.parameters(), lr=0.01, betas=(0.5, 0.999))
    # torch.FloatTensor in the original: float64 here, to compare to 1e-10
    image = torch.DoubleTensor(batch_size, 1, HEIGHT, WIDTH)
    text = torch.IntTensor(batch_size * 5)
    length = torch.IntTensor(batch_size)
    losses = []
    for step in range(steps):
        start = step * batch_size % len(texts)
        cpu_images = torch.tensor(images[start:start + batch_size])
        batch_size = cpu_images.size(0)
        loadData(torch, image, cpu_images)
        t, l = encode(texts[start:start + batch_size])  # noqa: E741  (the original's names)
        loadData(torch, text, torch.IntTensor(t.tolist()))
        loadData(torch, length, torch.IntTensor(l.tolist()))
        preds = model(image)
        preds_size = torch.IntTensor([preds.size(0)] * batch_size)
        cost = criterion(preds, text, preds_size, length) / batch_size
        model.zero_grad()
        cost.backward()
        if record is not None:
            record.append({n: to_numpy(p.grad) for n, p in model.named_parameters()})
        optimizer.step()
        losses.append(cost.item())
    return losses


def greedy_decode(torch, preds, preds_size):
    """crnn.pytorch's test loop: the best class per step, then ``converter.decode``
    (merge repeats, drop blanks) on the flattened (b * T) predictions."""
    # preds.max(2) here: a bare int axis is refused (NumPy's max gives the values,
    # PyTorch's the pair), so the PyTorch meaning is named with dim=
    _, preds = preds.max(dim=2)
    preds = preds.transpose(1, 0).contiguous().view(-1)
    texts, index = [], 0
    for i in range(preds_size.numel()):
        length = preds_size[i]
        t = preds[index:index + length]
        char_list = []
        for j in range(length):
            if t[j] != 0 and (not (j > 0 and t[j - 1] == t[j])):
                char_list.append(int(t[j]))
        texts.append(char_list)
        index += length
    return texts


def prefix_beam_search(probs: np.ndarray, beam: int = 4, blank: int = 0) -> list[int]:
    """CTC prefix beam search on one sequence's probabilities (T, C): each prefix keeps
    the probability of its paths ending in a blank and in a label."""
    beams = {(): (1.0, 0.0)}  # prefix -> (p ending in blank, p ending in its last label)
    for step in probs:
        nxt = defaultdict(lambda: [0.0, 0.0])
        for prefix, (p_b, p_nb) in beams.items():
            nxt[prefix][0] += (p_b + p_nb) * step[blank]
            for c in range(len(step)):
                if c == blank:
                    continue
                if prefix and prefix[-1] == c:
                    nxt[prefix][1] += p_nb * step[c]          # repeat merged
                    nxt[prefix + (c,)][1] += p_b * step[c]    # blank between: new label
                else:
                    nxt[prefix + (c,)][1] += (p_b + p_nb) * step[c]
        beams = dict(sorted(nxt.items(), key=lambda kv: -sum(kv[1]))[:beam])
    best = max(beams.items(), key=lambda kv: sum(kv[1]))[0]
    return list(best)


# ------------------------------------------------------------------ tests
def _models(torch):
    torch.manual_seed(0)
    theirs = crnn(torch)
    ours = crnn(None)
    copy_weights(ours, theirs)
    return ours, theirs


def test_crnn_trains_step_for_step_as_pytorch(torch):
    images, texts = stroke_lines(16, seed=0)
    ours, theirs = _models(torch)
    got_grads, want_grads = [], []
    got = train(None, ours, images, texts, steps=3, record=got_grads)
    want = train(torch, theirs, images, texts, steps=3, record=want_grads)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    for mine, theirs_grads in zip(got_grads, want_grads):
        for name in theirs_grads:
            np.testing.assert_allclose(mine[name], theirs_grads[name], atol=1e-10,
                                       err_msg=name)
    assert_same_state(ours, theirs)
    assert_same_grads(ours, theirs)


def test_decoders_agree_between_libraries_after_training(torch):
    """Both models after the same training steps give the same log-probabilities, and
    crnn.pytorch's greedy loop and the beam search read the same lines from them."""
    images, texts = stroke_lines(16, seed=1)
    ours, theirs = _models(torch)
    losses = train(None, ours, images, texts, steps=4)
    train(torch, theirs, images, texts, steps=4)
    assert losses[-1] < losses[0]
    test_images, _ = stroke_lines(6, seed=2)
    decoded = []
    for library, model in ((None, ours), (torch, theirs)):
        T = libraries(library)[0]
        model.eval()
        with T.no_grad():
            preds = model(T.tensor(test_images))
        sizes = T.IntTensor([preds.size(0)] * len(test_images))
        probs = to_numpy(preds.exp())
        decoded.append((greedy_decode(T, preds, sizes),
                        [prefix_beam_search(probs[:, i]) for i in range(len(test_images))],
                        to_numpy(preds)))
    np.testing.assert_allclose(decoded[0][2], decoded[1][2], atol=1e-10)
    assert decoded[0][:2] == decoded[1][:2]


def _collapse(path) -> tuple:
    """A path read as labels: repeats merged, blanks (0) dropped."""
    return tuple(c for i, c in enumerate(path) if c != 0 and (i == 0 or path[i - 1] != c))


def _brute_force(probs: np.ndarray) -> dict:
    """p(labels) for every label sequence: the sum over all C^T paths that read as it."""
    totals = defaultdict(float)
    for path in itertools.product(range(probs.shape[1]), repeat=len(probs)):
        totals[_collapse(path)] += float(np.prod(probs[np.arange(len(probs)), path]))
    return totals


def test_beam_search_and_ctc_loss_agree_with_all_paths(torch):
    """On 4 steps of 3 classes every path can be listed: a wide beam finds the most
    probable line (where greedy, reading the best path, can miss it), and
    exp(-ctc_loss(line)) is its summed probability, in both libraries."""
    T, nn, F, _ = libraries(None)
    rng = np.random.default_rng(3)
    for _ in range(5):
        logits = rng.normal(size=(4, 1, 3))
        probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        totals = _brute_force(probs[:, 0])
        best = max(totals, key=totals.get)
        assert tuple(prefix_beam_search(probs[:, 0], beam=16)) == best
        for line in (best, (1, 2), (2,)):
            for library in (None, torch):
                T, nn, F, _ = libraries(library)
                log_probs = F.log_softmax(T.tensor(logits), dim=2)
                loss = F.ctc_loss(log_probs, T.tensor([list(line)]), T.tensor([4]),
                                  T.tensor([len(line)]), reduction="sum")
                np.testing.assert_allclose(np.exp(-loss.item()), totals[line], rtol=1e-12)
