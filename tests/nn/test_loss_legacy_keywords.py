"""PyTorch's deprecated size_average= / reduce= on the losses and loss modules PyTorch gives
them to: the same reduction as torch's legacy rule, the same UserWarning, and the value
compared with torch."""

import inspect
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from nn.errors import ArgumentTypeError

RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
P, Q = 1 / (1 + np.exp(-X)), (Y > 0).astype(float)
LABELS = np.array([0, 3, 1])
SIGNS = np.sign(Y) + (Y == 0)
X3 = RNG.standard_normal((3, 4))
ML = np.array([[3, 0, -1, 2], [1, -1, 0, 0], [0, 1, 2, 3]])  # class lists ended by -1

# name: (our call, torch's call with the same data), each taking the keyword arguments
CASES = {
    "mse_loss": ((X, Y), (X, Y)),
    "l1_loss": ((X, Y), (X, Y)),
    "smooth_l1_loss": ((X, Y), (X, Y)),
    "binary_cross_entropy": ((P, Q), (P, Q)),
    "binary_cross_entropy_with_logits": ((X, Q), (X, Q)),
    "cross_entropy": ((X, LABELS), (X, LABELS)),
    "nll_loss": ((X, LABELS), (X, LABELS)),
    "poisson_nll_loss": ((X, np.abs(Y)), (X, np.abs(Y))),
    "margin_ranking_loss": ((X, Y, SIGNS), (X, Y, SIGNS)),
    "hinge_embedding_loss": ((X, SIGNS), (X, SIGNS)),
    "soft_margin_loss": ((X, SIGNS), (X, SIGNS)),
    "multi_margin_loss": ((X, LABELS), (X, LABELS)),
    "multilabel_soft_margin_loss": ((X, Q), (X, Q)),
    "cosine_embedding_loss": ((X, Y, SIGNS[:, 0]), (X, Y, SIGNS[:, 0])),
    "triplet_margin_loss": ((X, Y, X3), (X, Y, X3)),
    "kl_div": ((X, P), (X, P)),
    "multilabel_margin_loss": ((X, ML), (X, ML)),
}
MODULES = {  # module name: its function's name in CASES
    "MSELoss": "mse_loss", "L1Loss": "l1_loss", "SmoothL1Loss": "smooth_l1_loss",
    "BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss",
    "PoissonNLLLoss": "poisson_nll_loss", "MarginRankingLoss": "margin_ranking_loss",
    "HingeEmbeddingLoss": "hinge_embedding_loss", "SoftMarginLoss": "soft_margin_loss",
    "MultiMarginLoss": "multi_margin_loss",
    "MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
    "CosineEmbeddingLoss": "cosine_embedding_loss", "TripletMarginLoss": "triplet_margin_loss",
    "KLDivLoss": "kl_div", "MultiLabelMarginLoss": "multilabel_margin_loss",
}
LEGACY = [dict(size_average=False), dict(reduce=False), dict(size_average=True),
          dict(reduce=True), dict(size_average=False, reduce=True),
          dict(size_average=True, reduce=False), dict(size_average=False, reduction="none"),
          dict(reduce=False, reduction="sum")]


def _torch_args(torch, arrays, name):
    out = [torch.tensor(a) for a in arrays]
    if name in ("cross_entropy", "nll_loss", "multi_margin_loss", "multilabel_margin_loss"):
        out[1] = out[1].long()
    return out


def _legacy_warning(record):
    messages = [str(w.message) for w in record if issubclass(w.category, UserWarning)]
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("kwargs", LEGACY, ids=str)
def test_functions_follow_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours_args, torch_args = CASES[name]
    with pytest.warns(UserWarning) as ours_record:
        ours = getattr(F, name)(*ours_args, **kwargs)
    with warnings.catch_warnings(record=True) as torch_record:
        warnings.simplefilter("always")
        theirs = getattr(torch.nn.functional, name)(*_torch_args(torch, torch_args, name),
                                                     **kwargs)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)
    assert _legacy_warning(ours_record) == f"{name}: " + _legacy_warning(torch_record)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_follow_torch(module):
    torch = pytest.importorskip("torch")
    name = MODULES[module]
    ours_args, torch_args = CASES[name]
    for kwargs in LEGACY:
        with pytest.warns(UserWarning, match=f"^{module}: size_average and reduce") as rec:
            criterion = getattr(nn, module)(**kwargs)
        assert rec[0].filename == __file__  # the warning points at the line building it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn, module)(**kwargs)
        assert criterion.reduction == theirs.reduction
        np.testing.assert_allclose(criterion(*ours_args).data,
                                   theirs(*_torch_args(torch, torch_args, name)).numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_the_same_losses_as_torch_take_them():
    torch = pytest.importorskip("torch")
    for name in F.__all__:
        theirs = getattr(torch.nn.functional, name, None)
        if not (name.endswith("_loss") or name == "kl_div") or theirs is None:
            continue
        torch_has = "size_average" in inspect.signature(theirs).parameters
        assert ("size_average" in inspect.signature(getattr(F, name)).parameters) == \
            torch_has, name
    for name in nn.__all__:
        ours, theirs = getattr(nn, name), getattr(torch.nn, name, None)
        if isinstance(ours, type) and issubclass(ours, nn.Module) and theirs is not None:
            torch_has = "size_average" in inspect.signature(theirs.__init__).parameters
            assert ("size_average" in inspect.signature(ours.__init__).parameters) == \
                torch_has, name


def test_none_leaves_reduction_alone_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.mse_loss(X, Y, "sum", size_average=None, reduce=None).shape == ()
        assert nn.L1Loss(reduction="none", size_average=None).reduction == "none"


def test_a_flag_that_is_no_bool_is_a_named_error():
    with pytest.raises(ArgumentTypeError, match="mse_loss: size_average must be True or"):
        F.mse_loss(X, Y, size_average="sum")
    with pytest.raises(ArgumentTypeError, match="NLLLoss: reduce must be True or False"):
        nn.NLLLoss(reduce=0)


def test_losses_torch_does_not_give_them_to_refuse_them():
    for make in (lambda: F.huber_loss(X, Y, reduce=False),
                 lambda: F.gaussian_nll_loss(X, Y, np.ones_like(X), size_average=False),
                 lambda: nn.HuberLoss(reduce=False), lambda: nn.GaussianKLLoss(reduce=False),
                 lambda: nn.GaussianNLLLoss(size_average=False)):
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            make()
