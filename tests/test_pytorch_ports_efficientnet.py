"""torchvision's EfficientNet (``torchvision/models/efficientnet.py`` and
``torchvision/ops``), shrunk and ported as its readers write it: ``MBConv`` (an expanding
1x1 ``Conv2dNormActivation``, the depthwise ``groups=expanded_channels`` convolution,
``SqueezeExcitation(..., activation=partial(nn.SiLU, inplace=True))``, a linear 1x1
projection, ``result = self.stochastic_depth(result); result += input``), the
``MBConvConfig`` dataclass with ``_make_divisible`` widths and ``copy.copy`` per block,
``StochasticDepth(p, "row")`` (``torch.empty(size, dtype=..., device=...)
.bernoulli_(survival_rate)``, ``noise.div_(survival_rate)``) with the linearly growing
``sd_prob``, ``ConvNormActivation``'s padding and ``bias = norm_layer is None``,
``norm_layer=partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)``, the classifier's
``nn.Dropout(p=dropout, inplace=True)`` and the init loop (``kaiming_normal_(mode=
"fan_out")``, ``uniform_(-init_range, init_range)``). Trained as torchvision's reference
script does: ``RMSprop(alpha=0.9, eps=0.0316, momentum=0.9)``, ``label_smoothing=0.1``,
weight decay without the norms' parameters, and ``ExponentialMovingAverage`` (an
``AveragedModel`` with ``use_buffers=True``) evaluated at the end. Written once for a
library ``torch``, it runs step for step next to PyTorch (float64) on scikit-learn's
digits: losses, gradients, parameters, running statistics and outputs agree to 1e-10.

The model's definitions are in ``efficientnet_program.py``. Lines written differently
here: none in the program, which reads ``torch.nn`` and ``torch.optim`` (``nn`` and
``nn.optim`` here: our run's ``torch`` is autograd with the two packages added). The
test's glue (marked) loads our initial weights into PyTorch's model, makes PyTorch's
dropout and stochastic depth keep the rows ours kept (``bernoulli_`` draws from each
library's own generator), and records each optimizer step.
"""

from functools import partial

import numpy as np

from efficientnet_program import efficientnet
from pytorch_examples_helpers import assert_steps, digits, record_dropout, record_steps
from test_pytorch_ports_resnet import libraries


class WithPackages:
    """autograd as a script reads ``torch``, with ``torch.nn`` and ``torch.optim`` added
    (they are the packages ``nn`` and ``nn.optim`` here)."""

    def __init__(self, T, **packages) -> None:
        self._T = T
        self.__dict__.update(packages)

    def __getattr__(self, name: str):
        return getattr(self._T, name)


def set_weight_decay(torch, model, weight_decay, norm_weight_decay=None, norm_classes=None):
    """torchvision's references/classification/utils.py (without custom keys)."""
    if not norm_classes:
        norm_classes = [
            torch.nn.modules.batchnorm._BatchNorm,
            torch.nn.LayerNorm,
            torch.nn.GroupNorm,
            torch.nn.modules.instancenorm._InstanceNorm,
            torch.nn.LocalResponseNorm,
        ]
    norm_classes = tuple(norm_classes)

    params = {"other": [], "norm": []}
    params_weight_decay = {"other": weight_decay, "norm": norm_weight_decay}

    def _add_params(module, prefix=""):
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            if norm_weight_decay is not None and isinstance(module, norm_classes):
                params["norm"].append(p)
            else:
                params["other"].append(p)

        for child_name, child_module in module.named_children():
            child_prefix = f"{prefix}.{child_name}" if prefix != "" else child_name
            _add_params(child_module, prefix=child_prefix)

    _add_params(model)

    param_groups = []
    for key in params:
        if len(params[key]) > 0:
            param_groups.append({"params": params[key], "weight_decay": params_weight_decay[key]})
    return param_groups


def ema_class(torch):
    class ExponentialMovingAverage(torch.optim.swa_utils.AveragedModel):
        """Maintains moving averages of model parameters using an exponential decay.
        ``ema_avg = decay * avg_model_param + (1 - decay) * model_param``"""

        def __init__(self, model, decay, device="cpu"):
            def ema_avg(avg_model_param, model_param, num_averaged):
                return decay * avg_model_param + (1 - decay) * model_param

            super().__init__(model, device, ema_avg, use_buffers=True)

    return ExponentialMovingAverage


def replay_inplace_dropout(torch, model, masks: list) -> None:
    """The test's glue: make PyTorch's ``Dropout(inplace=True)`` keep what ours kept. It
    overwrites its input, which its forward hook then sees: the input is copied first."""
    copies = []

    def keep(module, inputs):
        if module.training:
            copies.append(inputs[0].clone())

    def replay(module, inputs, output):
        if module.training:
            mask = torch.tensor(masks.pop(0), dtype=output.dtype)
            return copies.pop() * (mask / (1 - module.p))
        return None

    for module in model.modules():
        if type(module).__name__ == "Dropout":
            module.register_forward_pre_hook(keep)
            module.register_forward_hook(replay)


def stochastic_depth_glue(torch, StochasticDepth, model, masks, replay):
    """The test's glue: record which rows each ``StochasticDepth`` kept (ours), or make
    PyTorch's keep those: ``input * mask / (1 - p)``."""
    def hook(module, inputs, output):
        if not module.training or module.p == 0.0:
            return None
        rows = inputs[0].shape[0]
        if replay:
            mask = torch.tensor(masks.pop(0), dtype=inputs[0].dtype).reshape(rows, 1, 1, 1)
            return inputs[0] * (mask / (1.0 - module.p))
        masks.append((output.detach().numpy().reshape(rows, -1) != 0).any(axis=1))
        return None

    for module in model.modules():
        if isinstance(module, StochasticDepth):
            module.register_forward_hook(hook)


def run(torch, images, labels, sync, masks, record):
    """The reference script's training and the EMA model's evaluation."""
    ours = torch is None
    torch, nn, F, optim, data, _, _ = libraries(torch)
    if ours:  # the program reads torch.nn and torch.optim: nn and nn.optim here
        torch = WithPackages(torch, nn=nn, optim=optim)
    torch.manual_seed(0)
    EfficientNet, MBConvConfig, StochasticDepth = efficientnet(torch, nn, torch.Tensor)
    setting = [MBConvConfig(1, 3, 1, 8, 8, 1), MBConvConfig(4, 3, 2, 8, 12, 2),
               MBConvConfig(4, 5, 1, 12, 16, 2)]
    model = EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.6, num_classes=10,
                         norm_layer=partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01),
                         last_channel=32, in_channels=1)
    record.append([name for name, _ in model.named_parameters()])
    sync(model)  # the test's glue: our initial weights in both
    dropout_masks, depth_masks = masks
    if ours:  # the test's glue: PyTorch's run keeps what ours kept
        record_dropout(model, dropout_masks)
    else:
        replay_inplace_dropout(torch, model, dropout_masks)
    stochastic_depth_glue(torch, StochasticDepth, model, depth_masks, replay=not ours)

    parameters = set_weight_decay(torch, model, 1e-5, norm_weight_decay=0.0)
    optimizer = torch.optim.RMSprop(parameters, lr=0.01, momentum=0.9, weight_decay=1e-5,
                                    eps=0.0316, alpha=0.9)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    model_ema = ema_class(torch)(model, decay=0.9)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)),
                             batch_size=12)
    model.train()
    for i, (image, target) in enumerate(loader):
        output = model(image)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model_ema.update_parameters(model)
        record.append(loss.item())
    record.append(steps)
    model_ema.eval()
    with torch.inference_mode():
        record.append(model_ema(torch.tensor(images)).numpy().copy())
    record.append({k: v.numpy().copy() for k, v in model_ema.state_dict().items()})


def test_efficientnet_trains_step_for_step_as_torch(torch):
    images, labels = digits(36, lambda x: x)
    states, masks, want, got = [], ([], []), [], []
    run(None, images, labels,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}), masks, got)
    assert masks[0] and len(masks[1]) == 2 * 3  # 2 residual blocks with p > 0 x 3 steps
    assert 0 < sum(int(mask.sum()) for mask in masks[1]) < 2 * 36
    run(torch, images, labels,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        masks, want)
    assert not masks[0] and not masks[1] and not states and len(got) == len(want)
    assert got[0] == want[0]
    for i, (a, b) in enumerate(zip(got[1:], want[1:])):
        if isinstance(a, dict):
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-12,
                                           err_msg=key)
        elif isinstance(a, list):
            assert_steps(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
