"""Shared pieces of the makemore ports (test_pytorch_ports_makemore*.py): the names in
place of names.txt, the character tables, PyTorch in float64, the draws of PyTorch's run
replayed in ours, and the comparison of the records."""

from __future__ import annotations

import random

import numpy as np

import autograd as ag
import nn.functional

__all__ = ["names", "character_tables", "Draws", "libraries",
           "take_start", "assert_records"]

# every letter a-z appears in some syllable, so the vocabulary is the lecture's 27
SYLLABLES = ["an", "bel", "cor", "da", "el", "fi", "go", "ha", "is", "jo", "ka", "li", "mo",
             "ne", "or", "pa", "qu", "ra", "sa", "ti", "u", "vi", "wy", "xa", "yo", "ze"]


def names(count: int, seed: int = 0) -> list[str]:
    """``count`` made-up names of 1-4 syllables, in place of makemore's names.txt."""
    rng = random.Random(seed)
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
            for _ in range(count)]


def character_tables(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """The lecture's ``stoi`` ('.' is 0, then a-z) and ``itos``."""
    chars = sorted(list(set("".join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    assert len(itos) == 27
    return stoi, itos


class Draws:
    """The random draws (minibatch indices, samples) of the PyTorch run, replayed in ours:
    the two libraries' generators give different numbers from one seed. Each draw is still
    made in both (``draws(torch, torch.randint(...))``), so its line runs here too."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []
        self.position: int | None = None

    def __call__(self, T, drawn):
        if self.position is None:  # the PyTorch run: remember
            self.seen.append(drawn.numpy().copy())
            return drawn
        assert drawn.shape == self.seen[self.position].shape
        self.position += 1
        return T.tensor(self.seen[self.position - 1])

    def replay(self) -> "Draws":
        self.position = 0
        return self


def libraries(torch=None) -> tuple:
    """(torch, F) for this library (``autograd``, ``nn.functional``) or PyTorch."""
    if torch is None:
        return ag, nn.functional
    return torch, torch.nn.functional


def take_start(parameters: list, start: list | None) -> list | None:
    """PyTorch's run: the starting values of ``parameters`` (copies); ours: ``start``
    written into them (the lecture draws them at random)."""
    if start is None:
        return [p.detach().numpy().copy() for p in parameters]
    for p, value in zip(parameters, start, strict=True):
        p.data[...] = value
    return start


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(b, str):
            assert a == b, f"record {i}"
            continue
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")
