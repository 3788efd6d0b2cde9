"""Microsoft's ``loralib`` (the LoRA paper's implementation) as its README uses it:
``lora.Embedding``, ``lora.Linear`` (with ``fan_in_fan_out``), ``lora.MergedLinear``
(LoRA on the q and v thirds of one qkv projection: ``merge_AB`` by a grouped
``F.conv1d``, ``zero_pad`` writing through a boolean row mask made by
``lora_ind[enable_lora, :] = True``) and ``lora.Conv2d`` replace the
layers of a pretrained model, ``lora.mark_only_lora_as_trainable`` freezes the rest,
``model.eval()`` merges ``B A * alpha / r`` into the frozen weights through
``self.weight.data += ...`` in each layer's ``train`` override, ``model.train()``
unmerges, and ``lora.lora_state_dict`` saves only the LoRA parameters. Trained a few
AdamW steps next to PyTorch from the same weights (float64): losses, gradients, merged
weights and outputs agree to 1e-10. Then Sebastian Raschka's "LoRA from scratch" (a
``LoRALayer`` of ``x @ A @ B``, ``LinearWithLoRA`` and its merged variant swapped into a
deep copy of a pretrained MLP by ``model.layers[i] = ...``, ``freeze_linear_layers``
recursing over ``children()``), trained next to PyTorch on scikit-learn's digits.

Written as in loralib: multiple inheritance from ``nn.Linear`` and ``LoRALayer`` with
``nn.Linear.__init__(self, ...)`` called by hand, ``reset_parameters`` overridden,
``self.weight.new_zeros``, ``result += ...`` on a graph tensor. ``Embedding``'s merge
transposes ``B A`` and ``MergedLinear`` has ``merge_AB``, as loralib's current version
(the first ones' merges had shapes PyTorch refuses too).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from loralib_program import loralib
from test_pytorch_ports_gpt_lecture import assert_records, to_numpy


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def token_model(nn, F, lora, V: int = 11, D: int = 6):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lora.Embedding(V, D, r=2)
            self.qkv = lora.MergedLinear(D, 3 * D, r=2, enable_lora=[True, False, True])
            self.head = lora.Linear(3 * D, V, r=2, lora_alpha=4)

        def forward(self, idx):
            return self.head(F.relu(self.qkv(self.emb(idx))))

    return Net()


def image_model(nn, F, lora):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = lora.Conv2d(1, 4, 3, r=1, padding=1)
            self.fc = lora.Linear(4 * 8 * 8, 10, r=2, fan_in_fan_out=True)

        def forward(self, x):
            return self.fc(F.relu(self.conv(x)).flatten(1))

    return Net()


def finetune(torch, nn, F, optim, lora, model, x, y, bias: str) -> list:
    lora.mark_only_lora_as_trainable(model, bias=bias)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    optimizer = optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    record = [str(trainable)]
    for _ in range(3):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        record += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()
                                   if p.requires_grad]
        optimizer.step()
    with torch.no_grad():
        before = model(x)
        model.eval()  # each LoRA layer's train(False) merges B A into its weight
        merged = model(x)
        weights = [p.detach().numpy().copy() for p in model.parameters()]
        model.train()  # and train(True) takes it out again
        again = model(x)
    assert torch.allclose(before, merged) and torch.allclose(before, again)
    record += [before.numpy(), str(sorted(lora.lora_state_dict(model, bias=bias)))] + weights
    return record + [str([getattr(m, "merged", None) for m in model.modules()])]


@pytest.mark.parametrize("which, bias", [("tokens", "none"), ("tokens", "lora_only"),
                                         ("images", "all")])
def test_loralib_finetunes_as_torch(torch, which, bias):
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(0)
    if which == "tokens":
        x, y, make = rng.integers(0, 11, (5, 7)), rng.integers(0, 11, 5), token_model
        x, y = x[:, 0], y  # one token per sample: (5,) -> (5, 11) logits
    else:
        images, labels = load_digits(return_X_y=True)
        x, y, make = images[:16].reshape(16, 1, 8, 8) / 16.0, labels[:16], image_model
    runs, start = [], None
    for lib in (torch, None):
        T, nn_, F, optim = libraries(lib)
        lora = loralib(T, nn_, F)
        if lib is torch:
            torch.manual_seed(0)
        model = make(nn_, F, lora)
        if start is None:
            start = {k: v.copy() for k, v in to_numpy(model.state_dict()).items()}
            # the pretrained model's LoRA B is zero: make the first steps move A too
            for key in [k for k in start if k.endswith("lora_B")]:
                start[key] = rng.normal(0, 0.1, start[key].shape)
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
        runs.append(finetune(T, nn_, F, optim, lora, model, T.tensor(x), T.tensor(y), bias))
    theirs, ours = runs
    assert ours[0] == theirs[0] and "lora_A" in ours[0]
    assert_records(ours, theirs)


def lora_from_scratch(torch, nn, F):
    """Sebastian Raschka's "LoRA from scratch" (the paper's update, by hand): LoRALayer,
    LinearWithLoRA, LinearWithLoRAMerged and freeze_linear_layers."""

    class LoRALayer(nn.Module):
        def __init__(self, in_dim, out_dim, rank, alpha):
            super().__init__()
            std_dev = 1 / torch.sqrt(torch.tensor(rank).float())
            self.A = nn.Parameter(torch.randn(in_dim, rank) * std_dev)
            self.B = nn.Parameter(torch.zeros(rank, out_dim))
            self.alpha = alpha

        def forward(self, x):
            x = self.alpha * (x @ self.A @ self.B)
            return x

    class LinearWithLoRA(nn.Module):
        def __init__(self, linear, rank, alpha):
            super().__init__()
            self.linear = linear
            self.lora = LoRALayer(linear.in_features, linear.out_features, rank, alpha)

        def forward(self, x):
            return self.linear(x) + self.lora(x)

    class LinearWithLoRAMerged(LinearWithLoRA):
        def forward(self, x):
            lora = self.lora.A @ self.lora.B  # Combine LoRA matrices
            # Then combine LoRA with orig. weights
            combined_weight = self.linear.weight + self.lora.alpha * lora.T
            return F.linear(x, combined_weight, self.linear.bias)

    def freeze_linear_layers(model):
        for child in model.children():
            if isinstance(child, nn.Linear):
                for param in child.parameters():
                    param.requires_grad = False
            else:
                # Recursively freeze linear layers in children modules
                freeze_linear_layers(child)

    class MultilayerPerceptron(nn.Module):
        def __init__(self, num_features, num_hidden_1, num_hidden_2, num_classes):
            super().__init__()
            self.layers = nn.Sequential(
                nn.Linear(num_features, num_hidden_1), nn.ReLU(),
                nn.Linear(num_hidden_1, num_hidden_2), nn.ReLU(),
                nn.Linear(num_hidden_2, num_classes))

        def forward(self, x):
            x = self.layers(x)
            return x

    return MultilayerPerceptron, LinearWithLoRA, LinearWithLoRAMerged, freeze_linear_layers


def test_lora_from_scratch_as_torch(torch):
    import copy

    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    x, y = images[:32] / 16.0, labels[:32]
    runs, start = [], None
    for lib in (torch, None):
        T, nn_, F, optim = libraries(lib)
        MLP, LinearWithLoRA, LinearWithLoRAMerged, freeze_linear_layers = \
            lora_from_scratch(T, nn_, F)
        T.manual_seed(123)
        model_pretrained = MLP(num_features=64, num_hidden_1=16, num_hidden_2=12,
                               num_classes=10)
        model_lora = copy.deepcopy(model_pretrained)
        for i in (0, 2, 4):
            model_lora.layers[i] = (LinearWithLoRA if i else LinearWithLoRAMerged)(
                model_lora.layers[i], rank=4, alpha=8)
        if start is None:  # PyTorch's draws (its A from torch.randn), and B moved off 0
            start = {k: v.copy() for k, v in to_numpy(model_lora.state_dict()).items()}
            for key in [k for k in start if k.endswith("lora.B")]:
                start[key] = np.random.default_rng(1).normal(0, 0.1, start[key].shape)
        model_lora.load_state_dict({k: T.tensor(v) for k, v in start.items()})
        freeze_linear_layers(model_lora)
        trainable = [n for n, p in model_lora.named_parameters() if p.requires_grad]
        optimizer = optim.Adam(model_lora.parameters(), lr=0.05)
        record = [str(trainable)]
        for _ in range(3):
            logits = model_lora(T.tensor(x))
            cost = F.cross_entropy(logits, T.tensor(y))
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            record += [cost.item(), model_lora.layers[2].lora.A.detach().numpy().copy()]
        record += [p.detach().numpy().copy() for p in model_lora.parameters()]
        runs.append(record)
    theirs, ours = runs
    assert ours[0] == theirs[0] == str([f"layers.{i}.lora.{n}" for i in (0, 2, 4)
                                        for n in "AB"])
    assert_records(ours, theirs)
