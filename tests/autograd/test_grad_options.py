"""PyTorch's keyword options of ``autograd.grad``: ``materialize_grads`` and
``is_grads_batched`` (both raised a bare TypeError), and a number as ``grad_outputs``
(``backward(2.0)`` took it, ``grad`` raised "object of type 'float' has no len()")."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, Tensor, UsageError


def _leaf(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_materialize_grads_gives_zeros_for_unused_inputs() -> None:
    x, unused = _leaf(3), _leaf(2, 2, seed=1)
    y = (x ** 3).sum()
    gx, gu = ag.grad(y, [x, unused], materialize_grads=True, retain_graph=True)
    np.testing.assert_allclose(gx.data, 3 * x.data ** 2)
    assert gu.shape == (2, 2) and gu.dtype == unused.dtype and not gu.data.any()
    assert ag.grad(y, [x, unused], allow_unused=True)[1] is None
    with pytest.raises(UsageError, match="allow_unused must be True or left out"):
        ag.grad((x * 2).sum(), [x, unused], materialize_grads=True, allow_unused=False)


def test_is_grads_batched_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x, w = _leaf(3), _leaf(2, 3, seed=1)
    y = w @ x.sin()
    vs = np.random.default_rng(2).standard_normal((4, 2))
    jx, jw = ag.grad(y, [x, w], Tensor(vs), is_grads_batched=True, create_graph=True)
    (second,) = ag.grad((jx ** 2).sum(), x)

    tx = torch.tensor(x.data, requires_grad=True)
    tw = torch.tensor(w.data, requires_grad=True)
    ty = tw @ tx.sin()
    tjx, tjw = torch.autograd.grad(ty, [tx, tw], torch.tensor(vs), is_grads_batched=True,
                                   create_graph=True)
    (tsecond,) = torch.autograd.grad((tjx ** 2).sum(), tx)
    assert jx.shape == (4, 3) and jw.shape == (4, 2, 3)
    np.testing.assert_allclose(jx.data, tjx.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(jw.data, tjw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(second.data, tsecond.numpy(), rtol=1e-12)


def test_is_grads_batched_takes_parameters_and_names_bad_batches() -> None:
    x = _leaf(3)
    params = iter([x])  # a generator such as model.parameters() is read once
    y = x * x
    (jacobian,) = ag.grad(y, params, ag.eye(3), is_grads_batched=True, retain_graph=True)
    np.testing.assert_allclose(jacobian.data, np.diag(2 * x.data))
    with pytest.raises(UsageError, match="needs grad_outputs, each with a leading batch"):
        ag.grad(y, x, None, is_grads_batched=True, retain_graph=True)
    with pytest.raises(ShapeError, match=r"one batch size .* sizes \[2, 3\]"):
        ag.grad([y, y], x, [ag.ones((2, 3)), ag.ones((3, 3))], is_grads_batched=True)


def test_a_number_is_the_grad_output_of_a_one_element_output() -> None:
    x = _leaf(3)
    (g,) = ag.grad((x * x).sum(), x, grad_outputs=2.0)
    np.testing.assert_allclose(g.data, 4 * x.data)


def _torch_backward_case(torch_like: bool):
    """The same calls on our tensors or on torch's, returning the gradients as arrays."""
    if torch_like:
        torch = pytest.importorskip("torch")
        leaf = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
        backward, ones = torch.autograd.backward, lambda n: torch.ones(n, dtype=torch.float64)
    else:
        leaf = lambda v: Tensor(v, requires_grad=True)  # noqa: E731
        backward, ones = ag.backward, ag.ones
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    found = []
    backward([(x * w).sum(), (x * x).sum()])  # several roots, one pass
    found += [x.grad, w.grad]
    x.grad = w.grad = None
    backward([x * w, (x ** 3).sum()], grad_tensors=[ones(2), None])
    found += [x.grad, w.grad]
    x.grad = w.grad = None
    h = x * w
    backward((h * h).sum(), inputs=[x, h])  # only these get .grad, a non-leaf too
    found += [x.grad, h.grad]
    assert w.grad is None
    x.grad = None
    backward((x ** 3).sum(), inputs=x, create_graph=True)
    first, x.grad = x.grad, None
    backward(first.sum(), inputs=[x])
    found += [x.grad]
    return [np.array(g.detach().numpy() if torch_like else g.data) for g in found]


@pytest.mark.filterwarnings("ignore:Using backward")  # torch's note on create_graph
def test_backward_takes_pytorchs_tensors_grad_tensors_and_inputs() -> None:
    """ag.backward([l1, l2]) raised "output 0 is list"; grad_tensors= and inputs= a
    bare TypeError."""
    for ours, theirs in zip(_torch_backward_case(False), _torch_backward_case(True)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    x = _leaf(2)
    with pytest.raises(ag.BackwardError, match="2 tensors but 1 gradients"):
        ag.backward([x * 2, x * 3], [ag.ones(2)])
    with pytest.raises(UsageError, match="both grad and grad_tensors"):
        ag.backward(x * 2, ag.ones(2), grad_tensors=ag.ones(2))


def _method_case(torch_like: bool) -> list:
    """Tensor.backward(inputs=) on our tensors or torch's: the gradients as arrays."""
    if torch_like:
        torch = pytest.importorskip("torch")
        leaf = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    else:
        leaf = lambda v: Tensor(v, requires_grad=True)  # noqa: E731
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    h = x * w
    (h * h + x).sum().backward(inputs=[x, h])  # a leaf and a non-leaf; w untouched
    assert w.grad is None
    found = [x.grad, h.grad]
    x.grad = None
    (x ** 3).sum().backward(inputs=x, create_graph=True)
    first, x.grad = x.grad, None
    first.sum().backward(inputs=[x])  # through the graph the first call built
    return [np.array(g.detach().numpy() if torch_like else g.data) for g in found + [x.grad]]


def test_tensor_backward_takes_pytorchs_inputs() -> None:
    """loss.backward(inputs=[...]) was a bare TypeError (autograd.backward took it)."""
    ours = _method_case(False)
    x, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, -1.0], requires_grad=True)
    h = x * w
    expected = ag.grad((h * h + x).sum(), [x, h])  # the pass stops at h: dx = 1 only
    np.testing.assert_allclose(ours[0], expected[0].data)
    np.testing.assert_allclose(ours[1], expected[1].data)
    np.testing.assert_allclose(ours[2], 6 * np.array([1.0, 2.0]))  # d/dx sum 3x^2


@pytest.mark.filterwarnings("ignore:Using backward")  # torch's note on create_graph
def test_tensor_backward_inputs_as_torch() -> None:
    for a, b in zip(_method_case(False), _method_case(True)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_tensor_backward_inputs_must_require_grad() -> None:
    x = _leaf(2)
    with pytest.raises(ag.BackwardError, match=r"inputs\[1\] is not a tensor that requires"):
        (x * 2).sum().backward(inputs=[x, Tensor([1.0, 2.0])])  # grad() raises the same
    with pytest.raises(ag.BackwardError, match="does not require grad"):
        ag.backward((x * 2).sum(), inputs=[x, Tensor([1.0, 2.0])])
    with pytest.raises(UsageError, match="inputs= is empty"):
        (x * 2).sum().backward(inputs=[])


def test_autograd_backward_takes_tensors_by_pytorchs_name() -> None:
    """ag.backward(tensors=[loss]) raised a bare TypeError (the parameter was 'root')."""
    x = _leaf(3)
    ag.backward(tensors=[(x * x).sum()])
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_retain_graph_defaults_as_pytorch() -> None:
    """grad() and a batched grad() free the graph unless told (the batch keeps it until
    its last vector); backward(create_graph=True) keeps it. Mutants flipping each default
    passed the other tests."""
    torch = pytest.importorskip("torch")
    data = np.array([1.0, 2.0, 3.0])
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    for y, ty in [(x * x, tx * tx), ((x * x).sin(), (tx * tx).sin())]:
        (g,) = ag.grad(y, [x], np.eye(3), is_grads_batched=True)
        (tg,) = torch.autograd.grad(ty, tx, torch.eye(3, dtype=torch.float64),
                                    is_grads_batched=True)
        np.testing.assert_allclose(g.data, tg.numpy())
        with pytest.raises(ag.GraphFreedError):
            ag.grad(y, [x], np.ones(3))
    y = (x * x).sum()
    ag.grad(y, [x])
    with pytest.raises(ag.GraphFreedError):
        ag.grad(y, [x])
    for backward, torch_backward in [(Tensor.backward, torch.Tensor.backward),
                                     (ag.backward, torch.autograd.backward)]:
        x.grad, tx.grad = None, None
        y, ty = (x ** 3).sum(), (tx ** 3).sum()
        backward(y, create_graph=True)
        torch_backward(ty, create_graph=True)
        backward(y)  # the first kept the graph
        torch_backward(ty)
        np.testing.assert_allclose(x.grad.data, tx.grad.detach().numpy())


def test_only_inputs_is_accepted_as_pytorch_does() -> None:
    """WGAN-GP tutorials pass only_inputs=True (a bare TypeError here before); PyTorch
    ignores it, and warns on False."""
    torch = pytest.importorskip("torch")
    x = _leaf(4)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    (g,) = ag.grad((x ** 3).sum(), x, grad_outputs=None, create_graph=True,
                   retain_graph=True, only_inputs=True)
    (tg,) = torch.autograd.grad((tx ** 3).sum(), tx, grad_outputs=None, create_graph=True,
                                retain_graph=True, only_inputs=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-12)
    assert g.requires_grad  # the penalty is differentiable, as PyTorch's
    with pytest.warns(FutureWarning, match="only_inputs"):
        torch.autograd.grad((tx ** 3).sum(), tx, only_inputs=False)
    with pytest.warns(FutureWarning, match="only_inputs is deprecated.*autograd.backward"):
        (g2,) = ag.grad((x ** 3).sum(), x, only_inputs=False)
    np.testing.assert_allclose(g2.numpy(), tg.detach().numpy(), rtol=1e-12)
    assert x.grad is None  # ignored: nothing else is written


def test_differentiating_a_gradient_that_records_nothing_says_why() -> None:
    """The gradient of (2 x).sum() is a constant: grad of it raises (as PyTorch), and the
    message names that case (it told the user to set requires_grad, which they had).
    relu's gradient records x, with derivative 0, as PyTorch's does (see
    test_piecewise_linear_double_backward.py)."""
    x = _leaf(2)
    (g,) = ag.grad((2 * x).sum(), x, create_graph=True)
    assert not g.requires_grad
    with pytest.raises(ag.BackwardError, match=r"linear in the inputs, such as 2 \* x.*"
                                               r"derivative is zero"):
        ag.grad(g.sum(), x)


def test_the_pinn_beginners_errors_name_grad_outputs_and_create_graph(torch) -> None:
    """u_x taken without create_graph=True, then u_xx = grad(u_x, x): PyTorch says u_x
    "does not require grad"; the message here named backward and not the missing
    create_graph. A non-scalar u without grad_outputs: it told to pass grad=, which is
    backward's keyword, not grad's."""
    tx = torch.linspace(0, 1, 4).reshape(-1, 1).requires_grad_(True)
    tu = tx.sin()
    (tu_x,) = torch.autograd.grad(tu, tx, torch.ones_like(tu))
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(tu_x, tx, torch.ones_like(tu_x))
    x = ag.linspace(0, 1, 4).reshape(-1, 1).requires_grad_(True)
    u = x.sin()
    (u_x,) = ag.grad(u, x, ag.ones_like(u))
    with pytest.raises(ag.BackwardError, match=r"^grad: output 0 does not require grad.*"
                                               r"create_graph=True"):
        ag.grad(u_x, x, ag.ones_like(u_x))
    with pytest.raises(ag.BackwardError, match=r"one-element outputs; output 0 has shape "
                                               r"\(4, 1\)\. Pass grad_outputs="):
        ag.grad(x.sin(), x)
    with pytest.raises(ag.BackwardError, match=r"^backward: .*does not require grad"):
        u_x.sum().backward()
