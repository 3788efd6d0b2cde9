"""Glue shared by the ports of self-supervised and capsule programs
(``test_pytorch_ports_contrastive_*.py``): scikit-learn's 8x8 digits, a library namespace
whose random draws (``rand``, ``randint``, ``randn_like``) come from one NumPy generator
seeded alike in both runs, and the augmentations readers write by hand for such images
(a random crop by padding and slicing, a flip by ``torch.flip``, Gaussian noise)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def digits(n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's digits as float64 images (n, 1, 8, 8) in [0, 1], int64 labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8), labels[:n].astype(np.int64)


class SharedRandom:
    """A library's namespace whose ``randn``, ``rand``, ``randint``, ``randperm`` and
    ``randn_like`` draw float64 (int64) numbers from a NumPy generator re-seeded by
    ``manual_seed``: the same numbers in both runs (the two libraries' generators
    differ)."""

    def __init__(self, library) -> None:
        self.library = library
        self.rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def manual_seed(self, seed: int):
        self.rng = np.random.default_rng(seed)
        return self.library.manual_seed(seed)

    def randn(self, *size, device=None):
        return self.library.tensor(self.rng.standard_normal(size), device=device)

    def rand(self, *size):
        return self.library.tensor(self.rng.random(size))

    def randint(self, low, high, size):
        return self.library.tensor(self.rng.integers(low, high, size=size))

    def randperm(self, n):
        return self.library.tensor(self.rng.permutation(n))

    def randn_like(self, x):
        return self.library.tensor(self.rng.standard_normal(tuple(x.shape)))


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given
    (``torch.utils.data`` is ``nn.data`` here: ``autograd`` does not import ``nn``)."""
    if torch is None:
        return SharedRandom(ag), nn, nn.functional, nn.optim, nn.data
    import torch.utils.data
    return SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def augmentations(T, F, pad: int = 1, noise: float = 0.05):
    """The hand-written view generator: crop after zero padding, a horizontal flip with
    probability 1/2, additive Gaussian noise; one image (C, H, W) in, one view out."""
    def augment(x):
        size = x.shape[-1]
        x = F.pad(x, (pad, pad, pad, pad))
        i, j = T.randint(0, 2 * pad + 1, (2,)).tolist()
        x = x[:, i:i + size, j:j + size]
        if T.rand(1) < 0.5:
            x = T.flip(x, dims=[2])
        return x + noise * T.randn_like(x)
    return augment


class ViewsDataset:
    """``ContrastiveLearningViewGenerator`` over a dataset: sample i is
    ``([view_1, ..., view_n], label)``; the default collate makes a batch
    ``[[views_1, ..., views_n], labels]``."""

    def __init__(self, T, images, labels, transform, n_views: int = 2) -> None:
        self.T, self.images, self.labels = T, images, labels
        self.transform, self.n_views = transform, n_views

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        x = self.T.tensor(self.images[index])
        return [self.transform(x) for i in range(self.n_views)], int(self.labels[index])


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def grads(model) -> list:
    return [None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()]


def assert_same_up_to_adam_noise(got: list, want: list, loose: tuple[str, ...],
                                 rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Records agree to ``rtol`` and ``atol``, except the state-dict entries whose
    names end with one of ``loose``, compared to 1e-7: parameters whose gradient is zero
    up to round-off (~1e-17..1e-14, compared among the gradients), which Adam divides by
    its eps (1e-8), so they move by round-off / eps * lr: a Linear's bias followed by a
    BatchNorm (and with it the BatchNorm's running mean), or a shift of embeddings that
    enter the loss only through their differences."""
    checked = []

    def compare(a, b, where):
        if isinstance(b, dict):
            assert list(a) == list(b), where
            for name in b:
                if name.endswith(loose):
                    checked.append(name)
                    np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-7,
                                               err_msg=f"{where}[{name!r}]")
                else:
                    compare(a[name], b[name], f"{where}[{name!r}]")
        elif isinstance(b, list):
            assert len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b)):
                compare(x, y, f"{where}[{i}]")
        elif isinstance(b, (bool, str)) or b is None:
            assert a == b, where
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=where)

    compare(got, want, "record")
    assert checked, "no loose entry: use assert_same"
