"""``fit`` on loaders over datasets and on the arrays given other ways: the same training
as on the arrays, and named errors for batches it cannot read (split from
``test_data_datasets.py``)."""
from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import DataError
from nn.data import DataLoader


def _train(data, rng_seed: int = 0):
    """Weights of a 3-2-3 autoencoder after two epochs of fit on ``data``, then its
    validation losses on ``data``."""
    import nn
    import nn.functional as F
    from nn.train import fit
    model = nn.Sequential(nn.Linear(3, 2, rng=rng_seed), nn.Linear(2, 3, rng=rng_seed + 1))
    history = fit(model, F.mse_loss, nn.optim.SGD(model.parameters(), lr=0.1), data,
                  val=data, epochs=2, progress=False)
    return [p.data.copy() for p in model.parameters()] + [np.array(history["val_loss"])]


def test_fit_on_a_dataset_of_single_arrays_trains_as_on_the_array() -> None:
    """A dataset whose __getitem__ returns x alone yields bare batches: fit reads them as
    the inputs (its loss compares the output with them), not row 0 as x and row 1 as y,
    in training and in validation."""
    X = np.random.default_rng(3).standard_normal((12, 3))

    class Rows:
        def __len__(self) -> int:
            return len(X)

        def __getitem__(self, i: int) -> np.ndarray:
            return X[i]
    expected = _train(DataLoader(X, batch_size=4))
    for got in (_train(DataLoader(Rows(), batch_size=4)),
                _train(DataLoader(list(X), batch_size=4))):
        for p, q in zip(got, expected):
            np.testing.assert_array_equal(p, q)


def test_fit_refuses_a_loader_of_dicts_by_name() -> None:
    X = np.random.default_rng(4).standard_normal((8, 3))

    class Dicts:
        def __len__(self) -> int:
            return len(X)

        def __getitem__(self, i: int) -> dict:
            return {"x": X[i], "y": X[i]}
    with pytest.raises(DataError, match=r"fit trains on batches of \(inputs, targets\).*dict"):
        _train(DataLoader(Dicts(), batch_size=4))


def test_the_arrays_passed_as_one_tuple_are_named() -> None:
    X, y = np.zeros((10, 3)), np.zeros(10)
    for data in ((X, y), [X, y], (Tensor(X), y)):
        with pytest.raises(DataError, match=r"of 2 arrays of shapes \(10, 3\), \(10,\).*"
                                            r"DataLoader\(X, y\), not DataLoader\(\(X, y\)\)"):
            DataLoader(data)
    assert len(DataLoader(X, y, batch_size=5)) == 2  # the spelling it names
