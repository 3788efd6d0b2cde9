"""pytorch/examples' ``regression/main.py``, ported as written: a random degree-4
polynomial (``W_target = torch.randn(POLY_DEGREE, 1) * 5``), ``make_features`` (``x.unsqueeze(1)``
and ``torch.cat([x ** i for i in range(1, POLY_DEGREE+1)], 1)``), ``f`` (``x.mm(W_target) +
b_target.item()``), ``poly_desc`` (``'{:+.2f} x^{} '.format(w, i + 1)`` of 0-d tensors),
``get_batch``, and the loop over ``count(1)``: ``fc.zero_grad()``, ``F.smooth_l1_loss``,
``output.item()``, ``output.backward()``, the hand-written update ``param.add_(-0.1 *
param.grad)`` and the stop at ``loss < 1e-3``, then the three printed lines.

The update as the example writes it, outside ``no_grad()``, is refused by PyTorch itself
(an in-place change of a leaf that requires grad, a ``RuntimeError``) at the first batch;
here too (``InplaceError``, a ``RuntimeError``, whose message says to use ``no_grad()``):
the first test runs it so in both. The second puts the update under ``with
torch.no_grad():``, as both messages say, and runs step for step next to PyTorch (float64):
every batch's loss, gradients and parameters, and the printed lines agree.

Lines written differently here: none but the test's glue (marked): the random draws
(``torch.randn``) are ours, replayed on PyTorch's side (``Draws``), and ``fc`` starts from
PyTorch's initial weights. An older version's ``param.data.add_(-0.1 *
param.grad.data)`` cannot run here: ``.data`` is the NumPy array by design (no ``add_``);
``param.data -= 0.1 * param.grad.data`` is its NumPy spelling.
"""

import contextlib
import io
from itertools import count

import numpy as np
import pytest
from pytorch_examples_helpers import Draws, assert_steps

import autograd as ag


def regression_main(torch, F, glue):
    """The script (its module-level lines in a function) for the library ``torch``."""
    POLY_DEGREE = 4
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def make_features(x):
        """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
        x = x.unsqueeze(1)
        return torch.cat([x ** i for i in range(1, POLY_DEGREE+1)], 1)

    def f(x):
        """Approximated function."""
        return x.mm(W_target) + b_target.item()

    def poly_desc(W, b):
        """Creates a string description of a polynomial."""
        result = 'y = '
        for i, w in enumerate(W):
            result += '{:+.2f} x^{} '.format(w, i + 1)
        result += '{:+.2f}'.format(b[0])
        return result

    def get_batch(batch_size=32):
        """Builds a batch i.e. (x, f(x)) pair."""
        random = torch.randn(batch_size)
        x = make_features(random)
        y = f(x)
        return x, y

    # Define model
    fc = torch.nn.Linear(W_target.size(0), 1)
    fc.load_state_dict(glue["start"])  # the test's glue: PyTorch's initial weights

    for batch_idx in count(1):
        # Get data
        batch_x, batch_y = get_batch()

        # Reset gradients
        fc.zero_grad()

        # Forward pass
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()

        # Backward pass
        output.backward()
        glue["steps"].append([loss] + [p.grad.numpy().copy() for p in fc.parameters()])

        # Apply gradients
        with glue["around_update"](torch):  # as written: nothing; the fix: torch.no_grad()
            for param in fc.parameters():
                param.add_(-0.1 * param.grad)
        glue["steps"].append([p.detach().numpy().copy() for p in fc.parameters()])

        # Stop criterion
        if loss < 1e-3:
            break

    print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
    print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))


def _run(torch, start, draws, around_update):
    """Run the script for ``torch`` (None: this library): what it printed, and each
    batch's loss and gradients, then parameters."""
    if torch is None:
        import nn
        T, F = _Library(ag, nn), nn.functional
        start = {k: ag.tensor(v.numpy()) for k, v in start.items()}
        T = Draws(T, draws=draws)
    else:
        T, F = Draws(torch, replay=draws), torch.nn.functional
    glue = {"start": start, "steps": [], "around_update": around_update}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        regression_main(T, F, glue)
    return printed.getvalue(), glue["steps"]


class _Library:
    """``autograd`` read as ``torch``, with ``torch.nn`` being the ``nn`` package."""

    def __init__(self, library, nn) -> None:
        self._library, self.nn = library, nn

    def __getattr__(self, name: str):
        return getattr(self._library, name)


def _pytorch_start(torch):
    torch.manual_seed(0)
    return {k: v.detach().clone() for k, v in torch.nn.Linear(4, 1).state_dict().items()}


def test_the_update_as_written_is_refused_by_both_at_the_first_batch(torch) -> None:
    """``param.add_(...)`` on a leaf that requires grad, while recording: PyTorch's
    RuntimeError, ours an ``InplaceError`` (a RuntimeError) naming ``no_grad()``."""
    start, draws = _pytorch_start(torch), []
    nothing = lambda library: contextlib.nullcontext()  # noqa: E731
    with pytest.raises(ag.InplaceError, match=r"no_grad\(\)") as ours:
        _run(None, start, draws, nothing)
    assert isinstance(ours.value, RuntimeError)
    assert len(draws) == 3  # W_target, b_target, the first batch
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        _run(torch, start, draws, nothing)
    assert draws == []


def test_the_update_under_no_grad_runs_step_for_step_as_torch(torch) -> None:
    start, draws = _pytorch_start(torch), []
    under_no_grad = lambda library: library.no_grad()  # noqa: E731
    got, got_steps = _run(None, start, draws, under_no_grad)
    batches = len(got_steps) // 2
    assert len(draws) == 2 + batches and batches > 20
    want, want_steps = _run(torch, start, draws, under_no_grad)
    assert draws == []
    assert got == want
    assert got.startswith('Loss: ') and f'after {batches} batches' in got
    assert got_steps[-2][0] < 1e-3 <= min(step[0] for step in got_steps[:-2:2])
    # ~500 steps: the two runs' rounding (a CPU's vector kernels, the memory's alignment)
    # grows to a few 1e-10 of a gradient by the end; a wrong step would differ at once
    assert_steps([s[1:] for s in got_steps[::2]], [s[1:] for s in want_steps[::2]], rtol=1e-8)
    np.testing.assert_allclose([s[0] for s in got_steps[::2]],
                               [s[0] for s in want_steps[::2]], rtol=1e-8)
    assert_steps(got_steps[1::2], want_steps[1::2], rtol=1e-8)
