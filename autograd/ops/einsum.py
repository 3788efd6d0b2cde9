"""Einstein summation as one op, with ``...`` and repeated letters, as ``np.einsum``.

``einsum("ij,jk->ik", a, b)`` multiplies along ``j`` and sums it. The VJP of an einsum is
again an einsum: for operand i, contract the upstream gradient ``g`` (output letters)
with the *other* operands, giving operand i's letters. Two cases need one more step:

- a letter only operand i has, and the output lacks, was summed away: ``g`` does not
  depend on it, so the gradient is the same along it (a broadcast);
- a repeated letter (``"ii->i"`` reads the diagonal) was read on the diagonal only: the
  gradient is the gradient of the diagonal written onto the diagonal of zeros
  (``DiagonalEmbed``, whose own VJP reads the diagonal again).

``...`` is rewritten first into letters the subscripts do not use (right-aligned, as
NumPy broadcasts), so the op itself only ever sees letters.
"""

from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ..errors import EinsumError
from ..function import Function, apply
from .generic import broadcast_to, is_tensor, lift_like

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["EinsumError", "Einsum", "DiagonalEmbed", "einsum", "expand_subscripts",
           "check_letters", "unique_letters", "contract", "interleaved"]


def expand_subscripts(subscripts: str, shapes: Sequence[tuple[int, ...]]
                      ) -> tuple[list[str], str]:
    """(one term per operand, the output term) in letters only: ``...`` becomes letters
    the subscripts do not use, and an implicit output (no ``->``) is NumPy's: the
    ``...`` axes, then the letters used exactly once, in alphabetical order."""
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise EinsumError(f"einsum: {subscripts!r} names {len(terms)} operands; "
                          f"got {len(shapes)}")
    for term in terms + [output]:
        if not all(c in string.ascii_letters for c in term.replace("...", "", 1)):
            raise EinsumError(f"einsum: {term!r} in {subscripts!r} may hold only letters "
                              f"and one '...'")
    free = [c for c in string.ascii_letters if c not in text]
    widest = max((len(shape) - len(term) + 3 for term, shape in zip(terms, shapes)
                  if "..." in term), default=0)
    if widest > len(free):
        raise EinsumError(f"einsum: '...' stands for {widest} axes; only {len(free)} "
                          f"letters are left to name them")
    dots = "".join(free[:widest])  # the letters of the broadcast '...' axes
    expanded = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            count = len(shape) - len(term) + 3
            if count < 0:
                raise EinsumError(f"einsum: {term!r} names {len(term) - 3} axes besides "
                                  f"'...', but the operand has shape {shape}")
            term = term.replace("...", dots[widest - count:])
        if len(term) != len(shape):
            raise EinsumError(f"einsum: {term!r} names {len(term)} axes, but the operand "
                              f"has shape {shape}")
        expanded.append(term)
    if arrow:
        output = output.replace("...", dots)
    else:
        letters = "".join(expanded)
        output = dots + "".join(sorted(c for c in set(letters) - set(dots)
                                       if letters.count(c) == 1))
    return expanded, output


def check_letters(subscripts: str, terms: Sequence[str], output: str,
                  shapes: Sequence[tuple[int, ...]]) -> None:
    """EinsumError unless every output letter names one input axis size and appears once,
    all axes of one letter have one size (or 1, across operands), and a letter repeated
    within one operand (a diagonal) has one size there, 1 included."""
    sizes: dict[str, set[int]] = {}
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        _check_repeats(subscripts, k, term, shape)
        for c, n in zip(term, shape):
            sizes.setdefault(c, set()).add(n)
    for c, found in sizes.items():
        if len(found - {1}) > 1:
            raise EinsumError(f"einsum {subscripts!r}: the axes of letter {c!r} have sizes "
                              f"{sorted(found)} in shapes {list(shapes)}; they must be "
                              f"equal (or 1, which broadcasts)")
    for c in output:
        if c not in sizes or output.count(c) > 1:
            raise EinsumError(f"einsum {subscripts!r}: output letter {c!r} must appear in "
                              f"an input, and only once in the output")


def _check_repeats(subscripts: str, k: int, term: str, shape: tuple[int, ...]) -> None:
    """EinsumError unless each letter repeated in operand k's term names axes of one
    size: a diagonal needs a square, so sizes 0 and 1 do not broadcast (as PyTorch's)."""
    for c in dict.fromkeys(term):
        found = sorted({n for t, n in zip(term, shape) if t == c})
        if len(found) > 1:
            raise EinsumError(f"einsum {subscripts!r}: the axes of operand {k} for collapsing "
                              f"index {c!r} don't match ({' != '.join(map(str, found))}); a "
                              f"letter repeated in an operand reads a diagonal, so its axes "
                              f"need equal sizes (1 does not broadcast there)")


def unique_letters(term: str) -> str:
    """``term`` without repeats, in order of first use: ``"iij"`` -> ``"ij"``."""
    return "".join(dict.fromkeys(term))


class Einsum(Function):
    """out = einsum(terms -> output, *xs);  dx_i = einsum of g with the other operands,
    to x_i's letters (broadcast over letters only x_i had, put on the diagonal for a
    repeated letter)."""
    __slots__ = ("terms", "output", "optimize", "subscripts")

    def __init__(self, terms: Sequence[str], output: str, optimize: Any = False,
                 subscripts: str | None = None) -> None:
        self.terms, self.output, self.optimize = list(terms), output, optimize
        self.subscripts = subscripts or ",".join(self.terms) + "->" + self.output

    def state(self) -> dict[str, Any]:
        """The subscripts as the user wrote them, for reprs and drawings."""
        found = {"subscripts": self.subscripts}
        return found if self.optimize is False else {**found, "optimize": self.optimize}

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        try:
            return np.einsum(",".join(self.terms) + "->" + self.output, *xs,
                             optimize=self.optimize)
        except ValueError as exc:  # a letter's sizes disagree within one operand
            raise EinsumError(f"einsum {self.subscripts!r}: {exc}; a letter repeated in "
                              f"an operand needs equal sizes there") from None

    def vjp(self, g: Any, out: Any, *xs: Any) -> tuple:
        needs = self.needs_input_grad
        return tuple(self._input_grad(g, xs, i) if needs[i] else None
                     for i in range(len(xs)))

    def _input_grad(self, g: Any, xs: Sequence[Any], i: int) -> Any:
        term = self.terms[i]
        others = [t for k, t in enumerate(self.terms) if k != i]
        known = set(self.output).union(*others)
        letters = unique_letters(term)
        kept = "".join(c for c in letters if c in known)
        gi = contract([self.output] + others, kept, [g] + [x for k, x in enumerate(xs)
                                                          if k != i])
        size = dict(zip(term, xs[i].shape))
        summed = tuple(k for k, c in enumerate(kept) if size[c] == 1 and gi.shape[k] != 1)
        if summed:  # x_i's axis of size 1 broadcast against the others: sum g back to 1
            gi = gi.sum(axis=summed, keepdims=True)
        if kept != letters or gi.shape != tuple(size[c] for c in kept):
            # letters only x_i had were summed, or the others' size-1 axes broadcast
            # against x_i: g is the same along them
            at = [gi.shape[kept.index(c)] if c in kept else 1 for c in letters]
            gi = broadcast_to(gi.reshape(at), tuple(size[c] for c in letters))
        if letters != term:  # a repeated letter was read on the diagonal: write it there
            gi = apply(DiagonalEmbed(term, xs[i].shape), gi) if is_tensor(gi) else \
                DiagonalEmbed(term, xs[i].shape).forward(gi)
        return gi


class DiagonalEmbed(Function):
    """out = zeros of ``shape`` (letters ``term``) with ``x`` (letters without repeats)
    on the diagonal of each repeated letter: the inverse of ``einsum("ii->i")``.
    dx = einsum(term -> unique letters) of g: the diagonal read back."""
    __slots__ = ("term", "shape")
    save_inputs = False

    def __init__(self, term: str, shape: tuple[int, ...]) -> None:
        self.term, self.shape = term, tuple(shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(self.shape, dtype=x.dtype)
        np.einsum(f"{self.term}->{unique_letters(self.term)}", out)[...] = x  # a view
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (contract([self.term], unique_letters(self.term), [g]),)


def contract(terms: list[str], output: str, operands: list[Any]) -> Any:
    """einsum of arrays, or a recorded ``Einsum`` if an operand is a Tensor (under
    ``create_graph``)."""
    like = next((x for x in operands if is_tensor(x)), None)
    if like is not None:
        return apply(Einsum(terms, output), *[lift_like(like, x) for x in operands])
    return np.einsum(",".join(terms) + "->" + output, *operands)


def einsum(subscripts: str, *tensors: T, optimize: Any = False) -> T:
    """Einstein summation, as ``np.einsum``: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``,
    ``einsum("ii", a)`` its trace, ``einsum("...ij,...jk", a, b)`` a batched product.
    Axes of one letter must have one size (or 1, which broadcasts). ``optimize`` is
    NumPy's contraction-order search for the forward pass."""
    if not isinstance(subscripts, str):  # einsum(a, [0, 1], b, [1, 2], [0, 2])
        subscripts, tensors = interleaved((subscripts, *tensors))
    terms, output = expand_subscripts(subscripts, [t.shape for t in tensors])
    check_letters(subscripts, terms, output, [t.shape for t in tensors])
    return apply(Einsum(terms, output, optimize, subscripts), *tensors)


def interleaved(args: tuple) -> tuple[str, tuple]:
    """(subscripts, operands) of NumPy's and PyTorch's interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (= ``einsum("ab,bc->ac", a, b)``): each
    operand is followed by its axes, ints in [0, 52) that stand for letters, ``...`` for
    the broadcast axes; a last list after the pairs is the output's."""
    output = args[-1] if len(args) % 2 else None
    pairs = args[:-1] if len(args) % 2 else args
    operands, sublists = pairs[0::2], pairs[1::2]
    if not operands:
        raise EinsumError("einsum: expected subscripts such as 'ij,jk->ik', or operands each "
                          "followed by its list of axes (einsum(a, [0, 1], b, [1, 2])); got "
                          "nothing")
    terms = ",".join(_sublist_letters(s, k) for k, s in enumerate(sublists))
    arrow = "" if output is None else "->" + _sublist_letters(output, "output")
    return terms + arrow, tuple(operands)


def _sublist_letters(sublist: Any, which: Any) -> str:
    """The subscript letters of one interleaved list of axes (operand ``which``)."""
    if isinstance(sublist, (str, bytes)) or not isinstance(sublist, Sequence):
        raise EinsumError(f"einsum: in the interleaved form each operand is followed by a "
                          f"list of its axes (ints in [0, 52) or ...); for operand {which} "
                          f"got {type(sublist).__name__}. For subscripts, pass the str "
                          f"first: einsum('ij,jk->ik', a, b)")
    letters = []
    for axis in sublist:
        if axis is Ellipsis:
            letters.append("...")
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) \
                and 0 <= axis < len(string.ascii_letters):
            letters.append(string.ascii_letters[axis])
        else:
            raise EinsumError(f"einsum: an axis in the interleaved form is an int in "
                              f"[0, 52) or ... (Ellipsis); got {axis!r} in the list of "
                              f"{'the output' if which == 'output' else f'operand {which}'}")
    return "".join(letters)
