"""NODE (neural oblivious decision ensembles) as Qwicen/node writes it (``lib/nn_utils.py``,
``lib/odst.py``, ``lib/arch.py``, the ``year_node_shallow`` notebook): entmax-1.5 and
sparsemax as ``autograd.Function`` subclasses, entmoid-1.5 with ``@script``-ed static
forward/backward helpers, sparsemoid, ``ModuleWithInit`` whose ``__call__`` runs a
data-aware initialisation on the first batch (thresholds at Beta-drawn percentiles of the
selected features by ``np.percentile`` over the tensor, temperatures from percentiles of
the distances, written through ``.data[...] =``), the ODST layer's einsums over bin codes
and ``torch.prod`` of the bin matches, the densely connected ``DenseBlock``; trained as the
notebook does (mean of the first response channel, MSE, Adam); written once for a library
``torch`` and run step for step next to PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``from torch.autograd import Function`` / ``from torch.jit import script`` are
  ``torch.autograd.Function`` / ``torch.jit.script`` (``autograd.Function`` and
  ``autograd.jit.script`` here);
- ``rho.view(view).transpose(0, dim)`` is ``.swapaxes(0, dim)`` (as in the TabNet port:
  ``transpose(0, -1)`` of a 2-d tensor is refused here as ambiguous);
- ``dtype=torch.float32`` of the thresholds, temperatures and bin codes is the default
  float64: these runs are float64, and PyTorch's einsum refuses a float32 operand next to
  a float64 one;
- QHAdam (package ``qhoptim``) is ``optim.Adam``;
- ``nn.init.normal_`` / ``uniform_`` draws differ between the libraries: weights are synced
  from PyTorch's after construction (``sync``), the NaN thresholds included, so both runs
  initialise them from the data with the same ``np.random`` draws.
"""

import warnings

import numpy as np
import pytest

from node_program import node_layers, node_utils
from recsys_helpers import assert_records, libraries, weight_sync


def node(torch, nn, F, optim, sync, record: list, choice: str, steps: int = 4) -> None:
    torch.manual_seed(0)
    np.random.seed(0)  # the data-aware init draws its percentiles from np.random
    utils = node_utils(torch, nn, F)
    ODST, DenseBlock = node_layers(torch, nn, F, utils)
    rng = np.random.default_rng(4)
    X_train = rng.normal(size=(40, 5))
    y_train = np.sin(X_train[:, 0]) + X_train[:, 1] * X_train[:, 2]
    choice_function, bin_function = (
        (utils["entmax15"], utils["entmoid15"]) if choice == "entmax"
        else (utils["sparsemax"], utils["sparsemoid"]))
    model = nn.Sequential(
        DenseBlock(X_train.shape[1], 6, num_layers=2, tree_dim=3, depth=3, max_features=9,
                   flatten_output=False, choice_function=choice_function,
                   bin_function=bin_function),
        utils["Lambda"](lambda x: x[..., 0].mean(dim=-1)),  # average first channels of trees
    )
    sync(model)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model(torch.as_tensor(X_train[:32]))
    record.append(res)
    record += [p.clone() for p in model.parameters()]
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    X, y = torch.as_tensor(X_train), torch.as_tensor(y_train)
    for step in range(steps):
        batch = slice(10 * step, 10 * step + 10)
        optimizer.zero_grad()
        loss = F.mse_loss(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()
        record.append(loss.detach())
    record += list(model.state_dict().values())


@pytest.mark.parametrize("choice", ["entmax", "sparsemax"])
def test_node_dense_block(torch, choice):
    ours, theirs = weight_sync()
    got, want = [], []
    node(*libraries(torch), theirs, want, choice)
    node(*libraries(), ours, got, choice)
    assert_records(got, want, rtol=1e-9, atol=1e-11)


def test_entmoid15_matches_entmax15_of_x_and_zero(torch):
    records = []
    x = np.linspace(-3, 3, 13)
    for T, nn_, F_ in (libraries(torch)[:3], libraries()[:3]):
        utils = node_utils(T, nn_, F_)
        leaf = T.tensor(x, requires_grad=True)
        y = utils["entmoid15"](leaf * 1.0)
        y.backward(T.tensor(np.cos(x)))
        pair = utils["entmax15"](T.stack([leaf, T.zeros_like(leaf)], dim=-1), dim=-1)[..., 0]
        records.append([y, leaf.grad, pair])
    assert_records(records[1], records[0])
    np.testing.assert_allclose(records[1][0].detach().numpy(), records[1][2].detach().numpy(),
                               rtol=1e-12)
