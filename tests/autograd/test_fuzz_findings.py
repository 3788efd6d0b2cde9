"""What the differential fuzzer (``test_fuzz_views_inplace.py``) found, shrunk to minimal
programs: each ran differently here and in PyTorch before its fix. The programs are the
fuzzer's own lines, checked by its ``check_program`` (same outcome, values and gradients
to 1e-10), plus a finite-difference check where the gradient is the point."""

import numpy as np
import pytest

import autograd as ag
from test_fuzz_views_inplace import check_program

LEAVES = ["p0 = lib.tensor(values((2, 3), 1), requires_grad=True)",
          "p1 = lib.tensor(values((2, 3), 2), requires_grad=False)"]

# An op checked every input for in-place writes since the forward, where PyTorch saves
# (and checks) only what the wanted gradients read: relu saves its output; x * c and
# x / c with c alone constant save c; x @ c saves c. Writing x after under no_grad (an
# optimizer's step between two uses) raised InplaceError here, and PyTorch runs.
SAVED_ONLY_AS_PYTORCH = {
    "relu saves its output": ["p2 = p0.relu()", "with lib.no_grad(): p0.add_(0.5)"],
    "product with a constant": ["p2 = p0 * p1", "with lib.no_grad(): p0.mul_(1.5)"],
    "constant times the leaf": ["p2 = p1 * p0", "with lib.no_grad(): p0.mul_(1.5)"],
    "quotient by a constant": ["p2 = p0 / p1", "with lib.no_grad(): p0.mul_(1.5)"],
    "matrix product": ["p2 = p0 @ p1.T", "with lib.no_grad(): p0.mul_(1.5)"],
    "the written one is a constant": ["p2 = p1 * p0", "p1.add_(0.5)"],
    # PyTorch's div saves the divisor's operands, not the quotient: writing the quotient
    # under no_grad leaves the divisor's gradient exact (here it read the written out)
    "quotient written": ["p1.requires_grad_()", "p2 = p0 / p1",
                         "with lib.no_grad(): p2.mul_(0.0)"],
}


@pytest.mark.parametrize("steps", SAVED_ONLY_AS_PYTORCH.values(),
                         ids=SAVED_ONLY_AS_PYTORCH.keys())
def test_only_what_pytorch_saves_is_checked_for_writes(torch, steps) -> None:
    lines = LEAVES + steps + ["loss = p2.sum() + p0.sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2"])


@pytest.mark.parametrize("steps", [
    ["p2 = p0.relu()", "p0.add_(0.5)"],  # the leaf itself, while recording
    ["p1.requires_grad_()", "p2 = p1 * p0", "with lib.no_grad(): p0.mul_(2.0)"],
    ["p1.requires_grad_()", "p2 = p0 / p1", "with lib.no_grad(): p0.mul_(2.0)"],
    ["p2 = p0.exp()", "with lib.no_grad(): p2.mul_(2.0)"],
])
def test_what_pytorch_saves_is_still_checked(torch, steps) -> None:
    lines = LEAVES + steps + ["loss = p2.sum()", "loss.backward()"]
    check_program(torch, lines, [])


def test_the_quotient_gradient_without_the_output_matches_finite_differences() -> None:
    a = ag.tensor(np.linspace(-1.0, 2.0, 6).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.linspace(0.5, 3.0, 6).reshape(2, 3) - 1.4, requires_grad=True)
    assert ag.gradcheck(lambda a, b: (a / b).tanh().sum(), [a, b])
    assert ag.gradgradcheck(lambda a, b: (a / b) ** 2, [a, b])


@pytest.mark.parametrize("dims", [(0, 1), (1, 0), ((0, 1),), ([1, 0],)])
def test_permute_names_every_axis_as_pytorch(torch, dims) -> None:
    """``x.permute(0, 1)`` of a matrix went to ``transpose(0, 1)``, PyTorch's swap of the
    two axes, and came back transposed; PyTorch's is x itself."""
    lines = ["p0 = lib.tensor(values((2, 3), 1), requires_grad=True)",
             f"p1 = p0.permute{dims if len(dims) > 1 else '(' + repr(dims[0]) + ')'}",
             "loss = (p1 * lib.tensor(values(p1.shape, 2))).sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1"])


@pytest.mark.parametrize("steps", [
    ["p2 = p1[0].select(0, 1)", "with lib.no_grad(): p2.add_(0.5)"],
    ["p2 = p1[1, 2]", "p2.mul_(3.0)"],
    ["p2 = p1[0][1]", "p2.fill_(-2.0)", "p3 = p1 * p0"],
    ["p2 = p0 * 1.5", "p3 = p2[1, 0]", "p3.mul_(p0[0, 1])"],  # recorded, through the base
])
def test_a_write_into_one_element_reaches_its_base(torch, steps) -> None:
    """``x.select(0, i)`` of a vector, ``x[i, j]``: NumPy copies the element into a scalar,
    so a write into it stopped there; PyTorch's is a 0-d view, and the write reaches x."""
    lines = LEAVES + steps + ["loss = (p1 * p0).sum() + p2.sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2"])


@pytest.mark.parametrize("change, write", [("p1.unsqueeze_(0)", "p1.add_(p0[0])"),
                                           ("p1.t_()", "p1.add_(p0.T)"),
                                           ("p1.transpose_(0, 1)", "p1.mul_(p0.T)")])
def test_a_constant_changed_in_shape_then_viewed_takes_a_recorded_write(torch, change,
                                                                         write) -> None:
    """A constant's in-place shape change makes its array a NumPy view of the first one,
    and a view taken of it after refers to that one too: the constant was taken for a
    view of another tensor's memory and the recorded write refused (InplaceError, seed
    3131); PyTorch writes it, and the view shows it."""
    lines = LEAVES + [change, "p2 = p1.select(0, 0)", write,
                      "loss = (p1 * p1).sum() + p2.sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2"])


@pytest.mark.parametrize("view", ["p3 = p2[0:1]", "p3 = p2.select(1, 2)", "p3 = p2.T",
                                  "p3 = p2.reshape(6)", "p3 = p2.detach()"])
@pytest.mark.parametrize("write", ["p1.clamp_(-0.55, 0.65)", "p1[0] = p0[1]", "p1.mul_(p0)"])
def test_a_view_of_a_detached_alias_shows_a_recorded_write(torch, view, write) -> None:
    """``d = t.detach()`` shares t's memory, and so do the views of d: after a recorded
    write into t, d showed it but a view taken of d kept the old values (silently; seed
    6464). PyTorch writes the memory itself, so every one of them shows it."""
    lines = LEAVES + [
        "p1 = p0 + p0", "p2 = p1.detach()", view, write,
        "loss = (p1 * p1).sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2", "p3"])


@pytest.mark.parametrize("detached", ["p3 = p2[:, 1:].detach()", "p3 = p2.T[0].detach()",
                                      "p3 = p2.reshape(6)[2:].detach()",
                                      "p3 = p1[1].detach()"])
def test_a_detached_view_of_a_dropped_view_shows_a_recorded_write(torch, detached) -> None:
    """The view detached here is dropped at once, and a tensor lists its views weakly: a
    recorded write into p2 (or into the constant p1) reached neither it nor its detached
    tensor, which kept the old values (silently). The detached tensor is now listed on
    p2 too, with the chain of view ops that takes its array from p2's."""
    lines = LEAVES + ["p2 = p0 * 1.0", detached, "p4 = p3 * 1.0", "p2.mul_(p0)",
                      "p1.add_(p0)", "loss = (p2 * p2).sum() + p1.sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2", "p3", "p4"])


def test_a_shape_change_of_the_base_leaves_the_views_of_its_detached_views_alone(torch):
    """An in-place shape change of p1 (no write: the memory keeps its values) made the
    views of its detached view again as new tensors, so the sum that used p3 before could
    not find it at backward (a UsageError about detach_(); long programs, seed 22)."""
    lines = ["p0 = lib.tensor(values((3,), 0), requires_grad=True)", "p1 = p0.exp()",
             "p1.unsqueeze_(0)", "p2 = p1[0:1].detach()", "p3 = p2[0:1]", "p4 = p0 + p3",
             "p1.unsqueeze_(0)", "loss = p4.sum()", "loss.backward()"]
    check_program(torch, lines, ["p0", "p1", "p2", "p3", "p4"])
