"""minGPT's ``Trainer`` draws batches forever from a sampler of ten billion indices:
``RandomSampler(dataset, replacement=True, num_samples=int(1e10))``. PyTorch draws
them lazily, 32 at a time; here too."""

import numpy as np

import nn
from nn.data import DataLoader, RandomSampler


def test_a_huge_num_samples_with_replacement_is_drawn_lazily(torch) -> None:
    """All 10**10 indices were drawn at the first ``next`` (80 GB: MemoryError)."""
    ours = RandomSampler(range(10), replacement=True, num_samples=int(1e10))
    theirs = torch.utils.data.RandomSampler(range(10), replacement=True,
                                            num_samples=int(1e10))
    assert len(ours) == len(theirs) == 10 ** 10
    first = [next(it) for it in [iter(ours)] for _ in range(100)]
    assert all(0 <= i < 10 for i in first) and len(set(first)) > 1


def test_chunked_draws_are_the_draws_of_one_call() -> None:
    """Drawing 32 at a time keeps the indices a seeded generator gave in one call."""
    rng = np.random.default_rng(7)
    want = rng.integers(13, size=100).tolist()
    got = list(RandomSampler(range(13), replacement=True, num_samples=100,
                             generator=np.random.default_rng(7)))
    assert got == want


def test_mingpts_trainer_loader_gives_batches(torch) -> None:
    data = nn.data.TensorDataset(np.arange(20.0).reshape(10, 2), np.arange(10))
    loader = DataLoader(data, sampler=RandomSampler(data, replacement=True,
                                                    num_samples=int(1e10)),
                        shuffle=False, pin_memory=True, batch_size=4, num_workers=0)
    x, y = next(iter(loader))
    assert x.shape == (4, 2) and y.shape == (4,)
    assert len(loader) == 25 * 10 ** 8
