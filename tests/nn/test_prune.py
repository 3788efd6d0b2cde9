"""``nn.utils.prune`` against PyTorch's: the same masks from the same scores, the same
re-parametrisation (``weight_orig``, ``weight_mask``, the pre-hook), the same state-dict
keys, forward values and gradients; random methods by their properties."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils import prune


def conv_pair(torch, seed: int = 0):
    """Our Conv2d(2, 4, 3) and PyTorch's, with the same (tie-free) random weights."""
    import torch.nn.utils.prune  # noqa: F401  (a submodule torch does not import itself)
    rng = np.random.default_rng(seed)
    ours, theirs = nn.Conv2d(2, 4, 3), torch.nn.Conv2d(2, 4, 3)
    for name in ("weight", "bias"):
        values = rng.standard_normal(getattr(ours, name).shape)
        getattr(ours, name).data = values.copy()
        setattr(theirs, name, torch.nn.Parameter(torch.tensor(values)))
    return ours, theirs


def assert_same_pruning(ours, theirs):
    """Names, masks, pruned tensors and state-dict keys agree."""
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, value in theirs.named_buffers():
        np.testing.assert_array_equal(getattr(ours, name).numpy(), value.numpy())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())


def forward_backward(torch, ours, theirs):
    """One forward and backward on both; the outputs and weight_orig's gradients agree."""
    x = np.random.default_rng(9).standard_normal((2, 2, 5, 5))
    y, yt = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    (y ** 2).sum().backward()
    (yt ** 2).sum().backward()
    np.testing.assert_allclose(ours.weight_orig.grad, theirs.weight_orig.grad.numpy(),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("amount", [0.3, 5, 0, 1.0])
def test_l1_unstructured_prunes_as_torch(torch, amount):
    ours, theirs = conv_pair(torch)
    assert prune.l1_unstructured(ours, "weight", amount=amount) is ours
    torch.nn.utils.prune.l1_unstructured(theirs, "weight", amount=amount)
    assert_same_pruning(ours, theirs)
    assert [type(h).__name__ for h in ours._forward_pre_hooks.values()] == ["L1Unstructured"]
    forward_backward(torch, ours, theirs)


@pytest.mark.parametrize("n, dim, amount", [(2, 0, 0.5), (1, 1, 1), (float("inf"), -1, 2),
                                            (0, 0, 0), (3, 0, 0.25)])
def test_ln_structured_prunes_as_torch(torch, n, dim, amount):
    ours, theirs = conv_pair(torch, seed=1)
    prune.ln_structured(ours, "weight", amount=amount, n=n, dim=dim)
    torch.nn.utils.prune.ln_structured(theirs, "weight", amount=amount, n=n, dim=dim)
    assert_same_pruning(ours, theirs)


def test_iterative_pruning_combines_masks_in_a_container_as_torch(torch):
    ours, theirs = conv_pair(torch, seed=2)
    for lib, module in ((prune, ours), (torch.nn.utils.prune, theirs)):
        lib.l1_unstructured(module, "weight", amount=0.3)
        lib.ln_structured(module, "weight", amount=0.5, n=2, dim=0)
        lib.l1_unstructured(module, "weight", amount=4)
        lib.l1_unstructured(module, "bias", amount=1)
    assert_same_pruning(ours, theirs)
    hooks = [h for h in ours._forward_pre_hooks.values()]
    assert [h._tensor_name for h in hooks] == ["weight", "bias"]
    assert isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 3
    assert [type(m).__name__ for m in hooks[0]] == ["L1Unstructured", "LnStructured",
                                                   "L1Unstructured"]
    forward_backward(torch, ours, theirs)


def test_importance_scores_and_custom_from_mask_as_torch(torch):
    ours, theirs = conv_pair(torch, seed=3)
    scores = np.random.default_rng(4).standard_normal(ours.weight.shape)
    mask = (np.random.default_rng(5).random(4) > 0.5).astype(np.float64)
    prune.l1_unstructured(ours, "weight", 0.4, importance_scores=ag.tensor(scores))
    prune.custom_from_mask(ours, "bias", mask=ag.tensor(mask))
    torch.nn.utils.prune.l1_unstructured(theirs, "weight", 0.4,
                                         importance_scores=torch.tensor(scores))
    torch.nn.utils.prune.custom_from_mask(theirs, "bias", mask=torch.tensor(mask))
    assert_same_pruning(ours, theirs)


def test_global_unstructured_ranks_all_tensors_together_as_torch(torch):
    (c1, t1), (c2, t2) = conv_pair(torch, 6), conv_pair(torch, 7)
    prune.l1_unstructured(c1, "weight", 0.5)  # already pruned: its mask is kept
    torch.nn.utils.prune.l1_unstructured(t1, "weight", 0.5)
    prune.global_unstructured(((c1, "weight"), (c2, "weight"), (c2, "bias")),
                              pruning_method=prune.L1Unstructured, amount=0.4)
    torch.nn.utils.prune.global_unstructured(
        ((t1, "weight"), (t2, "weight"), (t2, "bias")),
        pruning_method=torch.nn.utils.prune.L1Unstructured, amount=0.4)
    assert_same_pruning(c1, t1)
    assert_same_pruning(c2, t2)
    assert type(list(c2._forward_pre_hooks.values())[0]).__name__ == "CustomFromMask"


def test_global_unstructured_with_importance_scores_as_torch(torch):
    (c1, t1), (c2, t2) = conv_pair(torch, 12), conv_pair(torch, 13)
    rng = np.random.default_rng(14)
    s1, s2 = rng.standard_normal(c1.weight.shape), rng.standard_normal(c2.bias.shape)
    prune.global_unstructured([(c1, "weight"), (c2, "bias")], prune.L1Unstructured,
                              importance_scores={(c1, "weight"): ag.tensor(s1),
                                                 (c2, "bias"): ag.tensor(s2)}, amount=30)
    torch.nn.utils.prune.global_unstructured(
        [(t1, "weight"), (t2, "bias")], torch.nn.utils.prune.L1Unstructured,
        importance_scores={(t1, "weight"): torch.tensor(s1), (t2, "bias"): torch.tensor(s2)},
        amount=30)
    assert_same_pruning(c1, t1)
    np.testing.assert_array_equal(c2.bias_mask.numpy(), t2.bias_mask.numpy())


def test_remove_makes_pruning_permanent_as_torch(torch):
    ours, theirs = conv_pair(torch, seed=8)
    weight_orig = None
    for lib, module in ((prune, ours), (torch.nn.utils.prune, theirs)):
        lib.l1_unstructured(module, "weight", amount=0.5)
        weight_orig = module.weight_orig
        assert lib.is_pruned(module)
        assert lib.remove(module, "weight") is module
        assert not lib.is_pruned(module) and module.weight is weight_orig
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    assert len(ours._forward_pre_hooks) == 0


class _EveryOtherTorch:  # the tutorial's FooBarPruningMethod, made per library
    @staticmethod
    def make(base):
        class FooBarPruningMethod(base):
            """Prune every other entry in a tensor."""
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask
        return FooBarPruningMethod


def test_custom_pruning_method_subclass_as_torch(torch):
    ours, theirs = conv_pair(torch, seed=10)
    for lib, module in ((prune, ours), (torch.nn.utils.prune, theirs)):
        lib.l1_unstructured(module, "bias", amount=1)
        _EveryOtherTorch.make(lib.BasePruningMethod).apply(module, "bias")
        _EveryOtherTorch.make(lib.BasePruningMethod).apply(module, "weight")
    assert_same_pruning(ours, theirs)
    np.testing.assert_array_equal(ours.bias_mask.numpy(), theirs.bias_mask.numpy())
    t = ag.tensor(np.arange(1.0, 7.0))
    pruned = _EveryOtherTorch.make(prune.BasePruningMethod)().prune(t)
    np.testing.assert_array_equal(pruned.numpy(), [0, 2, 0, 4, 0, 6])


@pytest.mark.parametrize("amount, count", [(0.3, 22), (7, 7)])
def test_random_unstructured_prunes_amount_entries(amount, count):
    module = nn.Conv2d(2, 4, 3)
    weight = module.weight
    prune.random_unstructured(module, "weight", amount=amount)
    assert module.weight_orig is weight and "weight" not in dict(module.named_parameters())
    assert int((module.weight_mask == 0).sum()) == count  # round(0.3 * 72) = 22
    np.testing.assert_array_equal(module.weight.detach().numpy(),
                                  weight.data * module.weight_mask.numpy())
    prune.random_unstructured(module, "weight", amount=0.5)  # half of the kept ones more
    assert int((module.weight_mask == 0).sum()) == count + round(0.5 * (72 - count))


def test_random_structured_prunes_whole_slices():
    module = nn.Conv2d(2, 6, 3)
    prune.random_structured(module, "weight", amount=2, dim=0)
    zeroed = (module.weight_mask.numpy() == 0).all(axis=(1, 2, 3))
    kept = (module.weight_mask.numpy() == 1).all(axis=(1, 2, 3))
    assert zeroed.sum() == 2 and kept.sum() == 4


def test_pruning_errors_are_named():
    module = nn.Linear(3, 2)
    with pytest.raises(ConfigError, match="amount"):
        prune.l1_unstructured(module, "weight", amount=1.5)
    with pytest.raises(ArgumentTypeError, match="amount"):
        prune.l1_unstructured(module, "weight", amount="half")
    with pytest.raises(ConfigError, match="more than"):
        prune.l1_unstructured(module, "weight", amount=7)
    assert isinstance(module.weight, nn.Parameter)  # a failed apply leaves it as it was
    with pytest.raises(ShapeError, match="unstructured"):
        prune.ln_structured(module, "bias", amount=1, n=2, dim=0)
    with pytest.raises(ConfigError, match="not pruned"):
        prune.remove(module, "weight")
    with pytest.raises(ConfigError, match="unstructured"):
        prune.global_unstructured([(module, "weight")], prune.LnStructured, amount=1, n=2)
    with pytest.raises(ArgumentTypeError, match="no tensor 'kernel'"):
        prune.l1_unstructured(module, "kernel", amount=1)


def test_pruned_checkpoint_loads_into_an_identity_pruned_model_as_torch(torch):
    ours, theirs = conv_pair(torch, seed=11)
    torch.nn.utils.prune.ln_structured(theirs, "weight", amount=2, n=1, dim=0)
    prune.identity(ours, "weight")  # the usual way to load a pruned state dict
    assert ours.weight_mask.numpy().all()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    forward_backward(torch, ours, theirs)  # the hook applies the loaded mask


def test_random_masks_follow_manual_seed_and_ties_go_in_order():
    masks = []
    for _ in range(2):
        ag.manual_seed(3)
        module = nn.Linear(5, 4)
        prune.random_unstructured(module, "weight", amount=0.5)
        masks.append(module.weight_mask.numpy())
    np.testing.assert_array_equal(masks[0], masks[1])
    norm = nn.LayerNorm(6)  # a weight of ones: every score ties
    prune.l1_unstructured(norm, "weight", amount=2)
    np.testing.assert_array_equal(norm.weight_mask.numpy(), [0, 0, 1, 1, 1, 1])


def test_a_pruning_method_without_compute_mask_cannot_be_made():
    class Unfinished(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

    with pytest.raises(TypeError, match="abstract"):
        Unfinished.apply(nn.Linear(2, 2), "weight")


def test_loading_a_pruned_checkpoint_into_an_unpruned_model_says_what_to_do():
    saved = nn.Sequential(nn.Linear(3, 2))
    prune.l1_unstructured(saved[0], "weight", amount=0.5)
    with pytest.raises(nn.StateDictError, match=r"pruned.*prune.identity\(module, 'weight'\)"):
        nn.Sequential(nn.Linear(3, 2)).load_state_dict(saved.state_dict())


def test_a_failed_second_pruning_leaves_the_first_in_place():
    module = nn.Linear(4, 3)
    prune.l1_unstructured(module, "weight", amount=6)
    hooks, mask = dict(module._forward_pre_hooks), module.weight_mask.numpy().copy()
    with pytest.raises(ConfigError, match="more than the 6"):
        prune.l1_unstructured(module, "weight", amount=7)  # only 6 entries are left
    assert dict(module._forward_pre_hooks) == hooks
    np.testing.assert_array_equal(module.weight_mask.numpy(), mask)
    x = ag.ones(1, 4)
    np.testing.assert_allclose(module(x).detach().numpy(),
                               x.numpy() @ (module.weight_orig.data * mask).T + module.bias.data)
    container = prune.PruningContainer(prune.Identity(), prune.L1Unstructured(1))
    assert len(container) == 2 and container._tensor_name is None
