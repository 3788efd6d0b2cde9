"""F.relu_, F.elu_, F.leaky_relu_, F.hardtanh_, F.selu_, F.celu_, F.threshold_ and
F.rrelu_: PyTorch's values written into the given tensor (which is returned), and the
engine's in-place rules: the version bump seen by a saved graph, PyTorch's error on a
leaf that requires grad, a computed tensor's write recorded as PyTorch records it,
no_grad allowed."""

import numpy as np
import pytest

import nn.functional as F
from autograd import DTypeError, InplaceError, Tensor, no_grad
from nn.errors import ArgumentTypeError

VALUES = np.array([[-2.5, -1.0, -0.25, 0.0], [0.3, 1.0, 2.0, 7.0]])
CASES = [("relu_", (), ()), ("elu_", (0.7,), (0.7,)), ("leaky_relu_", (0.2,), (0.2,)),
         ("hardtanh_", (-0.5, 1.5), (-0.5, 1.5)), ("selu_", (), ()),
         ("celu_", (1.3,), (1.3,)), ("threshold_", (0.5, -4.0), (0.5, -4.0)),
         ("rrelu_", (0.1, 0.3), (0.1, 0.3))]  # rrelu_: evaluation mode, the mean slope


@pytest.mark.parametrize("name, ours_args, torch_args", CASES)
def test_writes_torch_values_into_the_tensor_and_returns_it(name, ours_args, torch_args):
    torch = pytest.importorskip("torch")
    x = Tensor(VALUES.copy())
    assert getattr(F, name)(x, *ours_args) is x
    want = torch.tensor(VALUES)
    assert getattr(torch.nn.functional, name)(want, *torch_args) is want
    np.testing.assert_allclose(x.data, want.numpy(), rtol=1e-15)


def test_integer_tensors_where_torch_takes_them():
    torch = pytest.importorskip("torch")
    ints = np.array([-3, 0, 2, 9])
    for name, args in (("relu_", ()), ("hardtanh_", ()), ("threshold_", (1, 5))):
        x, want = Tensor(ints.copy()), torch.tensor(ints)
        getattr(F, name)(x, *args), getattr(torch.nn.functional, name)(want, *args)
        np.testing.assert_array_equal(x.data, want.numpy())
        assert x.dtype == ints.dtype
    with pytest.raises(DTypeError, match="elu_ needs a floating tensor"):
        F.elu_(Tensor(ints.copy()))


def test_rrelu_in_training_draws_from_the_generator():
    x = Tensor(VALUES.copy())
    F.rrelu_(x, training=True, generator=np.random.default_rng(3))
    want = F.rrelu(VALUES, training=True, generator=np.random.default_rng(3))
    np.testing.assert_array_equal(x.data, want.data)


def test_a_leaf_that_requires_grad_is_refused_as_in_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.relu_(torch.ones(2, requires_grad=True))
    for name, args, _ in CASES:
        x = Tensor(VALUES.copy(), requires_grad=True)
        with pytest.raises(InplaceError, match=f"^{name}: " + str(theirs.value)):
            getattr(F, name)(x, *args)
        np.testing.assert_array_equal(x.data, VALUES)  # left as it was


@pytest.mark.parametrize("name, ours_args, torch_args",
                         [case for case in CASES if case[0] != "rrelu_"])
def test_on_a_computed_tensor_the_write_is_recorded_as_in_torch(name, ours_args, torch_args):
    torch = pytest.importorskip("torch")
    weights = np.linspace(-1.0, 2.0, VALUES.size).reshape(VALUES.shape)
    results = []
    for T, f, args in ((Tensor, getattr(F, name), ours_args),
                       (torch.tensor, getattr(torch.nn.functional, name), torch_args)):
        w = T(VALUES.copy(), requires_grad=True)
        y = w * 2.0
        assert f(y, *args) is y
        (y * T(weights)).sum().backward()
        results.append((y.detach().numpy(), w.grad.numpy()))
    # torch's celu gradients (in place or not) are off by about 1e-8 from exp(x / alpha)
    tolerance = 1e-7 if name == "celu_" else 1e-12
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


def test_under_no_grad_any_tensor_is_written():
    w = Tensor(VALUES.copy(), requires_grad=True)
    with no_grad():
        F.hardtanh_(w)
    np.testing.assert_array_equal(w.data, np.clip(VALUES, -1, 1))
    assert w.requires_grad


def test_the_write_is_seen_by_a_graph_that_saved_the_old_values():
    w = Tensor(np.ones(4), requires_grad=True)
    x = Tensor(VALUES[0].copy())
    loss = (w * x).sum()  # saves x for w's gradient
    F.relu_(x)
    with pytest.raises(InplaceError):
        loss.backward()


def test_arrays_are_refused_with_the_out_of_place_function_named():
    with pytest.raises(ArgumentTypeError, match=r"Use relu\(x\)"):
        F.relu_(VALUES.copy())
