"""fast.ai part 2 (course22p2), lesson 17's ``10_activations`` and ``11_initializing``
notebooks, ported as their readers write them, on the miniai ``Learner``
(``tests/miniai_program.py``): ours next to PyTorch's from the same weights in float64,
every hook statistic, histogram, metric log and parameter agreeing to 1e-10.

Covered: ``Hook``/``Hooks`` (forward hooks registered with a ``partial``, removed twice:
by ``remove`` and by ``__del__``), ``ActivationStats`` (mean, std and ``histc`` of each
activation; ``get_hist``, ``get_min``), ``GeneralRelu`` (``x -= sub`` and
``clamp_max_`` in place on a graph's intermediate), ``init_weights`` with
``init.kaiming_normal_`` through ``model.apply``, input normalisation by
``BatchTransformCB``, LSUV, and BatchNorm / LayerNorm written from scratch (buffers,
``lerp_`` under ``no_grad``).

Lines written differently here, and why:
- after ``model.apply(init_weights)`` the test loads PyTorch's initialised weights
  (``start``): the Kaiming draws come from different generators;
- ``x.std()`` is ``x.std(correction=1)`` (see ``tests/miniai_program.py``).
"""

# ruff: noqa: E701 (fast.ai's one-line `def f(self): ...` and `if x: ...`, kept as written)

from functools import partial

import numpy as np

from miniai_program import miniai
from port_records import assert_same, numpy_of
from test_pytorch_ports_fastai_miniai import digits, libraries, weights_of


def initializing(torch, nn, F, optim, data, init):
    """The lesson's modules for one library."""

    class GeneralRelu(nn.Module):
        def __init__(self, leak=None, sub=None, maxv=None):
            super().__init__()
            self.leak, self.sub, self.maxv = leak, sub, maxv

        def forward(self, x):
            x = F.leaky_relu(x, self.leak) if self.leak is not None else F.relu(x)
            if self.sub is not None: x -= self.sub
            if self.maxv is not None: x.clamp_max_(self.maxv)
            return x

    def init_weights(m, leaky=0.):
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
            init.kaiming_normal_(m.weight, a=leaky)

    def conv(ni, nf, ks=3, stride=2, act=nn.ReLU, norm=None, bias=None):
        if bias is None:
            bias = not isinstance(norm, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d))
        layers = [nn.Conv2d(ni, nf, stride=stride, kernel_size=ks, padding=ks // 2,
                            bias=bias)]
        if norm: layers.append(norm(nf))
        if act: layers.append(act())
        return nn.Sequential(*layers)

    def get_model(act=nn.ReLU, nfs=None, norm=None):
        if nfs is None: nfs = [1, 4, 8, 16]
        layers = [conv(nfs[i], nfs[i + 1], act=act, norm=norm) for i in range(len(nfs) - 1)]
        return nn.Sequential(*layers, conv(nfs[-1], 10, act=None, norm=False, bias=True),
                             nn.Flatten()).to('cpu')

    class BatchTransformCB:
        order = 0
        def __init__(self, tfm, on_train=True, on_val=True):
            self.tfm, self.on_train, self.on_val = tfm, on_train, on_val

        def before_batch(self, learn):
            if (self.on_train and learn.training) or (self.on_val and not learn.training):
                learn.batch = self.tfm(learn.batch)

    def _lsuv_stats(hook, mod, inp, outp):
        acts = outp.detach().cpu()
        hook.mean = acts.mean()
        hook.std = acts.std(correction=1)

    def lsuv_init(model, m, m_in, xb, Hook):
        h = Hook(m, _lsuv_stats)
        with torch.no_grad():
            while model(xb) is not None and (abs(h.std - 1) > 1e-3 or abs(h.mean) > 1e-3):
                m_in.bias -= h.mean
                m_in.weight.data /= h.std
        h.remove()

    class LayerNorm(nn.Module):
        def __init__(self, dummy, eps=1e-5):
            super().__init__()
            self.eps = eps
            self.mult = nn.Parameter(torch.tensor(1.))
            self.add = nn.Parameter(torch.tensor(0.))

        def forward(self, x):
            m = x.mean((1, 2, 3), keepdim=True)
            v = x.var((1, 2, 3), keepdim=True)
            x = (x - m) / ((v + self.eps).sqrt())
            return x * self.mult + self.add

    class BatchNorm(nn.Module):
        def __init__(self, nf, mom=0.1, eps=1e-5):
            super().__init__()
            # NB: pytorch bn mom is opposite of what you'd expect
            self.mom, self.eps = mom, eps
            self.mults = nn.Parameter(torch.ones(nf, 1, 1))
            self.adds = nn.Parameter(torch.zeros(nf, 1, 1))
            self.register_buffer('vars', torch.ones(1, nf, 1, 1))
            self.register_buffer('means', torch.zeros(1, nf, 1, 1))

        def update_stats(self, x):
            m = x.mean((0, 2, 3), keepdim=True)
            v = x.var((0, 2, 3), keepdim=True)
            self.means.lerp_(m, self.mom)
            self.vars.lerp_(v, self.mom)
            return m, v

        def forward(self, x):
            if self.training:
                with torch.no_grad(): m, v = self.update_stats(x)
            else: m, v = self.means, self.vars
            x = (x - m) / (v + self.eps).sqrt()
            return x * self.mults + self.adds

    return locals()


def program(torch, nn, F, optim, data, start: dict | None) -> tuple[list, list, dict]:
    """The notebooks' cells; returns (records, float32 records, PyTorch's initialised
    weights). ``get_hist``'s ``.float().log1p()`` is float32, where NumPy's ``log1p`` and
    PyTorch's may round 1 ulp apart (NumPy gives 1.9459102 for log(7), PyTorch 1.9459101)."""
    mi = miniai(torch, nn, F, optim, data)
    ini = initializing(torch, nn, F, optim, data, nn.init)
    GeneralRelu, get_model = ini['GeneralRelu'], ini['get_model']
    record, starts, float32 = [], {}, []
    x, y = digits(96)
    dls = mi.DataLoaders.from_ds(
        data.TensorDataset(torch.tensor(x[:64]), torch.tensor(y[:64])),
        data.TensorDataset(torch.tensor(x[64:]), torch.tensor(y[64:])), batch_size=16)
    xb, yb = next(iter(dls.train))

    def synced(model, name):
        """The test's glue: PyTorch's initial weights, in both runs."""
        if start is None: starts[name] = weights_of(model)
        else: model.load_state_dict(start[name])
        return model

    def fit(model, extra=(), lr=0.2):
        metrics = mi.MetricsCB(accuracy=mi.MulticlassAccuracy())
        learn = mi.MomentumLearner(model, dls, F.cross_entropy, lr=lr,
                                   cbs=[mi.DeviceCB(), metrics, *extra])
        learn.fit(1)
        record.extend([metrics.logs, weights_of(model)])
        return learn

    # 10_activations: hooks by hand, then ActivationStats on the ReLUs
    torch.manual_seed(1)
    model = synced(get_model(), 'plain')
    act_means, act_stds = [[] for _ in model], [[] for _ in model]

    def append_stats(i, mod, inp, outp):
        act_means[i].append(outp.detach().cpu().mean().item())
        act_stds[i].append(outp.detach().cpu().std(correction=1).item())

    for i, m in enumerate(model): m.register_forward_hook(partial(append_stats, i))
    fit(model)
    record += [act_means, act_stds]

    torch.manual_seed(1)
    model = synced(get_model(), 'astats')
    with mi.Hooks(model, mi.append_stats) as hooks:
        fit(model)
    record.append([[numpy_of(torch.stack(s)) for s in h.stats] for h in hooks])
    astats = mi.ActivationStats(lambda m: isinstance(m, nn.ReLU))
    fit(model, [astats])
    record += [len(astats), [numpy_of(torch.stack(h.stats[2])) for h in astats],
               [numpy_of(mi.get_min(h)) for h in astats],
               [[v.item() for v in h.stats[1]] for h in astats]]
    del hooks, astats  # Hook.__del__ removes a second time

    # 11_initializing: Kaiming init, normalised inputs, GeneralRelu
    xmean, xstd = xb.mean(), xb.std(correction=1)
    def _norm(b): return (b[0] - xmean) / xstd, b[1]
    norm = ini['BatchTransformCB'](_norm)
    act_gr = partial(GeneralRelu, leak=0.1, sub=0.4, maxv=1.5)
    iw = partial(ini['init_weights'], leaky=0.1)
    torch.manual_seed(1)
    model = synced(get_model(act_gr).apply(iw), 'general_relu')
    astats = mi.ActivationStats(lambda m: isinstance(m, GeneralRelu))
    fit(model, [norm, astats])
    record.append([numpy_of(torch.stack(h.stats[2])) for h in astats])
    float32.append([numpy_of(mi.get_hist(h)) for h in astats])

    # LSUV
    torch.manual_seed(1)
    model = synced(get_model(act_gr), 'lsuv')
    relus = [o for o in model.modules() if isinstance(o, GeneralRelu)]
    convs = [o for o in model.modules() if isinstance(o, nn.Conv2d)]
    xn = (xb - xmean) / xstd
    for ms in zip(relus, convs): ini['lsuv_init'](model, *ms, xn, mi.Hook)
    record.append(weights_of(model))
    fit(model, [norm])

    # normalisation layers from scratch
    for name in 'LayerNorm', 'BatchNorm':
        torch.manual_seed(1)
        model = synced(get_model(act_gr, norm=ini[name]).apply(iw), name)
        learn = fit(model, [norm], lr=0.1)
        record.append(numpy_of(learn.preds))
    return record, float32, starts


def test_miniai_hooks_and_initialisation_match_pytorch(torch):
    want, want32, start = program(*libraries(torch), None)
    got, got32, _ = program(*libraries(), start)
    assert_same(got, want)
    for a, b in zip(got32, want32, strict=True):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-6)
    assert np.isfinite(got[-1]).all()
