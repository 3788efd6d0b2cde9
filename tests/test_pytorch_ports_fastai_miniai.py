"""fast.ai part 2 "from the foundations" (course22p2), lesson 16's ``09_learner``
notebook, ported as its readers write it: the miniai ``Learner`` with callbacks
(``tests/miniai_program.py``) trains a small convnet on scikit-learn's digits, ours next
to PyTorch's from the same weights in float64, and every loss, metric log, learning rate
and parameter agrees to 1e-10.

Covered: ``DataLoaders``, ``TrainCB``/``DeviceCB``/``MetricsCB``, ``SingleBatchCB``
(``CancelFitException``), ``CancelBatchException`` after the backward (gradients of two
batches accumulate), ``CancelEpochException`` before validation, ``TrainLearner``,
``MomentumLearner`` (``p.grad *= mom`` under ``no_grad``), ``LRFinderCB`` with
``ExponentialLR`` (``CancelEpochException`` on the validation epoch,
``CancelFitException`` once the loss explodes), ``torch.no_grad()`` as a decorator of a
bound method. The other notebooks: ``test_pytorch_ports_fastai_miniai_init.py``,
``..._optim.py``, ``..._resnet.py`` and ``test_pytorch_ports_fastai_minibatch.py``.
"""

# ruff: noqa: E701 (fast.ai's one-line `def f(self): ...` and `if x: ...`, kept as written)

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F
from miniai_program import miniai
from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's digits: (n, 1, 8, 8) floats in [0, 1], int64 labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8), labels[:n].astype(np.int64)


def weights_of(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def program(torch, nn, F, optim, data, start: dict | None) -> tuple[list, dict]:
    """The notebook's cells; ``start`` (PyTorch's first weights) is loaded into each new
    model when given: the test's glue after ``get_model()``, as the initialisations draw
    from different generators. Returns (records, PyTorch's start weights)."""
    mi = miniai(torch, nn, F, optim, data)
    record, starts = [], {}
    x, y = digits(96)
    train_ds = data.TensorDataset(torch.tensor(x[:64]), torch.tensor(y[:64]))
    valid_ds = data.TensorDataset(torch.tensor(x[64:]), torch.tensor(y[64:]))
    dls = mi.DataLoaders.from_ds(train_ds, valid_ds, batch_size=16)
    xb, yb = next(iter(dls.train))
    record += [tuple(xb.shape), yb[:10].tolist()]

    def get_model(name):
        torch.manual_seed(1)
        m = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                          nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),
                          nn.Flatten(), nn.Linear(8 * 2 * 2, 10))
        if start is None: starts[name] = weights_of(m)
        else: m.load_state_dict(start[name])
        return m

    # Learner with callbacks; MetricsCB logs per epoch
    metrics = mi.MetricsCB(accuracy=mi.MulticlassAccuracy())
    cbs = [mi.TrainCB(), mi.DeviceCB(), metrics]
    model = get_model('learner')
    learn = mi.Learner(model, dls, F.cross_entropy, lr=0.2, cbs=cbs)
    learn.fit(2)
    record += [metrics.logs, weights_of(model)]

    # SingleBatchCB: one batch then CancelFitException, caught by fit
    learn.fit(1, cbs=[mi.SingleBatchCB()])
    record += [numpy_of(learn.preds), learn.iter, len(learn.cbs), learn.training]

    # TrainLearner: the training steps as methods of a subclass
    model = get_model('train_learner')
    learn = mi.TrainLearner(model, dls, F.cross_entropy, lr=0.2, cbs=[mi.MetricsCB()])
    learn.fit(1)
    record += [learn.cbs[0].logs, weights_of(model)]

    # MomentumLearner: zero_grad keeps mom times the gradient
    model = get_model('momentum')
    learn = mi.MomentumLearner(model, dls, F.cross_entropy, lr=0.1, cbs=[mi.MetricsCB()])
    learn.fit(1)
    record += [learn.cbs[0].logs, weights_of(model),
               [numpy_of(p.grad) for p in model.parameters()]]

    # CancelBatchException after the backward: the step is skipped and the gradients of
    # two batches accumulate; CancelEpochException before a validation epoch skips it
    class AccumulateCB(mi.Callback):
        def after_backward(self, learn):
            if learn.iter % 2 == 0: raise mi.CancelBatchException()
    class NoValidCB(mi.Callback):
        def before_epoch(self, learn):
            if not learn.training: raise mi.CancelEpochException()
    model = get_model('accumulate')
    metrics = mi.MetricsCB()
    learn = mi.Learner(model, dls, F.cross_entropy, lr=0.1,
                       cbs=[mi.TrainCB(), metrics, AccumulateCB(), NoValidCB()])
    learn.fit(2)
    record += [metrics.logs, weights_of(model)]

    # the learning-rate finder: ExponentialLR each batch until the loss triples
    model = get_model('lr_find')
    learn = mi.MomentumLearner(model, dls, F.cross_entropy, cbs=[])
    finder = mi.LRFinderCB(gamma=3, max_mult=2)
    learn.fit(4, lr=1e-3, cbs=finder)
    record += [finder.lrs, [numpy_of(v) for v in finder.losses], learn.epoch, learn.iter]
    mi.lr_find(learn, gamma=2, start_lr=1e-2, max_epochs=2)
    record.append(weights_of(model))
    return record, starts


def test_miniai_learner_matches_pytorch(torch):
    want, start = program(*libraries(torch), None)
    got, _ = program(*libraries(), start)
    assert_same(got, want)
