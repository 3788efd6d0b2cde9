"""PyTorch's ``module._parameters``, ``_buffers`` and ``_modules`` (a module's own members
by name), which d2l.ai reads and writes: ``train_seq2seq``'s Xavier initialisation
``init.xavier_uniform_(m._parameters[name])`` for each name in ``m._flat_weights_names`` of
an ``nn.GRU``, and the builders' guide's ``MySequential`` that registers its blocks with
``self._modules[str(idx)] = module``. Here they are live views: reading gives the members,
writing registers as ``register_parameter`` / ``register_buffer`` / ``add_module`` do."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn.module import Parameter


def _models(torch):
    ours = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    return ours, theirs


def test_member_dicts_name_what_pytorchs_name():
    torch = pytest.importorskip("torch")
    ours, theirs = _models(torch)
    assert list(ours._modules) == list(theirs._modules) == ["0", "1"]
    assert ours._modules["1"] is ours[1]
    assert list(ours[0]._parameters) == list(theirs[0]._parameters) == ["weight", "bias"]
    assert ours[0]._parameters["weight"] is ours[0].weight
    assert list(ours[1]._buffers) == list(theirs[1]._buffers)
    assert ours[1]._buffers["running_mean"] is ours[1].running_mean
    assert len(ours._parameters) == len(theirs._parameters) == 0  # own members only
    assert "weight" in ours[0]._parameters and "nothing" not in ours[0]._parameters
    with pytest.raises(KeyError, match="Linear has no parameter 'nothing' of its own"):
        ours[0]._parameters["nothing"]


def test_writing_a_member_dict_registers():
    """d2l's ``MySequential``: ``self._modules[str(idx)] = module`` in ``__init__``."""
    torch = pytest.importorskip("torch")

    def my_sequential(lib):
        class MySequential(lib.Module):
            def __init__(self, *args):
                super().__init__()
                for idx, module in enumerate(args):
                    self._modules[str(idx)] = module

            def forward(self, X):
                for block in self._modules.values():
                    X = block(X)
                return X
        return MySequential

    ours = my_sequential(nn)(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    theirs = my_sequential(torch.nn)(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                     torch.nn.Linear(3, 2))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_allclose(ours(Tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x, dtype=torch.float32)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    layer = nn.Linear(2, 2)
    layer._parameters["scale"] = Parameter(np.ones(2))
    layer._buffers["count"] = Tensor(np.zeros(1))
    assert "scale" in dict(layer.named_parameters()) and "count" in layer.state_dict()
    del layer._parameters["scale"]
    assert not hasattr(layer, "scale") and "scale" not in layer._parameters


def test_writing_the_wrong_kind_says_so():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="register_parameter.*expected a Parameter"):
        layer._parameters["w"] = np.ones(2)
    with pytest.raises(TypeError, match="add_module.*expected a Module"):
        layer._modules["m"] = np.ones(2)


def test_views_reverse_as_pytorchs_dicts():
    """``reversed(self._modules.values())`` (ikostrikov/pytorch-flows' inverse pass) and
    the other views' ``reversed`` work as on PyTorch's dicts."""
    torch = pytest.importorskip("torch")
    ours, theirs = _models(torch)
    assert [type(m).__name__ for m in reversed(ours._modules.values())] == \
        [type(m).__name__ for m in reversed(theirs._modules.values())]
    assert list(reversed(ours._modules)) == list(reversed(ours._modules.keys())) == ["1", "0"]
    assert [k for k, _ in reversed(ours[1]._parameters.items())] == \
        [k for k, _ in reversed(theirs[1]._parameters.items())] == ["bias", "weight"]


def test_a_plain_tensor_in_parameters_names_functional_call(torch):
    """PyTorch lets ``_parameters[name]`` hold a non-leaf Tensor (learn2learn's
    ``update_module`` puts MAML's fast weights there); here parameters are Parameters, so
    it is a ``UsageError`` naming ``functional_call``, which computes what PyTorch's
    swapped module does."""
    torch.manual_seed(0)
    theirs = torch.nn.Linear(2, 3)
    ours = nn.Linear(2, 3)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 2))
    fast = theirs.weight * 0.5  # a non-leaf Tensor, as p - lr * g
    theirs._parameters["weight"] = fast
    want = theirs(torch.tensor(x))
    ours_fast = ours.weight * 0.5
    with pytest.raises(autograd.UsageError, match=r"functional_call\(module, \{'weight'"):
        ours._parameters["weight"] = ours_fast
    assert ours.weight is not ours_fast  # nothing changed
    got = autograd.func.functional_call(ours, {"weight": ours_fast}, (Tensor(x),))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
