"""Loss modules keep ``weight`` / ``pos_weight`` as buffers, as PyTorch: in state_dict and
cast with the module."""

import numpy as np
import pytest

import nn
from autograd import Tensor

WEIGHT = np.array([0.5, 2.0, 1.5])
CASES = [  # (our class, torch class name, keyword arguments)
    (nn.CrossEntropyLoss, "CrossEntropyLoss", {"weight": WEIGHT}),
    (nn.NLLLoss, "NLLLoss", {"weight": WEIGHT}),
    (nn.BCELoss, "BCELoss", {"weight": WEIGHT}),
    (nn.BCEWithLogitsLoss, "BCEWithLogitsLoss", {"weight": WEIGHT, "pos_weight": WEIGHT[::-1]}),
    (nn.BCEWithLogitsLoss, "BCEWithLogitsLoss", {"pos_weight": WEIGHT}),
    (nn.CrossEntropyLoss, "CrossEntropyLoss", {}),
]


@pytest.mark.parametrize("ours, name, kwargs", CASES)
def test_loss_weights_are_in_the_state_dict_as_in_torch(ours, name, kwargs):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v.copy()) for k, v in kwargs.items()})
    state = ours(**kwargs).state_dict()
    assert list(state) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(state[key], value.numpy())
    assert [n for n, _ in ours(**kwargs).named_buffers()] == [
        n for n, _ in theirs.named_buffers()]


@pytest.mark.parametrize("cast, dtype", [(lambda m: m.float(), np.float32),
                                         (lambda m: m.half(), np.float16),
                                         (lambda m: m.to(np.float32).double(), np.float64),
                                         (lambda m: m.to(np.float32), np.float32)])
def test_loss_weights_follow_the_module_dtype(cast, dtype):
    loss = nn.BCEWithLogitsLoss(weight=WEIGHT, pos_weight=WEIGHT)
    assert cast(loss) is loss
    assert loss.weight.dtype == loss.pos_weight.dtype == dtype
    np.testing.assert_allclose(loss.weight.data, WEIGHT, rtol=1e-3)


def test_loaded_weight_is_used_and_matches_torch():
    torch = pytest.importorskip("torch")
    logits = np.random.default_rng(0).normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    loss = nn.CrossEntropyLoss(weight=np.ones(3))
    loss.load_state_dict({"weight": WEIGHT})
    expected = torch.nn.CrossEntropyLoss(weight=torch.tensor(WEIGHT))(
        torch.tensor(logits), torch.tensor(labels))
    np.testing.assert_allclose(loss(Tensor(logits), labels).data, expected.item(), rtol=1e-12)
    assert repr(loss) == repr(torch.nn.CrossEntropyLoss(weight=torch.tensor(WEIGHT)))


def test_a_model_holding_a_weighted_loss_saves_and_casts_it():
    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(4, 3, rng=0)
            self.criterion = nn.CrossEntropyLoss(weight=WEIGHT)

    model = Classifier().float()
    assert "criterion.weight" in model.state_dict()
    assert model.criterion.weight.dtype == np.float32
