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
