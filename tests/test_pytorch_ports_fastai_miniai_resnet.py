"""fast.ai part 2 (course22p2), lesson 18-19's ``13_resnet`` and ``14_augment`` notebooks,
ported as their readers write them on the miniai ``Learner`` (``tests/miniai_program.py``):
ours next to PyTorch's from the same weights in float64, every summary line, metric log,
prediction and parameter agreeing to 1e-10.

Covered: ``ResBlock`` (an ``fc.noop`` function stored as a module attribute, ``AvgPool2d``
with ``ceil_mode``), ``GlobalAvgPool``, ``learn.summary()`` (forward hooks reading
``inp[0].shape``, ``*_, h, w = outp.shape``, ``numel``), the ``MixedPrecision`` callback
(``torch.autocast("cuda", ...)`` entered and left by hand, ``torch.cuda.amp.GradScaler``:
both disable themselves with a warning without a GPU, in both libraries),
``capture_preds`` with test-time augmentation (a horizontal flip by ``BatchTransformCB``,
``map(torch.cat, ...)``), ``set_seed`` and ``clean_mem``.

Lines written differently here, and why:
- ``TF.hflip`` (torchvision) is ``x.flip(-1)``; ``fc.noop`` is ``noop`` below;
- ``clean_mem`` keeps only its ``gc.collect()`` and ``torch.cuda.empty_cache()`` (the rest
  cleans IPython's history).
"""

# ruff: noqa: E701 (fast.ai's one-line `def f(self): ...` and `if x: ...`, kept as written)

import gc
import random
from functools import partial

import numpy as np
import pytest

from miniai_program import listify, miniai
from port_records import assert_same, numpy_of
from test_pytorch_ports_fastai_miniai import digits, libraries, weights_of
from test_pytorch_ports_fastai_miniai_init import initializing

# GradScaler and autocast on "cuda" disable themselves with a warning in both libraries
pytestmark = [pytest.mark.filterwarnings("ignore:.*is not available"),
              pytest.mark.filterwarnings("ignore:.*torch.cuda.amp.GradScaler")]


def noop(x=None, *args, **kwargs): return x


def resnet(torch, nn, ini):
    """The lesson's models for one library."""
    act_gr = partial(ini['GeneralRelu'], leak=0.1, sub=0.4)
    conv = ini['conv']

    def _conv_block(ni, nf, stride, act=act_gr, norm=None, ks=3):
        return nn.Sequential(conv(ni, nf, stride=1, act=act, norm=norm, ks=ks),
                             conv(nf, nf, stride=stride, act=None, norm=norm, ks=ks))

    class ResBlock(nn.Module):
        def __init__(self, ni, nf, stride=1, ks=3, act=act_gr, norm=None):
            super().__init__()
            self.convs = _conv_block(ni, nf, stride, act=act, ks=ks, norm=norm)
            self.idconv = noop if ni == nf else conv(ni, nf, ks=1, stride=1, act=None)
            self.pool = noop if stride == 1 else nn.AvgPool2d(2, ceil_mode=True)
            self.act = act()

        def forward(self, x): return self.act(self.convs(x) + self.idconv(self.pool(x)))

    class GlobalAvgPool(nn.Module):
        def forward(self, x): return x.mean((-2, -1))

    def get_model(act=nn.ReLU, nfs=(4, 8, 16), norm=nn.BatchNorm2d):
        layers = [ResBlock(1, 4, ks=5, stride=1, act=act, norm=norm)]
        layers += [ResBlock(nfs[i], nfs[i + 1], act=act, norm=norm, stride=2)
                   for i in range(len(nfs) - 1)]
        layers += [ResBlock(16, 16, act=act, norm=norm), GlobalAvgPool()]
        layers += [nn.Linear(16, 10, bias=False), nn.BatchNorm1d(10)]
        return nn.Sequential(*layers).to('cpu')

    return act_gr, get_model


def learner_extras(torch, mi):
    """``summary``, ``MixedPrecision``, ``capture_preds`` and the seeding helpers."""

    def _flops(x, h, w):
        if x.dim() < 3: return x.numel()
        if x.dim() == 4: return x.numel() * h * w

    def summary(self):
        res = '|Module|Input|Output|Num params|MFLOPS|\n|--|--|--|--|--|\n'
        totp, totf = 0, 0
        def _f(hook, mod, inp, outp):
            nonlocal res, totp, totf
            nparms = sum(o.numel() for o in mod.parameters())
            totp += nparms
            *_, h, w = outp.shape
            flops = sum(_flops(o, h, w) for o in mod.parameters()) / 1e6
            totf += flops
            res += (f'|{type(mod).__name__}|{tuple(inp[0].shape)}|{tuple(outp.shape)}|'
                    f'{nparms}|{flops:.1f}|\n')
        with mi.Hooks(self.model, _f) as hooks: self.fit(1, lr=1, cbs=mi.SingleBatchCB())  # noqa: F841
        return res + f"Tot params: {totp}; MFLOPS: {totf:.1f}"

    class MixedPrecision(mi.TrainCB):
        order = mi.DeviceCB.order + 10
        def before_fit(self, learn): self.scaler = torch.cuda.amp.GradScaler()
        def before_batch(self, learn):
            self.autocast = torch.autocast("cuda", dtype=torch.float16)
            self.autocast.__enter__()
        def after_loss(self, learn): self.autocast.__exit__(None, None, None)
        def backward(self, learn): self.scaler.scale(learn.loss).backward()
        def step(self, learn):
            self.scaler.step(learn.opt)
            self.scaler.update()

    class CapturePreds(mi.Callback):
        def before_fit(self, learn): self.all_inps, self.all_preds, self.all_targs = [], [], []
        def after_batch(self, learn):
            self.all_inps.append(mi.to_cpu(learn.batch[0]))
            self.all_preds.append(mi.to_cpu(learn.preds))
            self.all_targs.append(mi.to_cpu(learn.batch[1]))
        def after_fit(self, learn):
            self.all_preds, self.all_targs, self.all_inps = map(
                torch.cat, [self.all_preds, self.all_targs, self.all_inps])

    def capture_preds(self, cbs=None, inps=False):
        cp = CapturePreds()
        self.fit(1, train=False, cbs=[cp] + listify(cbs))
        res = cp.all_preds, cp.all_targs
        if inps: res = res + (cp.all_inps,)
        return res

    def set_seed(seed, deterministic=False):
        torch.use_deterministic_algorithms(deterministic)
        torch.manual_seed(seed)
        random.seed(seed)
        np.random.seed(seed)

    def clean_mem():
        gc.collect()
        torch.cuda.empty_cache()

    return summary, MixedPrecision, capture_preds, set_seed, clean_mem


def program(torch, nn, F, optim, data, start: dict | None) -> tuple[list, dict]:
    """The notebooks' cells; returns (records, PyTorch's initialised weights)."""
    mi = miniai(torch, nn, F, optim, data)
    ini = initializing(torch, nn, F, optim, data, nn.init)
    act_gr, get_model = resnet(torch, nn, ini)
    summary, MixedPrecision, capture_preds, set_seed, clean_mem = learner_extras(torch, mi)
    record, starts = [], {}
    x, y = digits(64)
    dls = mi.DataLoaders.from_ds(
        data.TensorDataset(torch.tensor(x[:32]), torch.tensor(y[:32])),
        data.TensorDataset(torch.tensor(x[32:]), torch.tensor(y[32:])), batch_size=16)
    iw = partial(ini['init_weights'], leaky=0.1)

    def model_named(name):
        set_seed(42)
        model = get_model(act_gr).apply(iw)
        if start is None: starts[name] = weights_of(model)
        else: model.load_state_dict(start[name])  # the test's glue: the same weights
        return model

    learn = mi.TrainLearner(model_named('summary'), dls, F.cross_entropy,
                            cbs=[mi.DeviceCB()])
    record.append(summary(learn))

    metrics = mi.MetricsCB(accuracy=mi.MulticlassAccuracy())
    opt_func = partial(optim.SGD, momentum=0.9)
    model = model_named('mixed')
    learn = mi.Learner(model, dls, F.cross_entropy, lr=0.05, opt_func=opt_func,
                       cbs=[mi.DeviceCB(), metrics, MixedPrecision()])
    learn.fit(2)
    record += [metrics.logs, weights_of(model)]

    ap1, at = capture_preds(learn)
    tfm_batch = lambda b, tfm_x=noop, tfm_y=noop: (tfm_x(b[0]), tfm_y(b[1]))  # noqa: E731
    ttacb = ini['BatchTransformCB'](partial(tfm_batch, tfm_x=lambda x: x.flip(-1)),
                                    on_train=False)
    ap2, at = capture_preds(learn, cbs=[ttacb])
    ap = torch.stack([ap1, ap2]).mean(0)
    record += [numpy_of(ap1), numpy_of(ap2), at.tolist(), numpy_of(ap),
               round((ap.argmax(1) == at).float().mean().item(), 4)]
    clean_mem()
    return record, starts


def test_miniai_resnet_summary_and_tta_match_pytorch(torch):
    want, start = program(*libraries(torch), None)
    got, _ = program(*libraries(), start)
    assert_same(got, want)
