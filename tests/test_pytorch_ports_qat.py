"""Quantization-aware training as its readers write it, ported: the fake quantizer and
observers of ``torch/ao/quantization`` written out (``MovingAverageMinMaxObserver``
tracking ``torch.aminmax`` in float32 buffers, ``PerChannelMinMaxObserver`` with
``x.transpose(0, ch_axis).flatten(start_dim=1)``, ``calculate_qparams``, ``FakeQuantize``
with its uint8 ``observer_enabled``/``fake_quant_enabled`` switches, ``resize_`` and
``copy_`` of the qparams, ``torch.fake_quantize_per_channel_affine`` for the weights and
``torch.fake_quantize_per_tensor_affine`` for the activations), the QAT layers of
``torch.ao.nn.qat`` (``self._conv_forward(input, self.weight_fake_quant(self.weight),
self.bias)``, ``F.linear``), and LSQ's learned step size (the lsq-net repository's
``grad_scale`` and ``round_pass``: ``(y - y_grad).detach() + y_grad``) next to a
``torch.autograd.Function`` straight-through round. Trained on scikit-learn's digits with
``SGD(momentum=0.9)``, then the observers frozen (``model.apply(disable_observer)``), the
model evaluated and its weights converted to int8 by hand. Written once for a library
``torch``, it runs step for step next to PyTorch (float64).

Missing here, fixed: ``torch.fake_quantize_per_tensor_affine``,
``torch.fake_quantize_per_channel_affine``, ``torch.aminmax`` and ``Conv2d._conv_forward``.

Tolerance: PyTorch computes the per-tensor fake quantization of a float64 tensor as
``(q - z) * scale`` in float32 (ours is exact in float64), so its activations are off by
float32 rounding: losses, gradients and parameters agree to 1e-6 (the per-channel weights,
computed in float64 by both, agree exactly at the start). Every rounding decision is the
same in both (PyTorch's float32 reciprocal of the scale is used here too).

Lines written differently here: ``torch.autograd.Function`` is ``autograd.Function`` (this
package is torch.autograd's counterpart), so the program takes it as ``Function``. The
test's glue (marked) loads our
initial weights into PyTorch's model and records each optimizer step.
"""

import numpy as np

from pytorch_examples_helpers import assert_steps, digits, record_steps
from test_pytorch_ports_resnet import libraries


def qat_program(torch, nn, F, Function):
    """The program's definitions for the library ``torch`` (``Function``: its
    ``torch.autograd.Function``)."""
    class MovingAverageMinMaxObserver(nn.Module):
        def __init__(self, averaging_constant=0.01, quant_min=0, quant_max=255):
            super().__init__()
            self.averaging_constant = averaging_constant
            self.quant_min, self.quant_max = quant_min, quant_max
            self.eps = torch.finfo(torch.float32).eps
            self.register_buffer("min_val", torch.tensor(float("inf")))
            self.register_buffer("max_val", torch.tensor(float("-inf")))

        def forward(self, x_orig):
            if x_orig.numel() == 0:
                return x_orig
            x = x_orig.detach()  # avoid keeping autograd tape
            x = x.to(self.min_val.dtype)
            min_val = self.min_val
            max_val = self.max_val
            if min_val == float("inf") and max_val == float("-inf"):
                min_val, max_val = torch.aminmax(x)
            else:
                min_val_cur, max_val_cur = torch.aminmax(x)
                min_val = min_val + self.averaging_constant * (min_val_cur - min_val)
                max_val = max_val + self.averaging_constant * (max_val_cur - max_val)
            self.min_val.copy_(min_val)
            self.max_val.copy_(max_val)
            return x_orig

        def calculate_qparams(self):
            min_val_neg = torch.min(self.min_val, torch.zeros_like(self.min_val))
            max_val_pos = torch.max(self.max_val, torch.zeros_like(self.max_val))
            scale = (max_val_pos - min_val_neg) / float(self.quant_max - self.quant_min)
            scale = torch.max(scale, torch.tensor(self.eps, dtype=scale.dtype))
            zero_point = self.quant_min - torch.round(min_val_neg / scale).to(torch.int)
            zero_point = torch.clamp(zero_point, self.quant_min, self.quant_max)
            return scale.reshape(1), zero_point.reshape(1)

    class PerChannelMinMaxObserver(nn.Module):
        """symmetric, qint8"""
        def __init__(self, ch_axis=0, quant_min=-128, quant_max=127):
            super().__init__()
            self.ch_axis = ch_axis
            self.quant_min, self.quant_max = quant_min, quant_max
            self.eps = torch.finfo(torch.float32).eps
            self.register_buffer("min_val", torch.tensor([]))
            self.register_buffer("max_val", torch.tensor([]))

        def forward(self, x_orig):
            x = x_orig.detach()  # avoid keeping autograd tape
            min_val = self.min_val
            max_val = self.max_val
            x_dim = x.size()
            new_axis_list = [i for i in range(len(x_dim))]  # noqa: C416
            new_axis_list[self.ch_axis] = 0
            new_axis_list[0] = self.ch_axis
            y = x.permute(new_axis_list)
            y = y.to(self.min_val.dtype)
            y = torch.flatten(y, start_dim=1)
            if min_val.numel() == 0 or max_val.numel() == 0:
                min_val, max_val = torch.aminmax(y, dim=1)
            else:
                min_val_cur, max_val_cur = torch.aminmax(y, dim=1)
                min_val = torch.min(min_val_cur, min_val)
                max_val = torch.max(max_val_cur, max_val)
            self.min_val.resize_(min_val.shape)
            self.max_val.resize_(max_val.shape)
            self.min_val.copy_(min_val)
            self.max_val.copy_(max_val)
            return x_orig

        def calculate_qparams(self):
            min_val_neg = torch.min(self.min_val, torch.zeros_like(self.min_val))
            max_val_pos = torch.max(self.max_val, torch.zeros_like(self.max_val))
            max_val_pos = torch.max(-min_val_neg, max_val_pos)
            scale = max_val_pos / (float(self.quant_max - self.quant_min) / 2)
            scale = torch.max(scale, torch.tensor(self.eps, dtype=scale.dtype))
            zero_point = torch.zeros(min_val_neg.size(), dtype=torch.int64)
            return scale, zero_point

    class FakeQuantize(nn.Module):
        def __init__(self, observer, quant_min, quant_max, ch_axis=None):
            super().__init__()
            self.activation_post_process = observer
            self.quant_min, self.quant_max = quant_min, quant_max
            self.ch_axis = ch_axis
            self.is_per_channel = ch_axis is not None
            self.register_buffer("fake_quant_enabled", torch.tensor([1], dtype=torch.uint8))
            self.register_buffer("observer_enabled", torch.tensor([1], dtype=torch.uint8))
            self.register_buffer("scale", torch.tensor([1.0], dtype=torch.float))
            self.register_buffer("zero_point", torch.tensor([0], dtype=torch.int))

        def disable_observer(self):
            self.observer_enabled[0] = 0

        def calculate_qparams(self):
            return self.activation_post_process.calculate_qparams()

        def forward(self, X):
            if self.observer_enabled[0] == 1:
                self.activation_post_process(X.detach())
                _scale, _zero_point = self.calculate_qparams()
                if self.scale.shape != _scale.shape:
                    self.scale.resize_(_scale.shape)
                    self.zero_point.resize_(_zero_point.shape)
                self.scale.copy_(_scale)
                self.zero_point.copy_(_zero_point)

            if self.fake_quant_enabled[0] == 1:
                if self.is_per_channel:
                    X = torch.fake_quantize_per_channel_affine(
                        X, self.scale, self.zero_point, self.ch_axis, self.quant_min,
                        self.quant_max)
                else:
                    X = torch.fake_quantize_per_tensor_affine(
                        X, self.scale, self.zero_point, self.quant_min, self.quant_max)
            return X

    def default_fake_quant():
        return FakeQuantize(MovingAverageMinMaxObserver(), 0, 255)

    def default_per_channel_weight_fake_quant():
        return FakeQuantize(PerChannelMinMaxObserver(), -128, 127, ch_axis=0)

    def disable_observer(mod):
        if isinstance(mod, FakeQuantize):
            mod.disable_observer()

    class Conv2d(nn.Conv2d):
        """torch.ao.nn.qat.Conv2d"""
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.weight_fake_quant = default_per_channel_weight_fake_quant()

        def forward(self, input):
            return self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias)

    class Linear(nn.Linear):
        """torch.ao.nn.qat.Linear"""
        def __init__(self, in_features, out_features, bias=True):
            super().__init__(in_features, out_features, bias)
            self.weight_fake_quant = default_per_channel_weight_fake_quant()

        def forward(self, input):
            return F.linear(input, self.weight_fake_quant(self.weight), self.bias)

    class RoundSTE(Function):  # torch.autograd.Function
        @staticmethod
        def forward(ctx, x):
            return torch.round(x)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    def grad_scale(x, scale):
        y = x
        y_grad = x * scale
        return (y - y_grad).detach() + y_grad

    def round_pass(x):
        y = x.round()
        y_grad = x
        return (y - y_grad).detach() + y_grad

    class LsqQuan(nn.Module):
        """lsq-net's activation quantizer (unsigned), learned step size s"""
        def __init__(self, bit, per_channel=False):
            super().__init__()
            self.thd_neg, self.thd_pos = 0, 2 ** bit - 1
            self.s = nn.Parameter(torch.ones(1) * 0.5)

        def forward(self, x):
            s_grad_scale = 1.0 / ((self.thd_pos * x.numel()) ** 0.5)
            s_scale = grad_scale(self.s, s_grad_scale)
            x = x / s_scale
            x = torch.clamp(x, self.thd_neg, self.thd_pos)
            x = round_pass(x)
            x = x * s_scale
            return x

    class QuantNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = default_fake_quant()
            self.conv1 = Conv2d(1, 6, 3, padding=1)
            self.act1 = default_fake_quant()
            self.conv2 = Conv2d(6, 8, 3, stride=2)
            self.act2 = LsqQuan(bit=4)
            self.fc = Linear(8 * 3 * 3, 10)

        def forward(self, x):
            x = self.quant(x)
            x = self.act1(F.relu(self.conv1(x)))
            x = F.relu(self.conv2(x))
            x = self.act2(x)
            x = RoundSTE.apply(x * 8) / 8  # a from-scratch quantizer on the 1/8 grid
            return self.fc(torch.flatten(x, 1))

    return QuantNet, disable_observer


def run(torch, images, labels, sync, record):
    """Training, freezing the observers, evaluation and an int8 conversion."""
    torch, nn, F, optim, data, _, _ = libraries(torch)
    Function = torch.Function if hasattr(torch, "Function") else torch.autograd.Function
    torch.manual_seed(0)
    QuantNet, disable_observer = qat_program(torch, nn, F, Function)
    model = QuantNet()
    sync(model)  # the test's glue: our initial weights in both
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)),
                             batch_size=16)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    model.train()
    for epoch in range(2):
        if epoch == 1:
            model.apply(disable_observer)
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            record.append(loss.item())
    record.append(steps)
    model.eval()
    with torch.no_grad():
        record.append(model(torch.tensor(images)).numpy().copy())
        for name, buffer in model.named_buffers():
            record.append((name, buffer.numpy().astype(np.float64)))
        fq = model.conv1.weight_fake_quant
        scale = fq.scale.view(-1, 1, 1, 1)
        w_int8 = torch.clamp(torch.round(model.conv1.weight / scale), -128, 127).to(torch.int8)
        record.append(w_int8.numpy().copy())
        record.append((fq(model.conv1.weight) - w_int8.to(scale.dtype) * scale).abs().max()
                      .item())


def test_quantization_aware_training_step_for_step_as_torch(torch):
    images, labels = digits(48, lambda x: x)
    states, want, got = [], [], []
    run(None, images, labels,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}), got)
    run(torch, images, labels,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        want)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, list):
            assert_steps(a, b, rtol=1e-6, atol=1e-9)
        elif isinstance(a, tuple):
            assert a[0] == b[0]
            np.testing.assert_allclose(a[1], b[1], rtol=1e-6, atol=1e-9, err_msg=a[0])
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, err_msg=f"record {i}")
    assert got[-1] < 1e-6  # the fake-quantized weights are the int8 grid's points (float32)
    assert np.abs(got[-2]).max() <= 127
