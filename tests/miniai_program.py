"""fast.ai course22p2's ``miniai`` (lessons 16-18: ``learner``, ``activations``, ``init``,
``sgd``), written once for a library (``torch`` is PyTorch or ``autograd``, with its ``nn``,
``F``, ``optim`` and ``data``) as the course types it. Used by the
``test_pytorch_ports_fastai_miniai*.py`` ports.

Lines written differently here, and why:
- fastcore is not a dependency: ``fc.L(cbs)`` is ``listify(cbs)``, ``fc.store_attr()``
  assigns each argument, ``fc.filter_ex`` is a list comprehension;
- torcheval is not a dependency: ``MulticlassAccuracy`` and ``Mean`` are the small
  accumulators below, with torcheval's ``update``/``compute``/``reset``;
- ``acts.std()`` is ``acts.std(correction=1)``: a bare ``std()`` raises ``UsageError``
  here, as NumPy's divides by n and PyTorch's by n - 1 (README, "Refused on purpose");
- fastprogress and matplotlib parts (``ProgressCB``, the plots) are left out.
"""

# ruff: noqa: E701 (fast.ai's one-line `def f(self): ...` and `if x: ...`, kept as written)

import math
from functools import partial
from operator import attrgetter
from types import SimpleNamespace


def listify(o) -> list:
    """fastcore's ``L(o)``: None is empty, a list is copied, anything else is one item."""
    if o is None: return []
    return list(o) if isinstance(o, (list, tuple)) else [o]


def miniai(torch, nn, F, optim, data) -> SimpleNamespace:
    """The miniai names for one library."""

    # ---------------------------------------------------------------- metrics (torcheval)
    class MulticlassAccuracy:
        def __init__(self): self.reset()
        def reset(self): self.correct, self.total = 0., 0
        def update(self, preds, y):
            self.correct += (preds.argmax(1) == y).float().sum()
            self.total += len(y)
        def compute(self): return self.correct / self.total

    class Mean:
        def __init__(self): self.reset()
        def reset(self): self.sum, self.weight = 0., 0.
        def update(self, x, weight=1.):
            self.sum += x * weight
            self.weight += weight
        def compute(self): return self.sum / self.weight

    # ---------------------------------------------------------------- 09_learner
    class DataLoaders:
        def __init__(self, *dls): self.train, self.valid = dls[:2]

        @classmethod
        def from_ds(cls, train_ds, valid_ds, batch_size, **kwargs):
            return cls(*[data.DataLoader(ds, batch_size, **kwargs)
                         for ds in (train_ds, valid_ds)])

    class CancelFitException(Exception): pass
    class CancelBatchException(Exception): pass
    class CancelEpochException(Exception): pass

    class Callback(): order = 0

    def run_cbs(cbs, method_nm, learn=None):
        for cb in sorted(cbs, key=attrgetter('order')):
            method = getattr(cb, method_nm, None)
            if method is not None: method(learn)

    class SingleBatchCB(Callback):
        order = 1
        def after_batch(self, learn): raise CancelFitException()

    def to_cpu(x):
        if isinstance(x, dict): return {k: to_cpu(v) for k, v in x.items()}
        if isinstance(x, list): return [to_cpu(o) for o in x]
        if isinstance(x, tuple): return tuple(to_cpu(list(x)))
        res = x.detach().cpu()
        return res.float() if res.dtype == torch.float16 else res

    def to_device(x, device='cpu'):
        if isinstance(x, torch.Tensor): return x.to(device)
        if isinstance(x, dict): return {k: v.to(device) for k, v in x.items()}
        return type(x)(to_device(o, device) for o in x)

    class MetricsCB(Callback):
        def __init__(self, *ms, **metrics):
            for o in ms: metrics[type(o).__name__] = o
            self.metrics = metrics
            self.all_metrics = dict(metrics)
            self.all_metrics['loss'] = self.loss = Mean()
            self.logs = []

        def _log(self, d): self.logs.append(d)
        def before_fit(self, learn): learn.metrics = self
        def before_epoch(self, learn): [o.reset() for o in self.all_metrics.values()]

        def after_epoch(self, learn):
            log = {k: f'{v.compute():.3f}' for k, v in self.all_metrics.items()}
            log['epoch'] = learn.epoch
            log['train'] = 'train' if learn.model.training else 'eval'
            self._log(log)

        def after_batch(self, learn):
            x, y, *_ = to_cpu(learn.batch)
            for m in self.metrics.values(): m.update(to_cpu(learn.preds), y)
            self.loss.update(to_cpu(learn.loss), weight=len(x))

    class DeviceCB(Callback):
        def __init__(self, device='cpu'): self.device = device
        def before_fit(self, learn):
            if hasattr(learn.model, 'to'): learn.model.to(self.device)
        def before_batch(self, learn): learn.batch = to_device(learn.batch, device=self.device)

    class with_cbs:
        def __init__(self, nm): self.nm = nm
        def __call__(self, f):
            def _f(o, *args, **kwargs):
                try:
                    o.callback(f'before_{self.nm}')
                    f(o, *args, **kwargs)
                    o.callback(f'after_{self.nm}')
                except exceptions[f'Cancel{self.nm.title()}Exception']: pass
                finally: o.callback(f'cleanup_{self.nm}')
            return _f

    exceptions = {'CancelFitException': CancelFitException,
                  'CancelEpochException': CancelEpochException,
                  'CancelBatchException': CancelBatchException}

    class Learner():
        def __init__(self, model, dls=(0,), loss_func=F.mse_loss, lr=0.1, cbs=None,
                     opt_func=optim.SGD):
            cbs = listify(cbs)
            self.model, self.dls, self.loss_func = model, dls, loss_func
            self.lr, self.cbs, self.opt_func = lr, cbs, opt_func

        @with_cbs('batch')
        def _one_batch(self):
            self.predict()
            self.callback('after_predict')
            self.get_loss()
            self.callback('after_loss')
            if self.training:
                self.backward()
                self.callback('after_backward')
                self.step()
                self.callback('after_step')
                self.zero_grad()

        @with_cbs('epoch')
        def _one_epoch(self):
            for self.iter, self.batch in enumerate(self.dl): self._one_batch()

        def one_epoch(self, training):
            self.model.train(training)
            self.dl = self.dls.train if training else self.dls.valid
            self._one_epoch()

        @with_cbs('fit')
        def _fit(self, train, valid):
            for self.epoch in self.epochs:
                if train: self.one_epoch(True)
                if valid: torch.no_grad()(self.one_epoch)(False)

        def fit(self, n_epochs=1, train=True, valid=True, cbs=None, lr=None):
            cbs = listify(cbs)
            for cb in cbs: self.cbs.append(cb)
            try:
                self.n_epochs = n_epochs
                self.epochs = range(n_epochs)
                if lr is None: lr = self.lr
                if self.opt_func: self.opt = self.opt_func(self.model.parameters(), lr)
                self._fit(train, valid)
            finally:
                for cb in cbs: self.cbs.remove(cb)

        def __getattr__(self, name):
            if name in ('predict', 'get_loss', 'backward', 'step', 'zero_grad'):
                return partial(self.callback, name)
            raise AttributeError(name)

        def callback(self, method_nm): run_cbs(self.cbs, method_nm, self)

        @property
        def training(self): return self.model.training

    class TrainCB(Callback):
        def __init__(self, n_inp=1): self.n_inp = n_inp
        def predict(self, learn): learn.preds = learn.model(*learn.batch[:self.n_inp])
        def get_loss(self, learn):
            learn.loss = learn.loss_func(learn.preds, *learn.batch[self.n_inp:])
        def backward(self, learn): learn.loss.backward()
        def step(self, learn): learn.opt.step()
        def zero_grad(self, learn): learn.opt.zero_grad()

    class TrainLearner(Learner):
        def predict(self): self.preds = self.model(self.batch[0])
        def get_loss(self): self.loss = self.loss_func(self.preds, self.batch[1])
        def backward(self): self.loss.backward()
        def step(self): self.opt.step()
        def zero_grad(self): self.opt.zero_grad()

    class MomentumLearner(TrainLearner):
        def __init__(self, model, dls, loss_func, lr=None, cbs=None, opt_func=optim.SGD,
                     mom=0.85):
            self.mom = mom
            super().__init__(model, dls, loss_func, lr, cbs, opt_func)

        def zero_grad(self):
            with torch.no_grad():
                for p in self.model.parameters(): p.grad *= self.mom

    class LRFinderCB(Callback):
        def __init__(self, gamma=1.3, max_mult=3): self.gamma, self.max_mult = gamma, max_mult

        def before_fit(self, learn):
            self.sched = optim.lr_scheduler.ExponentialLR(learn.opt, self.gamma)
            self.lrs, self.losses = [], []
            self.min = math.inf

        def after_batch(self, learn):
            if not learn.training: raise CancelEpochException()
            self.lrs.append(learn.opt.param_groups[0]['lr'])
            loss = to_cpu(learn.loss)
            self.losses.append(loss)
            if loss < self.min: self.min = loss
            if loss > self.min * self.max_mult:
                raise CancelFitException()
            self.sched.step()

    def lr_find(self, gamma=1.3, max_mult=3, start_lr=1e-5, max_epochs=10):
        self.fit(max_epochs, lr=start_lr, cbs=LRFinderCB(gamma=gamma, max_mult=max_mult))

    # ---------------------------------------------------------------- 10_activations
    class Hook():
        def __init__(self, m, f): self.hook = m.register_forward_hook(partial(f, self))
        def remove(self): self.hook.remove()
        def __del__(self): self.remove()

    class Hooks(list):
        def __init__(self, ms, f): super().__init__([Hook(m, f) for m in ms])
        def __enter__(self, *args): return self
        def __exit__(self, *args): self.remove()
        def __del__(self): self.remove()
        def __delitem__(self, i):
            self[i].remove()
            super().__delitem__(i)
        def remove(self):
            for h in self: h.remove()

    class HooksCallback(Callback):
        def __init__(self, hookfunc, mod_filter=lambda m: True, on_train=True, on_valid=False,
                     mods=None):
            self.hookfunc, self.mod_filter, self.mods = hookfunc, mod_filter, mods
            self.on_train, self.on_valid = on_train, on_valid
            super().__init__()

        def before_fit(self, learn):
            if self.mods: mods = self.mods
            else: mods = [m for m in learn.model.modules() if self.mod_filter(m)]
            self.hooks = Hooks(mods, partial(self._hookfunc, learn))

        def _hookfunc(self, learn, *args, **kwargs):
            if (self.on_train and learn.training) or (self.on_valid and not learn.training):
                self.hookfunc(*args, **kwargs)

        def after_fit(self, learn): self.hooks.remove()
        def __iter__(self): return iter(self.hooks)
        def __len__(self): return len(self.hooks)

    def append_stats(hook, mod, inp, outp):
        if not hasattr(hook, 'stats'): hook.stats = ([], [], [])
        acts = to_cpu(outp)
        hook.stats[0].append(acts.mean())
        hook.stats[1].append(acts.std(correction=1))  # a bare .std() raises here: see above
        hook.stats[2].append(acts.abs().histc(40, 0, 10))

    def get_hist(h): return torch.stack(h.stats[2]).t().float().log1p()

    def get_min(h):
        h1 = torch.stack(h.stats[2]).t().float()
        return h1[0] / h1.sum(0)

    class ActivationStats(HooksCallback):
        def __init__(self, mod_filter=lambda m: True): super().__init__(append_stats, mod_filter)

    return SimpleNamespace(**{k: v for k, v in locals().items()
                              if k not in ('torch', 'nn', 'F', 'optim', 'data')})
