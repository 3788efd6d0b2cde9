"""``fit`` on a stream: a DataLoader over an ``IterableDataset`` with no length (llama2.c's
``PretokDataset`` style). It raised Python's bare ``TypeError: object of type 'Stream'
has no len()``; now its batches are counted as they come, and an epoch that yields
nothing is a named error (the mean over no rows was 0.0 for a validation set)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.errors import ConfigError

X = np.random.default_rng(0).standard_normal((50, 3))
Y = X @ np.array([[1.0], [-2.0], [0.5]])


class Stream(nn.data.IterableDataset):
    """The rows of X and Y from the first ``n``, the same every epoch."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield X[i], Y[i]


def _fit(train, val, capsys=None):
    nn.manual_seed(0)
    model = nn.Linear(3, 1)
    history = nn.train.fit(model, nn.MSELoss(), nn.optim.SGD(model.parameters(), lr=0.05),
                           train, val=val, epochs=3, progress=capsys is not None)
    return model, history


def test_a_stream_trains_as_the_same_rows_given_as_arrays(capsys) -> None:
    streamed, history = _fit(nn.data.DataLoader(Stream(50), batch_size=8),
                             nn.data.DataLoader(Stream(20), batch_size=4), capsys)
    arrays, expected = _fit(nn.data.DataLoader(X, Y, batch_size=8),
                            nn.data.DataLoader(X[:20], Y[:20], batch_size=4))
    for mine, theirs in zip(streamed.parameters(), arrays.parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data)
    assert history.history["val_loss"] == expected.history["val_loss"]
    assert "epoch 3/3: loss=" in capsys.readouterr().out  # the plain lines, no total


@pytest.mark.parametrize("which", ["train", "validation"])
def test_an_empty_stream_is_named(which: str) -> None:
    full, empty = (nn.data.DataLoader(Stream(n), batch_size=8) for n in (50, 0))
    train, val = (empty, full) if which == "train" else (full, empty)
    with pytest.raises(ConfigError, match=f"the {which} data gave no batch this epoch"):
        _fit(train, val)
