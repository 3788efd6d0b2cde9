"""Differential fuzzing of the engine against PyTorch: random programs of views and
in-place writes (``fuzz_views_inplace_programs``) run with ``autograd`` and with
``torch`` in float64 must end alike: both raise at the same line (ours an
``autograd.AutogradError``: a write PyTorch refuses, a saved tensor modified in place),
or both run, and then every compared pool tensor's values, every leaf's ``.grad`` and the
results of ``grad`` agree to 1e-10. A failing example prints as a program to paste into
``test_fuzz_findings.py``."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings

import autograd as ag
from fuzz_views_inplace_programs import programs, run


def _assert_close(name: str, ours, theirs) -> None:
    """Equal to 1e-10 where PyTorch's numbers are finite; not finite where PyTorch's are
    not (an inf and a NaN may differ by the order of the operations that made them)."""
    assert (ours is None) == (theirs is None), f"{name}: ours {ours}, PyTorch's {theirs}"
    if theirs is None:
        return
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape}, PyTorch's {theirs.shape}"
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-10, atol=1e-10,
                               err_msg=name)
    assert not np.isfinite(ours[~finite]).any(), f"{name}: ours {ours}, PyTorch's {theirs}"


# PyTorch refuses a backward through a tensor saved for it and written in place after (by
# a recorded ``y.add_(1)`` too); here a recorded write gives the tensor a new array, and ops
# that read it before keep its old value and their exact gradient (README, "Assigning into
# a tensor"), a design the tests of the rebase rely on (an in-place shape change, such as
# ``unsqueeze_``, of a tensor in the graph too). While False, a program that PyTorch refuses
# so, and that runs here (or refuses a later line as a write in place), passes (without
# comparing what it computed).
SAVED_WRITES_RAISE = False


def _pytorch_refuses_a_view_of_a_constant_it_brought_in(lines, theirs, ours) -> bool:
    """PyTorch refuses a write into a view of a constant that an earlier write with a
    tensor that requires grad brought into the graph (``v = c[0]; c.add_(x); v.clamp_()``:
    the view's new history names the constant as a leaf that requires grad). Here the view
    follows its base into the graph and the write goes through (README, "Assigning into
    a tensor"). True for that refusal, where the written tensor is no leaf of the program
    (those are refused here too: the comparison of outcomes then stands). Where this
    library goes on and stops at a later line (a backward PyTorch never reached), there is
    nothing to compare either."""
    ran_past = ours.failed_at is None or ours.failed_at > theirs.failed_at
    if not ran_past or "a leaf Variable that requires grad" not in str(theirs.error):
        return False
    target = lines[theirs.failed_at].removeprefix("with lib.no_grad(): ").split(".")[0]
    target = target.split("[")[0]
    return not any(line.startswith(f"{target} = lib.tensor(") and "requires_grad=True" in line
                   for line in lines)


def _refused_after_a_shape_change(theirs, ours) -> bool:
    """A known divergence: a write while recording into a constant whose views were taken
    before its in-place shape change (``unsqueeze_``, ``t_``... outside the graph, which
    records nothing) is refused here with a named InplaceError, where PyTorch's views
    share the memory and show the write (``write_checks.cannot_take_write``)."""
    return (ours.failed_at is not None and isinstance(ours.error, ag.InplaceError)
            and "changed shape in place" in str(ours.error)
            and (theirs.failed_at is None or theirs.failed_at > ours.failed_at))


def _refused_a_write_into_a_graph_tensors_detach(theirs, ours) -> bool:
    """A known divergence (README, "Assigning into a tensor"): a write while recording
    into ``d = t.detach()`` where t is in a graph (or a leaf that requires grad) is
    refused here with a named InplaceError, where PyTorch writes the memory they share
    (``write_checks.detached_constant``). Seed 3132, 20 steps, found it."""
    return (ours.failed_at is not None and isinstance(ours.error, ag.InplaceError)
            and "into d = t.detach()" in str(ours.error)
            and (theirs.failed_at is None or theirs.failed_at > ours.failed_at))


def check_program(torch, lines: list[str], compared: list[str]) -> None:
    """Run ``lines`` in both libraries and compare the outcomes (see the module doc)."""
    theirs = run(torch, torch.autograd.grad, lines, compared)
    ours = run(ag, ag.grad, lines, compared)
    if theirs.failed_at is not None:
        assert isinstance(theirs.error, RuntimeError), f"not a valid program: {theirs.error!r}"
        later = ours.failed_at is not None and ours.failed_at > theirs.failed_at and (
            isinstance(ours.error, ag.InplaceError))  # refused a later line for that reason
        if (not SAVED_WRITES_RAISE and "modified by an inplace operation" in str(theirs.error)
                and (ours.failed_at is None or later)):
            return
        if _pytorch_refuses_a_view_of_a_constant_it_brought_in(lines, theirs, ours):
            return
    if _refused_after_a_shape_change(theirs, ours) or \
            _refused_a_write_into_a_graph_tensors_detach(theirs, ours):
        return
    where = {None: "ran"}
    assert where.get(ours.failed_at, ours.failed_at) == where.get(theirs.failed_at,
                                                                  theirs.failed_at), (
        f"ours: {ours.error!r} at {ours.failed_at}; PyTorch: {theirs.error!r} at "
        f"{theirs.failed_at}")
    if ours.failed_at is not None:
        assert isinstance(ours.error, ag.AutogradError), repr(ours.error)
        return
    assert ours.results.keys() == theirs.results.keys()
    for name, value in theirs.results.items():
        _assert_close(name, ours.results[name], value)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])  # torch: a module, no state
@given(program=programs())
def test_views_and_inplace_writes_end_as_in_pytorch(torch, program) -> None:
    lines, compared = program
    note("\n".join(lines))
    check_program(torch, lines, compared)


@pytest.mark.parametrize("lines", [
    ["p0 = lib.tensor(values((2, 3), 1), requires_grad=True)", "p0.add_(1.5)"],
    ["p0 = lib.tensor(values((3,), 1), requires_grad=True)", "p1 = p0 * p0",
     "with lib.no_grad(): p0.mul_(2.0)", "loss = p1.sum()", "loss.backward()"],
])
def test_the_checker_sees_an_error_raised_by_both(torch, lines) -> None:
    check_program(torch, lines, [])
