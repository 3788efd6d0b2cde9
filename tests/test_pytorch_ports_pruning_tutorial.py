"""PyTorch's pruning tutorial (``intermediate_source/pruning_tutorial.py``), ported as
its reader writes it (``import nn.utils.prune as prune``): LeNet's ``conv1`` pruned at
random, its bias by L1, its weight again by L2-norm channels (a ``PruningContainer``),
the state-dict keys, ``prune.remove``; every layer of a new LeNet pruned by type;
``global_unstructured`` with the tutorial's sparsity prints; and a custom
``BasePruningMethod``. Each stage runs next to PyTorch from the same weights (LeNet
sized for scikit-learn's digits, padded to 14x14); the pruned model then trains a few
SGD steps as PyTorch's, its pruned weights staying zero.
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as F
import nn.utils.prune as prune
from test_pytorch_ports import _digits, _to_numpy


def lenet_class(lib, F):
    """The tutorial's LeNet for 1x14x14 images (14 -> 12 -> 6 -> 4 -> 2)."""
    class LeNet(lib.Module):
        def __init__(self):
            super(LeNet, self).__init__()
            self.conv1 = lib.Conv2d(1, 6, 3)
            self.conv2 = lib.Conv2d(6, 16, 3)
            self.fc1 = lib.Linear(16 * 2 * 2, 32)  # 2x2 image dimension
            self.fc2 = lib.Linear(32, 24)
            self.fc3 = lib.Linear(24, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(start_dim=1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    return LeNet


def make_models(torch):
    """(LeNet class, our model, PyTorch's model) from the same weights."""
    import torch.nn.utils.prune  # noqa: F401  (torch does not import it itself)
    theirs = lenet_class(torch.nn, torch.nn.functional)().double()
    LeNet = lenet_class(nn, F)
    ours = LeNet()
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    return LeNet, ours, theirs


def names(pairs):
    return [name for name, _ in pairs]


def same_random_draw(T, module, mask):
    """PyTorch's random draw replaced by ours, so that the next stages compare (the line
    is not the tutorial's; the weight attribute is recomputed as the hook does)."""
    with T.no_grad():
        module.weight_mask.copy_(T.tensor(mask))
    module.weight = module.weight_mask * module.weight_orig


def prune_conv1(T, prune, model, mask=None):
    """The tutorial's first stages on ``model.conv1``; what it prints, as a dict."""
    seen = {}
    module = model.conv1
    seen["params0"] = names(module.named_parameters())
    seen["buffers0"] = names(module.named_buffers())
    prune.random_unstructured(module, name="weight", amount=0.3)
    if mask is not None:
        same_random_draw(T, module, mask)
    seen["params1"] = names(module.named_parameters())
    seen["buffers1"] = names(module.named_buffers())
    seen["weight1"] = module.weight.detach().numpy().copy()
    seen["hooks1"] = [type(h).__name__ for h in module._forward_pre_hooks.values()]
    prune.l1_unstructured(module, name="bias", amount=3)
    seen["params2"] = names(module.named_parameters())
    seen["buffers2"] = names(module.named_buffers())
    seen["bias2"] = module.bias.detach().numpy().copy()
    seen["hooks2"] = [type(h).__name__ for h in module._forward_pre_hooks.values()]
    prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
    seen["weight3"] = module.weight.detach().numpy().copy()
    for hook in module._forward_pre_hooks.values():
        if hook._tensor_name == "weight":  # select out the correct hook
            break
    seen["history"] = [type(m).__name__ for m in hook]  # pruning history in the container
    seen["keys"] = list(model.state_dict().keys())
    prune.remove(module, 'weight')
    seen["params4"] = names(module.named_parameters())
    seen["buffers4"] = names(module.named_buffers())
    seen["weight4"] = module.weight.detach().numpy().copy()
    return seen


def test_pruning_a_module_step_by_step_as_torch(torch):
    _, ours, theirs = make_models(torch)
    got = prune_conv1(ag, prune, ours)
    mask = (got["weight1"] != 0).astype(np.float64)  # no initial weight is exactly 0
    assert int((mask == 0).sum()) == round(0.3 * 54)
    want = prune_conv1(torch, torch.nn.utils.prune, theirs, mask=mask)
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value, err_msg=key)
        else:
            assert got[key] == value, key
    assert got["history"] == ["RandomUnstructured", "LnStructured"]
    assert (np.abs(got["weight3"]).sum(axis=(1, 2, 3)) == 0).sum() >= 3
    assert got["params4"] == ["bias_orig", "weight"] and got["buffers4"] == ["bias_mask"]


def prune_by_type(T, lib, optim, prune, new_model, images, labels, steps: int = 3):
    """Prune every layer by its type, then train the pruned model a few SGD steps."""
    for name, module in new_model.named_modules():
        # prune 20% of connections in all 2D-conv layers
        if isinstance(module, lib.Conv2d):
            prune.l1_unstructured(module, name='weight', amount=0.2)
        # prune 40% of connections in all linear layers
        elif isinstance(module, lib.Linear):
            prune.l1_unstructured(module, name='weight', amount=0.4)
    buffers = list(dict(new_model.named_buffers()).keys())  # to verify that all masks exist
    optimizer = optim.SGD(new_model.parameters(), lr=0.1, momentum=0.9)
    x, y = T.tensor(images), T.tensor(labels)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.functional.cross_entropy(new_model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return buffers, losses


def padded_digits(n: int):
    images, labels = _digits(n, lambda a: a / 16.0)
    return np.pad(images, ((0, 0), (0, 0), (3, 3), (3, 3))), labels


def test_pruning_every_layer_by_type_then_training_as_torch(torch):
    LeNet, ours, theirs = make_models(torch)
    images, labels = padded_digits(64)
    got = prune_by_type(ag, nn, nn.optim, prune, ours, images, labels)
    want = prune_by_type(torch, torch.nn, torch.optim, torch.nn.utils.prune, theirs, images,
                         labels)
    assert got[0] == want[0] == [f"{m}.weight_mask" for m in
                                 ("conv1", "conv2", "fc1", "fc2", "fc3")]
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)
    ours(ag.tensor(images[:1]))  # the hook recomputes the pruned weights
    for module in (ours.conv1, ours.fc1):
        assert (module.weight.detach().numpy()[module.weight_mask.detach().numpy() == 0] == 0).all()


def sparsities(T, model):
    """The tutorial's sparsity prints after global pruning."""
    lines = [
        "Sparsity in {}.weight: {:.2f}%".format(
            name, 100. * float(T.sum(getattr(model, name).weight == 0))
            / float(getattr(model, name).weight.nelement()))
        for name in ("conv1", "conv2", "fc1", "fc2", "fc3")]
    lines.append("Global sparsity: {:.2f}%".format(
        100. * float(
            T.sum(model.conv1.weight == 0)
            + T.sum(model.conv2.weight == 0)
            + T.sum(model.fc1.weight == 0)
            + T.sum(model.fc2.weight == 0)
            + T.sum(model.fc3.weight == 0)
        )
        / float(
            model.conv1.weight.nelement()
            + model.conv2.weight.nelement()
            + model.fc1.weight.nelement()
            + model.fc2.weight.nelement()
            + model.fc3.weight.nelement()
        )))
    return lines


def global_pruning(T, prune, model):
    parameters_to_prune = (
        (model.conv1, 'weight'),
        (model.conv2, 'weight'),
        (model.fc1, 'weight'),
        (model.fc2, 'weight'),
        (model.fc3, 'weight'),
    )
    prune.global_unstructured(
        parameters_to_prune,
        pruning_method=prune.L1Unstructured,
        amount=0.2,
    )
    return sparsities(T, model)


def test_global_pruning_as_torch(torch):
    _, ours, theirs = make_models(torch)
    got = global_pruning(ag, prune, ours)
    want = global_pruning(torch, torch.nn.utils.prune, theirs)
    assert got == want and want[-1].startswith("Global sparsity: 20.0")
    for name, value in theirs.named_buffers():
        np.testing.assert_array_equal(dict(ours.named_buffers())[name].numpy(),
                                      value.numpy(), err_msg=name)


def foobar_class(prune):
    class FooBarPruningMethod(prune.BasePruningMethod):
        """Prune every other entry in a tensor
        """
        PRUNING_TYPE = 'unstructured'

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.flatten()[::2] = 0
            return mask

    return FooBarPruningMethod


def test_custom_pruning_function_as_torch(torch):
    LeNet, ours, theirs = make_models(torch)
    masks = []
    for lib_prune, model in ((prune, ours), (torch.nn.utils.prune, theirs)):
        FooBarPruningMethod = foobar_class(lib_prune)

        def foobar_unstructured(module, name):
            FooBarPruningMethod.apply(module, name)
            return module

        assert foobar_unstructured(model.fc3, name='bias') is model.fc3
        masks.append(model.fc3.bias_mask.numpy())
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], np.arange(10) % 2)
