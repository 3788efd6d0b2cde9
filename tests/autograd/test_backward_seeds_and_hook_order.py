"""What a backward pass starts from and the order of hooks, against PyTorch: a
one-element output of any shape seeds with ones, a given seed takes the output's dtype,
and hooks run in registration order, each seeing what the one before returned. Mutants
that broke each of these passed the rest of the suite."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(1,), (1, 1), (1, 1, 1)])
def test_backward_without_grad_on_any_one_element_output_as_pytorch(shape) -> None:
    x, tx = Tensor(np.full(shape, 1.5), requires_grad=True), torch.full(
        shape, 1.5, dtype=torch.float64, requires_grad=True)
    (x * x).backward()
    (tx * tx).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    (g,) = ag.grad(x * x, [x])
    np.testing.assert_allclose(g.data, tx.grad.numpy())


@pytest.mark.parametrize("seed", [np.ones, lambda n: Tensor(np.ones(n))], ids=["array", "Tensor"])
def test_a_seed_of_another_dtype_takes_the_outputs_as_pytorch(seed) -> None:
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.backward(seed(3))  # float64 into a float32 output
    tx = torch.ones(3, requires_grad=True)
    ty = tx * 2
    ty.retain_grad()
    ty.backward(torch.ones(3, dtype=torch.float64))
    assert y.grad.dtype == x.grad.dtype == np.float32
    assert ty.grad.dtype == tx.grad.dtype == torch.float32
    leaf = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    leaf.backward(seed(3))
    assert leaf.grad.dtype == np.float32 and type(leaf.grad.data) is np.ndarray


@pytest.mark.parametrize("leaf", [True, False])
def test_hooks_run_in_registration_order_as_pytorch(leaf: bool) -> None:
    """Each hook sees what the one before it returned (README: in registration order)."""
    def run(make, hook_input):
        x = make()
        h = x if leaf else x * 1
        seen = []
        h.register_hook(lambda g: seen.append(("first", hook_input(g))) or g * 2)
        h.register_hook(lambda g: seen.append(("second", hook_input(g))) or g + 1)
        h.register_hook(lambda g: seen.append(("third", hook_input(g))))
        (h * 3).sum().backward()
        return seen, x.grad

    ours, g = run(lambda: Tensor(np.array([1.0, 2.0]), requires_grad=True),
                  lambda g: g.data.tolist())
    theirs, tg = run(lambda: torch.tensor([1.0, 2.0], dtype=torch.float64,
                                          requires_grad=True), lambda g: g.tolist())
    assert [name for name, _ in ours] == ["first", "second", "third"]
    assert ours == theirs
    np.testing.assert_allclose(g.data, tg.numpy())
