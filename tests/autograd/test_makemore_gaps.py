"""PyTorch names the makemore lectures reach for (tests/test_pytorch_ports_makemore*.py):
``t.nelement()``, ``torch.all``/``torch.any``, ``t.index_add_``, ``torch.histogram``;
each compared with PyTorch's own."""

import numpy as np
import pytest

import autograd as ag


def test_nelement_is_numel() -> None:
    # makemore part 3: sum(p.nelement() for p in parameters)
    x = ag.zeros((3, 4, 2))
    assert x.nelement() == 24 and isinstance(x.nelement(), int)
    assert ag.tensor(2.0).nelement() == 1


def test_all_and_any_are_torch_functions() -> None:
    # makemore part 4: cmp() prints torch.all(dt == t.grad).item()
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    x, t = ag.tensor(data), torch.from_numpy(data)
    for name in ("all", "any"):
        mine, theirs = getattr(ag, name), getattr(torch, name)
        assert mine(x == x).item() is theirs(t == t).item() is True
        np.testing.assert_array_equal(mine(x).numpy(), theirs(t).numpy())
        np.testing.assert_array_equal(mine(x, 1).numpy(), theirs(t, 1).numpy())
        np.testing.assert_array_equal(mine(x, dim=0, keepdim=True).numpy(),
                                      theirs(t, dim=0, keepdim=True).numpy())
        np.testing.assert_array_equal(mine(x, axis=1, keepdims=True).numpy(),
                                      getattr(np, name)(data, axis=1, keepdims=True))
        assert mine([True, False]).dtype == np.bool_


def test_from_autograd_import_star_keeps_pythons_all_and_any() -> None:
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "all" not in namespace and "any" not in namespace
    assert ag.all is ag.all and callable(ag.any)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_add_in_place_matches_torch(dim: int) -> None:
    # makemore part 4: dC = torch.zeros_like(C); dC.index_add_(0, Xb.view(-1), demb.view(-1, 10))
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    index = np.array([2, 0, 2, 1, 2])
    source_shape = list(x.shape)
    source_shape[dim] = len(index)
    source = rng.normal(size=source_shape)
    mine, theirs = ag.tensor(x), torch.from_numpy(x.copy())
    out = mine.index_add_(dim, ag.tensor(index), ag.tensor(source), alpha=0.5)
    theirs.index_add_(dim, torch.from_numpy(index), torch.from_numpy(source), alpha=0.5)
    assert out is mine
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-15)
    mine.index_add_(dim, ag.tensor(index), ag.tensor(source))
    theirs.index_add_(dim, torch.from_numpy(index), torch.from_numpy(source))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-15)


def test_index_add_in_place_follows_the_in_place_rules() -> None:
    w = ag.zeros(3, requires_grad=True)
    with pytest.raises(ag.InplaceError, match="index_add"):
        w.index_add_(0, ag.tensor([1]), ag.tensor([1.0]))
    with ag.no_grad():
        w.index_add_(0, ag.tensor([1, 1]), ag.tensor([1.0, 2.0]))
    assert w.tolist() == [0.0, 3.0, 0.0]
    with pytest.raises(ag.ShapeError, match="source must have shape"):
        ag.zeros(3).index_add_(0, ag.tensor([1]), ag.tensor([1.0, 2.0]))
