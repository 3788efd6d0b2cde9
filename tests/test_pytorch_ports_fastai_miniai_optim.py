"""fast.ai part 2 (course22p2), lesson 18's ``12_accel_sgd`` notebook, ported as its
readers write it on the miniai ``Learner`` (``tests/miniai_program.py``): ours next to
PyTorch's from the same weights in float64, every metric log, recorded learning rate and
parameter agreeing to 1e-10.

Covered: ``SGD`` written from scratch with weight decay, and ``Momentum``, ``RMSProp`` and
``Adam`` as its subclasses (state kept as attributes of each parameter, ``p -= ...`` under
``no_grad``); the optimizer's ``param_groups`` and ``state``; ``CosineAnnealingLR`` stepped
by hand (``sched_lrs``) and per epoch (``EpochSchedCB``); ``OneCycleLR`` with ``AdamW``
per batch (``BatchSchedCB``) with ``RecorderCB`` reading ``pg['lr']`` and
``pg['betas'][0]``.

Lines written differently here, and why:
- ``p.grad.data.zero_()`` is ``p.grad.zero_()``: ``.data`` is the NumPy array here (the
  untracked escape hatch, by design), which has no ``zero_``;
- the notebook's ``plt.plot`` of the learning rates becomes a record of them.
"""

# ruff: noqa: E701 (fast.ai's one-line `def f(self): ...` and `if x: ...`, kept as written)

from functools import partial

import numpy as np

from miniai_program import miniai
from port_records import assert_same
from test_pytorch_ports_fastai_miniai import digits, libraries, weights_of
from test_pytorch_ports_fastai_miniai_init import initializing


def optimizers(torch):
    """The notebook's optimizers written from scratch, for one library."""

    class SGD:
        def __init__(self, params, lr, wd=0.):
            params = list(params)
            self.params, self.lr, self.wd = params, lr, wd
            self.i = 0

        def step(self):
            with torch.no_grad():
                for p in self.params:
                    self.reg_step(p)
                    self.opt_step(p)
            self.i += 1

        def opt_step(self, p): p -= p.grad * self.lr
        def reg_step(self, p):
            if self.wd != 0: p *= 1 - self.lr * self.wd

        def zero_grad(self):
            for p in self.params: p.grad.zero_()  # p.grad.data.zero_(): see the docstring

    class Momentum(SGD):
        def __init__(self, params, lr, wd=0., mom=0.9):
            super().__init__(params, lr=lr, wd=wd)
            self.mom = mom

        def opt_step(self, p):
            if not hasattr(p, 'grad_avg'): p.grad_avg = torch.zeros_like(p.grad)
            p.grad_avg = p.grad_avg * self.mom + p.grad * (1 - self.mom)
            p -= self.lr * p.grad_avg

    class RMSProp(SGD):
        def __init__(self, params, lr, wd=0., sqr_mom=0.99, eps=1e-5):
            super().__init__(params, lr=lr, wd=wd)
            self.sqr_mom, self.eps = sqr_mom, eps

        def opt_step(self, p):
            if not hasattr(p, 'sqr_avg'): p.sqr_avg = p.grad**2
            p.sqr_avg = p.sqr_avg * self.sqr_mom + p.grad**2 * (1 - self.sqr_mom)
            p -= self.lr * p.grad / (p.sqr_avg.sqrt() + self.eps)

    class Adam(SGD):
        def __init__(self, params, lr, wd=0., beta1=0.9, beta2=0.99, eps=1e-5):
            super().__init__(params, lr=lr, wd=wd)
            self.beta1, self.beta2, self.eps = beta1, beta2, eps

        def opt_step(self, p):
            if not hasattr(p, 'avg'): p.avg = torch.zeros_like(p.grad.data)
            if not hasattr(p, 'sqr_avg'): p.sqr_avg = torch.zeros_like(p.grad.data)
            p.avg = self.beta1 * p.avg + (1 - self.beta1) * p.grad
            unbias_avg = p.avg / (1 - (self.beta1**(self.i + 1)))
            p.sqr_avg = self.beta2 * p.sqr_avg + (1 - self.beta2) * (p.grad**2)
            unbias_sqr_avg = p.sqr_avg / (1 - (self.beta2**(self.i + 1)))
            p -= self.lr * unbias_avg / (unbias_sqr_avg + self.eps).sqrt()

    return SGD, Momentum, RMSProp, Adam


def schedulers(mi):
    """The notebook's scheduler callbacks on the miniai ``Callback``."""

    class BaseSchedCB(mi.Callback):
        def __init__(self, sched): self.sched = sched
        def before_fit(self, learn): self.schedo = self.sched(learn.opt)
        def _step(self, learn):
            if learn.training: self.schedo.step()

    class BatchSchedCB(BaseSchedCB):
        def after_batch(self, learn): self._step(learn)

    class EpochSchedCB(BaseSchedCB):
        def after_epoch(self, learn): self._step(learn)

    class RecorderCB(mi.Callback):
        def __init__(self, **d): self.d = d
        def before_fit(self, learn):
            self.recs = {k: [] for k in self.d}
            self.pg = learn.opt.param_groups[0]

        def after_batch(self, learn):
            if not learn.training: return
            for k, v in self.d.items():
                self.recs[k].append(v(self))

    return BatchSchedCB, EpochSchedCB, RecorderCB


def program(torch, nn, F, optim, data, start: dict | None) -> tuple[list, dict, dict]:
    """The notebook's cells; returns (records, the AdamW run's weights, PyTorch's
    initialised weights)."""
    mi = miniai(torch, nn, F, optim, data)
    ini = initializing(torch, nn, F, optim, data, nn.init)
    SGD, Momentum, RMSProp, Adam = optimizers(torch)
    BatchSchedCB, EpochSchedCB, RecorderCB = schedulers(mi)
    record, starts = [], {}
    x, y = digits(96)
    dls = mi.DataLoaders.from_ds(
        data.TensorDataset(torch.tensor(x[:64]), torch.tensor(y[:64])),
        data.TensorDataset(torch.tensor(x[64:]), torch.tensor(y[64:])), batch_size=16)
    xb, _ = next(iter(dls.train))
    xmean, xstd = xb.mean(), xb.std(correction=1)  # .std(): see miniai_program.py
    norm = ini['BatchTransformCB'](lambda b: ((b[0] - xmean) / xstd, b[1]))
    act_gr = partial(ini['GeneralRelu'], leak=0.1, sub=0.4)
    iw = partial(ini['init_weights'], leaky=0.1)

    def get_model(name):
        torch.manual_seed(1)
        model = ini['get_model'](act_gr, norm=nn.BatchNorm2d).apply(iw)
        if start is None: starts[name] = weights_of(model)
        else: model.load_state_dict(start[name])  # the test's glue: the same weights
        return model

    def fit(name, opt_func, lr, epochs=1, extra=()):
        metrics = mi.MetricsCB(accuracy=mi.MulticlassAccuracy())
        model = get_model(name)
        learn = mi.TrainLearner(model, dls, F.cross_entropy, lr=lr,
                                cbs=[mi.DeviceCB(), metrics, norm, *extra], opt_func=opt_func)
        learn.fit(epochs)
        record.extend([metrics.logs, weights_of(model)])
        return learn

    fit('sgd', partial(SGD, wd=0.01), lr=0.4)
    fit('momentum', partial(Momentum, wd=0.01), lr=0.1)
    fit('rmsprop', partial(RMSProp, wd=0.01), lr=3e-3)
    learn = fit('adam', Adam, lr=6e-3, epochs=2)
    record.append(learn.opt.i)

    # the optimizer's param groups and state, and a scheduler stepped by hand
    learn = mi.TrainLearner(get_model('sched'), dls, F.cross_entropy, lr=0.1,
                            cbs=[mi.DeviceCB(), mi.SingleBatchCB(), mi.TrainCB()])
    learn.fit(1)
    opt = learn.opt
    param = next(iter(learn.model.parameters()))
    st = opt.state[param]
    pg = opt.param_groups[0]
    record += [dict(st), len(opt.param_groups), pg['lr'], pg['momentum'], pg['weight_decay'],
               {'params', 'lr', 'momentum', 'weight_decay'} <= set(pg)]
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, 100)
    record += [sched.base_lrs, sched.get_last_lr()]

    def sched_lrs(sched, steps):
        lrs = [sched.get_last_lr()]
        for i in range(steps):
            sched.optimizer.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        return lrs

    record.append(sched_lrs(sched, 110))

    # 1cycle with AdamW per batch, recording lr and beta1; cosine annealing per epoch
    def _lr(cb): return cb.pg['lr']
    def _beta1(cb): return cb.pg['betas'][0]
    rec = RecorderCB(lr=_lr, mom=_beta1)
    epochs, lr = 2, 1e-2
    tmax = epochs * len(dls.train)
    sched = partial(optim.lr_scheduler.OneCycleLR, max_lr=lr, total_steps=tmax)
    fit('one_cycle', optim.AdamW, lr, epochs, [BatchSchedCB(sched), rec])
    record.append(rec.recs)
    # The course's conv tests isinstance(norm, nn.BatchNorm2d) of the class itself, so
    # each conv before a BatchNorm has a bias, which the BatchNorm's mean takes away: its
    # true gradient is 0, the computed one rounding noise (~1e-17), which AdamW's
    # eps=1e-8 turns into steps of ~1e-11 (they reach the running means too): these
    # weights are compared to 1e-9.
    near_noise = record.pop(-2)
    rec = RecorderCB(lr=_lr)
    sched = partial(optim.lr_scheduler.CosineAnnealingLR, T_max=epochs)
    fit('cosine', partial(optim.SGD, momentum=0.9), 0.1, epochs, [EpochSchedCB(sched), rec])
    record.append(rec.recs)
    return record, near_noise, starts


def test_miniai_optimizers_and_schedulers_match_pytorch(torch):
    want, want_near_noise, start = program(*libraries(torch), None)
    got, got_near_noise, _ = program(*libraries(), start)
    assert_same(got, want)
    assert list(got_near_noise) == list(want_near_noise)
    for name, value in want_near_noise.items():
        np.testing.assert_allclose(got_near_noise[name], value, rtol=1e-9, atol=1e-9,
                                   err_msg=name)
