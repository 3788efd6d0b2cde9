"""``IterableDataset`` and ``get_worker_info``, as llama2.c's ``tinystories.py`` streams
its pretokenized shards: ``class PretokDataset(torch.utils.data.IterableDataset)``,
read by a ``DataLoader(ds, batch_size=..., pin_memory=True, num_workers=0)``."""

import random

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError


def stream(torch, data):
    """A stream of (x, y) windows in an order from a seeded ``random.Random``."""

    class Windows(data.IterableDataset):
        def __init__(self, tokens, max_seq_len):
            super().__init__()
            self.tokens, self.max_seq_len = tokens, max_seq_len

        def __iter__(self):
            worker_info = data.get_worker_info()
            worker_id = worker_info.id if worker_info else 0
            rng = random.Random(42 + worker_id)
            ixs = list(range(len(self.tokens) // self.max_seq_len - 1))
            rng.shuffle(ixs)
            for ix in ixs:
                start = ix * self.max_seq_len
                chunk = torch.from_numpy(self.tokens[start:start + self.max_seq_len + 1]
                                         .astype(np.int64))
                yield chunk[:-1], chunk[1:]

    return Windows(np.arange(100, dtype=np.uint16) % 17, 8)


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, without a GPU
def test_a_dataloader_over_an_iterable_dataset_as_torch(torch) -> None:
    ours, theirs = stream(ag, nn.data), stream(torch, torch.utils.data)
    assert nn.data.get_worker_info() is None is torch.utils.data.get_worker_info()
    for drop_last in (False, True):
        got = list(nn.data.DataLoader(ours, batch_size=4, pin_memory=True, num_workers=0,
                                      drop_last=drop_last))
        want = list(torch.utils.data.DataLoader(theirs, batch_size=4, pin_memory=True,
                                                num_workers=0, drop_last=drop_last))
        assert len(got) == len(want) == (2 if drop_last else 3)
        for (x, y), (tx, ty) in zip(got, want):
            assert isinstance(x, ag.Tensor) and x.dtype == np.int64
            np.testing.assert_array_equal(x.numpy(), tx.numpy())
            np.testing.assert_array_equal(y.numpy(), ty.numpy())
    x, y = next(iter(nn.data.DataLoader(ours, 3)))  # batch_size by position, as PyTorch
    assert x.shape == (3, 8)


def test_what_an_iterable_dataset_cannot_take() -> None:
    ours = stream(ag, nn.data)
    for options in (dict(shuffle=True), dict(sampler=[0, 1]),
                    dict(batch_sampler=[[0, 1]], batch_size=1)):
        with pytest.raises(ConfigError, match="IterableDataset"):
            nn.data.DataLoader(ours, **options)
    with pytest.raises(TypeError):  # PyTorch's: the stream has no len()
        len(nn.data.DataLoader(ours, batch_size=2))
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(nn.data.IterableDataset())


def test_iterable_datasets_chain(torch) -> None:
    ours = stream(ag, nn.data) + stream(ag, nn.data)
    theirs = stream(torch, torch.utils.data) + stream(torch, torch.utils.data)
    assert type(ours).__name__ == type(theirs).__name__ == "ChainDataset"
    got, want = [x for x, _ in ours], [x for x, _ in theirs]
    assert len(got) == len(want) == 22
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
