"""PyTorch's short names of NumPy-named ops work, as functions and methods: ``acos``
(``arccos``), ``atan2``, ``absolute``, ``true_divide``, ``take_along_dim``, ``concat`` and
the in-place forms. They were refused with a ``MissingNameError`` pointing at NumPy's name
(and ``true_divide``'s hint called ``div`` NumPy's name); PyTorch has both spellings."""

import numpy as np
import pytest

import autograd as ag

UNARY = ["acos", "asin", "atan", "acosh", "asinh", "atanh", "absolute"]
DOMAIN = {"acosh": (1.2, 3.0)}


def _values(name: str, rng: np.random.Generator) -> np.ndarray:
    low, high = DOMAIN.get(name, (-0.9, 0.9))
    return rng.uniform(low, high, size=(3, 4))


@pytest.mark.parametrize("name", UNARY)
def test_short_unary_names_match_pytorch_values_and_gradients(name: str, torch) -> None:
    rng = np.random.default_rng(0)
    x, g = _values(name, rng), rng.normal(size=(3, 4))
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    for out, out_t in ((getattr(ag, name)(ours), getattr(torch, name)(theirs)),
                       (getattr(ours, name)(), getattr(theirs, name)())):
        np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
        out.backward(ag.tensor(g))
        out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", UNARY[:-1])
def test_short_and_numpy_in_place_forms_match_pytorch(name: str, torch) -> None:
    x = _values(name, np.random.default_rng(1))
    numpy_name = "arc" + name[1:]
    for method in (f"{name}_", f"{numpy_name}_"):
        ours, theirs = ag.tensor(x.copy()), torch.tensor(x.copy())
        assert getattr(ours, method)() is ours
        getattr(theirs, method)()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_atan2_true_divide_and_their_in_place_forms_match_pytorch(torch) -> None:
    rng = np.random.default_rng(2)
    y, x = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    for name in ("atan2", "true_divide"):
        a, b = ag.tensor(y, requires_grad=True), ag.tensor(x, requires_grad=True)
        at, bt = torch.tensor(y, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, out_t = getattr(ag, name)(a, b) + getattr(a, name)(b), \
            getattr(torch, name)(at, bt) + getattr(at, name)(bt)
        np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        out_t.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), rtol=1e-12)
    for name in ("atan2_", "arctan2_", "true_divide_", "absolute_"):
        ours, theirs = ag.tensor(y.copy()), torch.tensor(y.copy())
        args = () if name == "absolute_" else (ag.tensor(x),)
        getattr(ours, name)(*args)
        getattr(theirs, name)(*(torch.tensor(a.numpy()) for a in args))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_true_divide_of_integers_is_true_division(torch) -> None:
    ours = ag.true_divide(ag.tensor([3, 4]), 2)
    theirs = torch.true_divide(torch.tensor([3, 4]), 2)
    assert ours.is_floating_point()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_take_along_dim_and_concat_match_pytorch(torch) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 4))
    index = np.argsort(x, axis=1)[:, :2]
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    picked = ag.take_along_dim(ours, ag.tensor(index), dim=1)
    picked_t = torch.take_along_dim(theirs, torch.tensor(index), dim=1)
    np.testing.assert_array_equal(picked.detach().numpy(), picked_t.detach().numpy())
    np.testing.assert_array_equal(ours.take_along_dim(ag.tensor(index), 1).detach().numpy(),
                                  picked_t.detach().numpy())
    flat = np.argsort(x, axis=None)[:3]  # dim=None: indices into the flattened tensor
    np.testing.assert_array_equal(ag.take_along_dim(ours, ag.tensor(flat)).detach().numpy(),
                                  torch.take_along_dim(theirs, torch.tensor(flat)).detach())
    joined = ag.concat([ours, picked], dim=1)
    joined_t = torch.concat([theirs, picked_t], dim=1)
    np.testing.assert_array_equal(joined.detach().numpy(), joined_t.detach().numpy())
    joined.sum().backward()
    joined_t.sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_short_names_take_out_as_pytorch(torch) -> None:
    out = ag.empty(3)
    result = ag.acos(ag.tensor([0.1, 0.2, 0.3]), out=out)
    assert result is out
    np.testing.assert_allclose(out.numpy(), torch.acos(torch.tensor([0.1, 0.2, 0.3])))


def test_other_missing_attributes_stay_plain_attribute_errors() -> None:
    t = ag.tensor([0.5])
    assert getattr(t, "no_such_name", 7) == 7
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'no_such'"):
        t.no_such
