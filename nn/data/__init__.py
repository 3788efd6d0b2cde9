"""Data for training: ``DataLoader`` (mini-batches of aligned arrays or of a dataset),
``TensorDataset``, the corruptions of denoising autoencoders, and ``load_mnist``.

Data sets, splits, cross-validation and scalers come from scikit-learn
(``load_digits``, ``train_test_split``, ``StratifiedKFold``, ``StandardScaler``...),
which works on the same NumPy arrays; this package does not rewrite them. ``Dataset``,
``Subset``, ``random_split``, ``ConcatDataset``, ``StackDataset``, ``IterableDataset``,
``default_collate``, ``default_convert`` and the samplers (``DistributedSampler`` too) are
here for scripts written with PyTorch's datasets.
"""
from .base import ConcatDataset, Dataset, StackDataset
from .datasets import TensorDataset, default_collate, default_convert
from .distributed import DistributedSampler
from .iterable import ChainDataset, IterableDataset, get_worker_info
from .loader import DataLoader
from .mnist import DownloadError, IDXFormatError, load_mnist, read_idx
from .noise import gaussian_noise, masking_noise, salt_and_pepper
from .samplers import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                       SubsetRandomSampler, WeightedRandomSampler)
from .subsets import Subset, random_split

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "default_convert",
           "Subset", "random_split", "ConcatDataset", "StackDataset", "IterableDataset",
           "ChainDataset", "get_worker_info", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DistributedSampler",
           "gaussian_noise", "masking_noise", "salt_and_pepper",
           "load_mnist", "read_idx", "IDXFormatError", "DownloadError"]
