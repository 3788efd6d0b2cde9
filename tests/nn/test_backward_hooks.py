"""Module full backward hooks (register_full_backward_hook / _pre_hook), compared with
PyTorch: the gradients they see, replacing them, removal, repeated calls, inputs that do
not require grad, and their errors."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, grad, no_grad
from autograd.errors import AutogradError, DTypeError, ShapeError, UsageError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
G = RNG.normal(size=(4, 2))


def mlp_pair(torch):
    """Our MLP 3 -> 5 -> 2 (tanh) and torch's with the same weights."""
    ours = nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 2, rng=1))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(),
                                 torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            q.copy_(torch.tensor(p.data))
    return ours, theirs


def as_numpy(grads):
    """A tuple of gradients (ours or torch's) as arrays, None kept."""
    return [None if g is None else np.array(g.detach().numpy() if hasattr(g, "detach")
                                            and not isinstance(g, Tensor) else g.data)
            for g in grads]


def recorder(log, name):
    """A full backward hook and a pre-hook that append what they see to ``log``."""
    def full(module, grad_input, grad_output):
        log.append((name, "full", as_numpy(grad_input), as_numpy(grad_output)))

    def pre(module, grad_output):
        log.append((name, "pre", as_numpy(grad_output)))
    return full, pre


def run(model, x_np, g_np, lib):
    """Forward and backward with upstream gradient g; returns x."""
    if lib is None:
        x = Tensor(x_np, requires_grad=True)
        model(x).backward(Tensor(g_np))
    else:
        x = lib.tensor(x_np, requires_grad=True)
        model(x).backward(lib.tensor(g_np))
    return x


def assert_logs_equal(ours, theirs):
    assert [entry[:2] for entry in ours] == [entry[:2] for entry in theirs]
    for a, b in zip(ours, theirs):
        for grads_a, grads_b in zip(a[2:], b[2:]):
            assert [g is None for g in grads_a] == [g is None for g in grads_b]
            for ga, gb in zip(grads_a, grads_b):
                if ga is not None:
                    np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-14)


def test_mlp_hooks_see_torchs_gradients_in_torchs_order():
    torch = pytest.importorskip("torch")
    ours, theirs = mlp_pair(torch)
    logs = [], []
    for model, log in zip((ours, theirs), logs):
        for i in range(3):
            full, pre = recorder(log, i)
            model[i].register_full_backward_hook(full)
            model[i].register_full_backward_pre_hook(pre)
    x, xt = run(ours, X, G, None), run(theirs, X, G, torch)
    assert_logs_equal(*logs)
    assert len(logs[0]) == 6
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def test_hooks_that_rescale_gradients_change_the_backward_as_torchs():
    torch = pytest.importorskip("torch")
    ours, theirs = mlp_pair(torch)
    for model in (ours, theirs):
        model[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
        model[2].register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
    x, xt = run(ours, X, G, None), run(theirs, X, G, torch)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)


def test_removed_hooks_do_not_run():
    ours, _ = mlp_pair(pytest.importorskip("torch"))
    reference = run(ours, X, G, None).grad
    log = []
    handles = [ours[0].register_full_backward_hook(lambda m, gi, go: log.append(1) or
                                                   (gi[0] * 0,)),
               ours[0].register_full_backward_pre_hook(lambda m, go: log.append(2))]
    assert np.all(run(ours, X, G, None).grad == 0) and log == [2, 1]
    for handle in handles:
        handle.remove()
    np.testing.assert_array_equal(run(ours, X, G, None).grad, reference)
    assert log == [2, 1]


def test_a_module_called_twice_fires_once_per_call_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(3, 3, rng=2), torch.nn.Linear(3, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    logs = [], []
    for model, log in zip((ours, theirs), logs):
        full, pre = recorder(log, "lin")
        model.register_full_backward_hook(full)
        model.register_full_backward_pre_hook(pre)
        model.register_full_backward_hook(lambda m, gi, go: (gi[0] * 2,))
    g = RNG.normal(size=(4, 3))
    x, xt = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    ours(ours(x)).backward(Tensor(g))
    theirs(theirs(xt)).backward(torch.tensor(g))
    assert_logs_equal(*logs)
    assert len(logs[0]) == 4
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)


class TwoInputs:
    """forward(a, b, scale=2) -> (a * b * scale, tanh(a)): our module and torch's."""

    @staticmethod
    def ours():
        class Two(nn.Module):
            def forward(self, a, b, scale=2.0):
                return a * b * scale, a.tanh()
        return Two()

    @staticmethod
    def torchs(torch):
        class Two(torch.nn.Module):
            def forward(self, a, b, scale=2.0):
                return a * b * scale, a.tanh()
        return Two()


def two_input_run(module, lib, b_requires_grad=True, use_second_output=True):
    a_np, b_np = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    make = Tensor if lib is None else lib.tensor
    a = make(a_np, requires_grad=True)
    b = make(b_np, requires_grad=b_requires_grad)
    product, tanh = module(a, b, scale=3.0)
    loss = (product * make(np.arange(6.0).reshape(2, 3))).sum()
    if use_second_output:
        loss = loss + (tanh * tanh).sum()
    loss.backward()
    return a, b


def test_a_module_with_two_inputs_and_two_outputs_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = TwoInputs.ours(), TwoInputs.torchs(torch)
    logs = [], []
    for module, log in zip((ours, theirs), logs):
        full, pre = recorder(log, "two")
        module.register_full_backward_hook(full)
        module.register_full_backward_pre_hook(pre)
        module.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[1] * -1))
    state = RNG.bit_generator.state
    a, b = two_input_run(ours, None)
    RNG.bit_generator.state = state
    at, bt = two_input_run(theirs, torch)
    assert_logs_equal(*logs)
    assert len(logs[0][1][2]) == 2  # grad_input: the positional inputs a, b only
    np.testing.assert_allclose(a.grad, at.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, bt.grad.numpy(), rtol=1e-12)


def test_an_unused_output_has_no_grad_output_as_torch():
    torch = pytest.importorskip("torch")
    logs = [], []
    for module, log in zip((TwoInputs.ours(), TwoInputs.torchs(torch)), logs):
        full, pre = recorder(log, "two")
        module.register_full_backward_hook(full)
        module.register_full_backward_pre_hook(pre)
        state = RNG.bit_generator.state
        two_input_run(module, None if log is logs[0] else torch, use_second_output=False)
        RNG.bit_generator.state = state
    assert_logs_equal(*logs)
    assert logs[0][0][2][1] is None


def test_an_input_that_does_not_require_grad_gets_none():
    # PyTorch passes zeros there (and gives such an input's .grad zeros); we pass None,
    # as for a non-Tensor input (README, nn section)
    seen = []
    module = TwoInputs.ours()
    module.register_full_backward_hook(lambda m, gi, go: seen.append(gi) or (gi[0] * 2,
                                                                              gi[1]))
    state = RNG.bit_generator.state
    a, b = two_input_run(module, None, b_requires_grad=False)
    assert seen[0][1] is None and b.grad is None
    RNG.bit_generator.state = state
    a_ref, _ = two_input_run(TwoInputs.ours(), None, b_requires_grad=False)
    np.testing.assert_allclose(a.grad, 2 * a_ref.grad, rtol=1e-12)


def test_no_input_requiring_grad_fires_with_grad_output_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = mlp_pair(torch)
    logs = [], []
    for model, log in zip((ours, theirs), logs):
        full, pre = recorder(log, 0)
        model[0].register_full_backward_pre_hook(pre)
        model[0].register_full_backward_hook(full)
    ours(Tensor(X)).backward(Tensor(G))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that the hook fires early
        theirs(torch.tensor(X)).backward(torch.tensor(G))
    assert_logs_equal(*logs)
    assert logs[0][1][2] == [None]
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)


def test_prepend_puts_a_hook_first():
    log = []
    layer = nn.Linear(3, 2, rng=0)
    layer.register_full_backward_hook(lambda m, gi, go: log.append("a"))
    layer.register_full_backward_hook(lambda m, gi, go: log.append("b"), prepend=True)
    layer.register_full_backward_pre_hook(lambda m, go: log.append("c"))
    layer.register_full_backward_pre_hook(lambda m, go: log.append("d"), True)
    run(layer, X, G, None)
    assert log == ["d", "c", "b", "a"]


def test_hooks_leave_higher_derivatives_alone():
    torch = pytest.importorskip("torch")
    ours, theirs = mlp_pair(torch)
    for model in (ours, theirs):
        model[1].register_full_backward_hook(lambda m, gi, go: None)
        model[1].register_full_backward_pre_hook(lambda m, go: None)
    x, xt = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    (gx,) = grad((ours(x) * Tensor(G)).sum(), [x], create_graph=True)
    (gxt,) = torch.autograd.grad((theirs(xt) * torch.tensor(G)).sum(), [xt],
                                 create_graph=True)
    (gx * gx).sum().backward()
    (gxt * gxt).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours[0].weight.grad, theirs[0].weight.grad.numpy(),
                               rtol=1e-10)


@pytest.mark.parametrize("hook, error, match", [
    (lambda m, gi, go: gi[0], UsageError, "tuple of 1 gradients"),
    (lambda m, gi, go: (gi[0], gi[0]), UsageError, "returned a tuple of 2"),
    (lambda m, gi, go: (np.ones((1, 3)),), ShapeError, r"shape \(1, 3\).*\(4, 3\)"),
    (lambda m, gi, go: (gi[0].data.astype(np.float32),), DTypeError, "float32"),
])
def test_bad_replacements_raise_named_errors(hook, error, match):
    layer = nn.Linear(3, 2, rng=0)
    layer.register_full_backward_hook(hook)
    with pytest.raises(error, match=match) as info:
        run(layer, X, G, None)
    assert isinstance(info.value, AutogradError)


def test_bad_registrations_and_replacements_without_inputs_raise():
    layer = nn.Linear(3, 2, rng=0)
    with pytest.raises(TypeError, match="grad_input, grad_output"):
        layer.register_full_backward_hook("not a function")
    with pytest.raises(TypeError, match="prepend"):
        layer.register_full_backward_pre_hook(print, prepend=1)
    layer.register_full_backward_hook(lambda m, gi, go: (Tensor(np.ones((4, 3))),))
    with pytest.raises(UsageError, match="none of its inputs requires grad"):
        layer(Tensor(X)).backward(Tensor(G))


def test_a_pre_hook_returning_a_bare_tensor_is_refused():
    """PyTorch wants a tuple even for one output ("hook has changed the size of value")."""
    layer = nn.Linear(3, 2, rng=0)
    layer.register_full_backward_pre_hook(lambda m, go: go[0] * 0)
    with pytest.raises(UsageError, match="tuple of 1 gradients"):
        run(layer, X, G, None)


def test_a_write_to_the_output_does_not_change_what_backward_reads():
    hooked, plain = nn.Tanh(), nn.Tanh()
    hooked.register_full_backward_hook(lambda m, gi, go: None)
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = hooked(x)
    with no_grad():
        y.add_(1.0)  # y is a copy: tanh's saved output is untouched
    y.sum().backward()
    x_ref = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    plain(x_ref).sum().backward()
    np.testing.assert_allclose(x.grad, x_ref.grad, rtol=1e-15)


def test_an_output_that_is_not_a_tensor_or_tuple_warns_as_torch():
    class ListOut(nn.Module):
        def forward(self, x):
            return [x * 2]
    module = ListOut()
    module.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.warns(UserWarning, match="backward hooks fire only"):
        module(Tensor(X, requires_grad=True))
