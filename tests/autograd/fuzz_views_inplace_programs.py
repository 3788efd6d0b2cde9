"""Random programs over a pool of tensors for the differential fuzzer of the engine
(``test_fuzz_views_inplace*.py``): leaves, elementwise ops, reductions, matmul, views
(slices, select, narrow, transposes, reshapes, squeezes, diagonals, expand, detach), in-place
shape changes (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``) and in-place writes
into any of them (also under ``no_grad()``), ending in a loss that sums
several pool tensors, ``grad`` of it and ``backward()``.

A program is a list of Python source lines over ``lib`` (``autograd`` or ``torch``), so
a failing example prints as a program one can paste into a regression test. ``run`` runs
it line by line and returns where it raised, or the values of the pool tensors and the
gradients. The generator keeps a model of each pool tensor (shape, which memory it shares,
whether it may be written) so that every program is valid PyTorch up to its autograd
errors (an in-place write PyTorch refuses, a saved tensor modified in place).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

# A view read after its base (or a sibling view) was written through a recorded op shows
# the old values here, not PyTorch's new ones (being fixed on main). While False, the
# programs never use such a view again (read, write or compare it).
STALE_READS_FIXED = True
# PyTorch records a write with an operand that requires grad into a view of a tensor that
# does not (``out = zeros(3, 2); out[:, 0] += x``, ``y.detach().add_(x)``): the base joins
# the graph. Here a part (a slice, a row or column, a diagonal), a reshape or a transpose
# of a constant does so too (``views.base_outside_graph``), and a constant's detach()
# gives the constant the new values without its joining (``write_checks.detached_constant``;
# this model has every tensor of the memory join, which only steers what it draws next).
# While False, programs write into those views under no_grad() only.
CONSTANT_VIEWS_TAKE_RECORDED_WRITES = True

SHAPES = [(3,), (4,), (1, 3), (2, 3), (3, 2), (2, 2), (3, 3), (2, 1, 3), (2, 3, 2), (1, 2, 2)]
MAX_ELEMENTS = 12
CLAMP = "-0.55, 0.65"
SCALARS = ["0.5", "1.5", "-2.0"]


@dataclass
class Slot:
    """The generator's model of pool tensor ``p<i>``."""
    shape: tuple
    memory: int  # tensors with one memory number share memory (views, detach)
    owner: bool  # it made the memory (a leaf, an op's result), not a view of it
    leaf_grad: bool = False  # a leaf that requires grad
    contiguous: bool = True
    read_only: bool = False  # expand and its views: one element at several places
    stale: bool = False  # a view taken before a later write into its memory
    requires_grad: bool = False
    linked: bool = True  # an owner, or a view recorded as one of a linked tensor
    part_of_constant: bool = False  # a view (not expand) or detach() of a constant


@dataclass
class Model:
    """The pool as the generator sees it."""
    slots: list
    memories: int = 0

    def add(self, shape: tuple, **fields: Any) -> str:
        if "memory" not in fields:
            self.memories += 1
            fields["memory"], fields["owner"] = self.memories, True
        self.slots.append(Slot(tuple(shape), **fields))
        return f"p{len(self.slots) - 1}"

    def readable(self, slot: Slot) -> bool:
        return STALE_READS_FIXED or not slot.stale

    def wrote(self, i: int, recorded: bool) -> None:
        """p<i> was written: every other view of its memory shows it late here; a write
        recorded with an operand that requires grad makes them all require grad."""
        target = self.slots[i]
        for k, other in enumerate(self.slots):
            if other.memory == target.memory and not other.owner and k != i:
                other.stale = True
            if other.memory == target.memory and recorded:
                other.requires_grad = True
        target.stale = False


def _pick(draw: Any, model: Model, fits: Any = lambda s: True) -> int | None:
    """A readable pool index whose slot ``fits``, or None."""
    found = [i for i, s in enumerate(model.slots) if model.readable(s) and fits(s)]
    return draw(st.sampled_from(found)) if found else None


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def _leaf(draw: Any, model: Model) -> str:
    shape = draw(st.sampled_from(SHAPES))
    grad = draw(st.integers(0, 3)) > 0
    seed = draw(st.integers(0, 999))
    name = model.add(shape, leaf_grad=grad, requires_grad=grad)
    return f"{name} = lib.tensor(values({shape}, {seed}), requires_grad={grad})"


def _unary(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model)
    if i is None:
        return None
    form = draw(st.sampled_from(["exp()", "tanh()", "sigmoid()", "relu()", "** 2"]))
    source = f"p{i} ** 2" if form == "** 2" else f"p{i}.{form}"
    slot = model.slots[i]
    return (f"{model.add(slot.shape, requires_grad=slot.requires_grad, contiguous=slot.contiguous)}"
            f" = {source}")  # (laid out as its input, as in _binary)


def _binary(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model)
    if i is None:
        return None
    symbol = draw(st.sampled_from("+-*/"))
    a = model.slots[i].shape
    j = _pick(draw, model, lambda s: (_broadcast(a, s.shape) is not None
                                      and np.prod(_broadcast(a, s.shape)) <= MAX_ELEMENTS))
    grad = model.slots[i].requires_grad
    # PyTorch lays an elementwise result out as its input (a diagonal's sum with a number
    # is no contiguous tensor, and .view refuses it): contiguous only from contiguous ones
    dense = model.slots[i].contiguous
    if j is None or draw(st.booleans()):
        number = draw(st.sampled_from(SCALARS))
        return f"{model.add(a, requires_grad=grad, contiguous=dense)} = p{i} {symbol} {number}"
    out = _broadcast(a, model.slots[j].shape)
    grad = grad or model.slots[j].requires_grad
    dense = dense and model.slots[j].contiguous
    return f"{model.add(out, requires_grad=grad, contiguous=dense)} = p{i} {symbol} p{j}"


def _reduction(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model, lambda s: len(s.shape) >= 1)
    if i is None:
        return None
    shape, name = model.slots[i].shape, draw(st.sampled_from(["sum", "mean"]))
    grad = model.slots[i].requires_grad
    if len(shape) == 1 or draw(st.integers(0, 3)) == 0:
        return f"{model.add((), requires_grad=grad)} = p{i}.{name}()"
    dim, keep = draw(st.integers(0, len(shape) - 1)), draw(st.booleans())
    out = shape[:dim] + ((1,) if keep else ()) + shape[dim + 1:]
    return f"{model.add(out, requires_grad=grad)} = p{i}.{name}(dim={dim}, keepdim={keep})"


def _matmul(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model, lambda s: len(s.shape) in (1, 2))
    if i is None:
        return None
    a = model.slots[i].shape
    j = _pick(draw, model, lambda s: len(s.shape) in (1, 2) and s.shape[0] == a[-1])
    if j is None:
        return None
    b = model.slots[j].shape
    grad = model.slots[i].requires_grad or model.slots[j].requires_grad
    return f"{model.add(a[:-1] + b[1:], requires_grad=grad)} = p{i} @ p{j}"


def _view(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model, lambda s: len(s.shape) >= 1)
    if i is None:
        return None
    s = model.slots[i]
    shape, n = s.shape, len(s.shape)
    forms = ["slice", "select", "narrow", "unsqueeze", "detach", "detached slice"]
    forms += ["column", "transpose", "permute", "diagonal"] if n >= 2 else []
    forms += ["T"] if n == 2 else []
    forms += ["reshape", "view"] if s.contiguous else []
    forms += ["squeeze"] if 1 in shape else []
    forms += ["expand"] if 2 * int(np.prod(shape)) <= MAX_ELEMENTS and n < 3 else []
    form = draw(st.sampled_from(forms))
    dim = draw(st.integers(0, n - 1))
    if form == "column":
        form, dim = "select", 1
    keeps_contiguous = s.contiguous and (form in ("reshape", "view", "unsqueeze", "squeeze",
                                                  "detach") or (dim == 0 and form in (
                                                      "slice", "narrow", "select")))
    if form in ("slice", "narrow", "detached slice"):  # (the last: a view nobody keeps)
        start = draw(st.integers(0, shape[dim] - 1))
        stop = draw(st.integers(start + 1, shape[dim]))
        out = shape[:dim] + (stop - start,) + shape[dim + 1:]
        source = (f"p{i}.narrow({dim}, {start}, {stop - start})" if form == "narrow" else
                  f"p{i}[{':, ' * dim}{start}:{stop}]")
        if form == "detached slice":  # (not part_of_constant: refused here, see README)
            source, keeps_contiguous = f"{source}.detach()", s.contiguous and dim == 0
    elif form == "select":
        k = draw(st.integers(0, shape[dim] - 1))
        out = shape[:dim] + shape[dim + 1:]
        source = f"p{i}[:, {k}]" if dim == 1 else f"p{i}.select({dim}, {k})"
    elif form in ("transpose", "T", "permute"):
        axes = list(range(n))
        if form == "permute":
            axes = draw(st.permutations(axes))
            source = f"p{i}.permute{tuple(axes)}"
        else:
            a, b = (0, 1) if form == "T" else draw(st.lists(st.integers(0, n - 1), min_size=2,
                                                            max_size=2, unique=True))
            axes[a], axes[b] = b, a
            source = f"p{i}.T" if form == "T" else f"p{i}.transpose({a}, {b})"
        out = tuple(shape[k] for k in axes)
        keeps_contiguous = False
    elif form in ("reshape", "view"):
        size = int(np.prod(shape))
        rows = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        out = draw(st.sampled_from([(size,), (rows, size // rows)]))
        source = f"p{i}.{form}{out}" if len(out) > 1 else f"p{i}.{form}({size})"
    elif form == "unsqueeze":
        dim = draw(st.integers(0, n))
        out, source = shape[:dim] + (1,) + shape[dim:], f"p{i}.unsqueeze({dim})"
    elif form == "squeeze":
        ones = [k for k in range(n) if shape[k] == 1]
        if draw(st.booleans()):
            out, source = tuple(d for d in shape if d != 1), f"p{i}.squeeze()"
        else:
            k = draw(st.sampled_from(ones))
            out, source = shape[:k] + shape[k + 1:], f"p{i}.squeeze({k})"
    elif form == "diagonal":
        offset = draw(st.integers(0, 1 if shape[1] > 1 else 0))
        length = min(shape[0], shape[1] - offset)
        out, source = shape[2:] + (length,), f"p{i}.diagonal({offset})"
    elif form == "expand":
        out, source = (2,) + shape, f"p{i}.expand{(2,) + shape}"
    else:
        out, source = shape, f"p{i}.detach()"
    detached = form in ("detach", "detached slice")
    linked = s.linked and s.requires_grad and not detached
    part = form not in ("expand", "detached slice") and s.owner and not s.requires_grad
    name = model.add(out, memory=s.memory, owner=False, contiguous=keeps_contiguous,
                     read_only=s.read_only or form == "expand", linked=linked,
                     requires_grad=s.requires_grad and not detached,
                     part_of_constant=part)
    return f"{name} = {source}"


def _reshape_in_place(draw: Any, model: Model) -> str | None:
    """``unsqueeze_``, ``squeeze_``, ``t_`` or ``transpose_`` of a tensor that owns its
    memory, not a leaf that requires grad (both libraries refuse those): the views taken
    of it before keep their shape and show its later writes."""
    def fits(s: Slot) -> bool:
        return s.owner and not s.leaf_grad and 1 <= len(s.shape) < 3
    viewed = {s.memory for s in model.slots if not s.owner}  # mostly one with views in the
    i = _pick(draw, model, lambda s: fits(s) and s.requires_grad and s.memory in viewed)
    if i is None or draw(st.integers(0, 3)) == 0:  # graph: what its later writes test
        i = _pick(draw, model, fits)
    if i is None:
        return None
    slot = model.slots[i]
    shape, n = slot.shape, len(slot.shape)
    forms = ["unsqueeze_"] + (["squeeze_"] if 1 in shape else []) + (
        ["t_", "transpose_"] if n == 2 else [])
    form = draw(st.sampled_from(forms))
    if form == "unsqueeze_":
        dim = draw(st.integers(0, n))
        slot.shape, line = shape[:dim] + (1,) + shape[dim:], f"p{i}.unsqueeze_({dim})"
    elif form == "squeeze_":
        k = draw(st.sampled_from([k for k in range(n) if shape[k] == 1]))
        slot.shape, line = shape[:k] + shape[k + 1:], f"p{i}.squeeze_({k})"
    else:
        slot.shape, slot.contiguous = shape[::-1], slot.contiguous and 1 in shape
        line = f"p{i}.t_()" if form == "t_" else f"p{i}.transpose_(1, 0)"
    return line


def _operand(draw: Any, model: Model, target: int, shape: tuple) -> str:
    """A number, or a pool tensor of other memory that broadcasts to ``shape`` (PyTorch
    refuses operands that partly overlap the written memory)."""
    memory = model.slots[target].memory
    j = _pick(draw, model, lambda s: s.memory != memory and _broadcast(shape, s.shape) == shape)
    if j is None or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(SCALARS))
    return f"p{j}"


def _write(draw: Any, model: Model) -> str | None:
    i = _pick(draw, model, lambda s: not s.read_only)  # (a stale view's base may have
    if i is None:  # joined a graph since, which PyTorch's view follows: while the stale
        return None  # reads are not fixed, that view is left alone)
    shape = model.slots[i].shape
    form = draw(st.sampled_from(["add_", "mul_", "clamp_", "relu_", "copy_", "zero_",
                                 "fill_", "setitem", "setitem_add"]))
    target, operand = model.slots[i], None
    linked = target.linked  # p[i] += v writes into the view p[i]
    if form in ("setitem", "setitem_add") and shape:
        index, part = _index(draw, shape)
        operator = "=" if form == "setitem" else "+="
        operand = _operand(draw, model, i, part)
        line = f"p{i}[{index}] {operator} {operand}"
        linked = linked and (form == "setitem" or target.requires_grad)
    elif form in ("add_", "mul_", "copy_", "setitem", "setitem_add"):
        name = "add_" if form.startswith("setitem") else form
        operand = _operand(draw, model, i, shape)
        line = f"p{i}.{name}({operand})"
    elif form == "clamp_":
        line = f"p{i}.clamp_({CLAMP})"
    elif form == "fill_":
        line = f"p{i}.fill_({draw(st.sampled_from(SCALARS))})"
    else:
        line = f"p{i}.{form}()"
    grad = operand is not None and operand.startswith("p") and model.slots[
        int(operand[1:])].requires_grad
    of_leaf = any(s.owner and s.leaf_grad and s.memory == target.memory for s in model.slots)
    roll = draw(st.integers(0, 3))  # a leaf's memory mostly as an optimizer writes it
    # (p[i] += v into a part of a constant writes into a part of that part, and then p[i]:
    # PyTorch refuses the second, as a write into a view of a leaf that requires grad)
    goes_through = CONSTANT_VIEWS_TAKE_RECORDED_WRITES and target.part_of_constant and (
        form != "setitem_add")
    quiet = (roll > 0 if of_leaf else roll == 0) or (grad and not linked and not goes_through)
    model.wrote(i, grad and not quiet)
    return f"with lib.no_grad(): {line}" if quiet else line


def _index(draw: Any, shape: tuple) -> tuple[str, tuple]:
    """A basic index into ``shape`` and the shape it selects."""
    kind = draw(st.sampled_from(["int", "slice", "column"] if len(shape) >= 2
                                else ["int", "slice"]))
    if kind == "int":
        return str(draw(st.integers(0, shape[0] - 1))), shape[1:]
    if kind == "column":
        return f":, {draw(st.integers(0, shape[1] - 1))}", shape[:1] + shape[2:]
    start = draw(st.integers(0, shape[0] - 1))
    stop = draw(st.integers(start + 1, shape[0]))
    return f"{start}:{stop}", (stop - start,) + shape[1:]


STEPS = [_leaf, _unary, _binary, _reduction, _matmul, _view, _view, _write, _write, _write,
         _reshape_in_place]


@st.composite
def programs(draw: Any, max_steps: int = 12) -> tuple[list[str], list[str]]:
    """A program: leaves, then steps drawn from ``STEPS``, then the loss, its grad with
    respect to up to two leaves, and backward; with the names of the pool tensors whose
    values are compared at the end (while ``STALE_READS_FIXED`` is False, those that the
    model left readable)."""
    model = Model([])
    lines = [_leaf(draw, model) for _ in range(draw(st.integers(1, 2)))]
    steps = draw(st.integers(1, max_steps))
    for _ in range(4 * steps):
        if len(lines) >= steps + 2:
            break
        line = draw(st.sampled_from(STEPS))(draw, model)
        if line is not None:
            lines.append(line)
    readable = [i for i, s in enumerate(model.slots) if model.readable(s)]
    graph = [i for i in readable if model.slots[i].requires_grad]  # else backward raises
    terms = draw(st.lists(st.sampled_from(graph if graph and draw(st.integers(0, 5)) else
                                          readable), min_size=1, max_size=3, unique=True))
    lines.append("loss = " + " + ".join(f"p{i}.sum()" for i in terms))
    leaves = [i for i in readable if model.slots[i].leaf_grad]
    chosen = draw(st.lists(st.sampled_from(leaves), max_size=2, unique=True)) if leaves else []
    if chosen:
        names = ", ".join(f"p{i}" for i in chosen)
        lines.append(f"grads = grad(loss, [{names}], retain_graph=True, allow_unused=True)")
    lines.append("loss.backward()")
    return lines, [f"p{i}" for i in readable]


def values(shape: tuple, seed: int) -> np.ndarray:
    """The numbers of a leaf: standard normal, drawn from ``seed``."""
    return np.random.default_rng(seed).normal(size=shape)


@dataclass
class Outcome:
    """Where a program raised (``failed_at``: line number, with the exception), or its
    results: each compared pool tensor's values, each leaf's ``.grad``, ``grads``."""
    failed_at: int | None
    error: BaseException | None
    results: dict


def run(lib: Any, grad: Any, lines: list[str], compared: list[str]) -> Outcome:
    """Run ``lines`` with ``lib`` and ``grad`` (``autograd.grad``, ``torch.autograd.grad``)."""
    space: dict = {"lib": lib, "grad": grad, "values": values}
    for number, line in enumerate(lines):
        try:
            exec(line, space)  # noqa: S102 - the program's own lines
        except Exception as error:  # noqa: BLE001 - the outcome is compared
            return Outcome(number, error, {})
    results = {name: _array(space[name]) for name in compared}
    for name, value in list(space.items()):
        if name.startswith("p") and name[1:].isdigit() and _is_leaf_with_grad(value):
            results[name + ".grad"] = _array(value.grad)
    for k, g in enumerate(space.get("grads", ())):
        results[f"grads[{k}]"] = _array(g)
    return Outcome(None, None, results)


def _is_leaf_with_grad(t: Any) -> bool:
    return bool(t.requires_grad) and t.grad_fn is None


def _array(t: Any) -> np.ndarray | None:
    return None if t is None else np.array(t.detach().numpy(), dtype=np.float64)
