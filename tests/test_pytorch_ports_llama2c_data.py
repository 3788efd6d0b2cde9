"""llama2.c's ``tinystories.py`` data path and ``train.py``'s ``estimate_loss``, ported
as written: ``PretokDataset(torch.utils.data.IterableDataset)`` streaming windows of
pretokenized ``uint16`` shards through ``np.memmap`` (shard 0 for validation, the rest
for training, orders from a seeded ``random.Random`` and ``get_worker_info``),
``torch.from_numpy(chunk.astype(np.int64))``, ``Task.iter_batches`` (a ``DataLoader``
with ``pin_memory=True``, ``x.to(device, non_blocking=True)``) and ``estimate_loss``
(``@torch.no_grad()``, ``losses = torch.zeros(eval_iters)``, ``losses[k] =
loss.item()``). Batches and losses are PyTorch's, on shards generated in a temporary
directory.

Lines written differently here:
- ``rank = dist.get_rank() if dist.is_initialized() else 0`` is ``rank = 0``: there is
  no ``torch.distributed`` here (``autograd.distributed``'s ``MissingNameError`` says so);
- the shards' directory is the test's, and only the ``"llama2"`` vocabulary source is
  kept (the custom one differs only in its directory).
"""

import glob
import os
import random
from contextlib import nullcontext
from functools import partial

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_llama2c_model import ARGS, both_models


def tinystories(torch, data, DATA_CACHE_DIR):
    """tinystories.py's PretokDataset and Task for one library (``data`` is
    ``torch.utils.data``)."""

    class PretokDataset(data.IterableDataset):
        """Loads pretokenized examples from disk and yields them as PyTorch tensors."""

        def __init__(self, split, max_seq_len, vocab_size, vocab_source):
            super().__init__()
            self.split = split
            self.max_seq_len = max_seq_len
            self.vocab_size = vocab_size
            self.vocab_source = vocab_source

        def __iter__(self):
            # get worker info within a DataLoader
            worker_info = data.get_worker_info()
            worker_id = worker_info.id if worker_info else 0
            # get DDP rank info
            rank = 0
            # combine the worker_id and worker_rank to create a unique seed for rng
            seed = 42 + worker_id + 1337 * rank
            rng = random.Random(seed)
            print(f"Created a PretokDataset with rng seed {seed}")
            # the .bin files are right along the .json files
            bin_dir = os.path.join(DATA_CACHE_DIR, "TinyStories_all_data")
            shard_filenames = sorted(glob.glob(os.path.join(bin_dir, "*.bin")))
            # train/test split. let's use only shard 0 for test split, rest train
            shard_filenames = shard_filenames[1:] if self.split == "train" \
                else shard_filenames[:1]
            assert len(shard_filenames) > 0, f"No bin files found in {bin_dir}"
            while True:
                rng.shuffle(shard_filenames)
                for shard in shard_filenames:
                    # open the dataset for reading but keep it on disk with memmap
                    m = np.memmap(shard, dtype=np.uint16, mode="r")
                    num_batches = len(m) // self.max_seq_len
                    num_batches -= 1  # drop the last partial batch
                    assert num_batches > 0, "this shard is way too small? investigate."
                    ixs = list(range(num_batches))
                    rng.shuffle(ixs)
                    for ix in ixs:
                        start = ix * self.max_seq_len
                        end = start + self.max_seq_len + 1
                        # calling .astype will copy the data into a new numpy array, now in RAM
                        chunk = torch.from_numpy((m[start:end]).astype(np.int64))
                        x = chunk[:-1]
                        y = chunk[1:]
                        yield x, y

    class Task:

        @staticmethod
        def iter_batches(batch_size, device, num_workers=0, **dataset_kwargs):
            ds = PretokDataset(**dataset_kwargs)
            dl = data.DataLoader(
                ds, batch_size=batch_size, pin_memory=True, num_workers=num_workers
            )
            for x, y in dl:
                x = x.to(device, non_blocking=True)
                y = y.to(device, non_blocking=True)
                yield x, y

    return Task


def write_shards(root, vocab_size: int) -> None:
    """Three pretokenized shards of a generated corpus, as tinystories.py's pretokenize."""
    shard_dir = os.path.join(root, "TinyStories_all_data")
    os.makedirs(shard_dir)
    rng = np.random.default_rng(0)
    for i in range(3):
        tokens = (np.arange(200) * (i + 2) + rng.integers(0, 3, 200)) % vocab_size
        tokens.astype(np.uint16).tofile(os.path.join(shard_dir, f"data{i:02d}.bin"))


def estimate_losses(torch, model, Task, eval_iters: int = 3) -> dict:
    """train.py's estimate_loss, over Task.iter_batches."""
    ctx = nullcontext()
    raw_model = model
    iter_batches = partial(Task.iter_batches, batch_size=4, max_seq_len=ARGS["max_seq_len"],
                           vocab_size=ARGS["vocab_size"], vocab_source="llama2",
                           device="cpu", num_workers=0)

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in ["train", "val"]:
            batch_iter = iter_batches(split=split)
            losses = torch.zeros(eval_iters)  # keep on CPU
            for k in range(eval_iters):
                X, Y = next(batch_iter)
                with ctx:
                    model(X, Y)
                    loss = raw_model.last_loss
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    batches = iter_batches(split="train")
    first = [a.numpy().copy() for a in next(batches)]
    return {"first": first, **{k: v.item() for k, v in estimate_loss().items()},
            "training": model.training}


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, without a GPU
def test_tinystories_batches_and_losses_as_torch(torch, tmp_path, capsys):
    write_shards(tmp_path, ARGS["vocab_size"])
    ours, theirs = both_models(torch, **ARGS)
    got = estimate_losses(ag, ours, tinystories(ag, nn.data, str(tmp_path)))
    want = estimate_losses(torch, theirs, tinystories(torch, torch.utils.data, str(tmp_path)))
    printed = capsys.readouterr().out
    assert printed.count("Created a PretokDataset with rng seed 42") == 2 * 3
    for a, b in zip(got["first"], want["first"]):
        assert a.dtype == np.int64 and a.shape == (4, ARGS["max_seq_len"])
        np.testing.assert_array_equal(a, b)
    for split in ("train", "val"):
        np.testing.assert_allclose(got[split], want[split], rtol=1e-6)
    assert got["training"] and want["training"]
