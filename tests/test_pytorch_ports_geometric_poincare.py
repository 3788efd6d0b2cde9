"""Poincaré embeddings (Nickel & Kiela 2017) as facebookresearch/poincare-embeddings
(``hype/``) writes them: a ``PoincareManifold`` whose distance
``arcosh(1 + 2 |u - v|^2 / ((1 - |u|^2)(1 - |v|^2)))`` is a ``torch.autograd.Function``
with its own backward (``Distance.grad``), whose Riemannian gradient rescales the
Euclidean one by ``(1 - |p|^2)^2 / 4``, and whose ``normalize`` keeps the points inside
the ball by ``u.view(-1, d).renorm_(2, 0, 1 - eps)``; ``RiemannianSGD`` (an
``Optimizer`` with ``required`` defaults and callables in its param groups, a ``step(lr=)``);
the ``DistanceEnergyFunction`` model (an ``nn.Embedding``, normalized under ``no_grad``,
``narrow``/``expand_as`` into subject and objects, ``F.cross_entropy`` of the negated
distances) and ``hype/train.py``'s loop with its burn-in epochs at a tenth of the rate.
The data are the transitive closure of a small tree (the mammal closure's shape, shrunk)
with sampled negatives. It runs step for step next to PyTorch (float64): losses, every
step's gradients and embeddings agree.

Lines written differently here, and why:
- ``.data`` is the NumPy array here (by design): ``w.data.uniform_(-scale, scale)`` is
  ``w.uniform_`` under ``no_grad()``, and ``RiemannianSGD.step`` updates ``p`` with
  ``p.grad`` under ``no_grad()`` where hype reads ``p.data`` and ``p.grad.data`` (the same
  in both);
- ``torch.autograd.Function`` is ``autograd_of(th).Function``: ``torch.autograd``'s names
  are ``autograd``'s own here;
- ``th.Tensor(len(loader))`` (a size) is ``th.empty(len(loader))``: ``Tensor(n)`` is the
  number n here (``Tensor`` takes data, as ``torch.tensor``; a warning says so);
- the loader is built with ``shuffle=False`` (the two libraries' generators differ);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import numpy as np

from graph_ports_helpers import assert_same_run
from hype_program import embedding_program, tree_closure


def poincare_program(th, nn, F, optim, glue, evaluate=False):
    return embedding_program(th, nn, F, optim, glue, lambda th, PoincareManifold:
                             PoincareManifold(), evaluate=evaluate)


def test_poincare_embeddings_train_step_for_step(torch):
    assert_same_run(torch, poincare_program)


def test_poincare_embeddings_place_the_closure_pairs_closer():
    import autograd as ag
    import nn
    import nn.functional as F
    ag.manual_seed(0)
    result = poincare_program(ag, nn, F, nn.optim, lambda *models_and_optimizer: None,
                              evaluate=True)
    pairs, nobjects = tree_closure()
    distances = np.zeros((nobjects, nobjects))
    distances[np.triu_indices(nobjects, 1)] = result[-1].numpy()
    distances += distances.T
    assert distances[pairs[:, 0], pairs[:, 1]].mean() < distances.mean()
