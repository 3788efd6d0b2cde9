"""Session 34: parametrizations, nn.init and module reprs, each compared with PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.utils.parametrizations as PS
import nn.utils.parametrize as P
from autograd.errors import AutogradError, AxisError, DTypeError, ShapeError

IU = np.triu_indices(3)


def _symmetric(lib, torch=None):
    """A parametrization storing a symmetric 3 x 3 matrix as its 6 upper entries."""
    class Sym((torch.nn if lib == "torch" else nn).Module):
        def forward(self, v):
            if lib == "torch":
                M = torch.zeros(3, 3, dtype=v.dtype).index_put((torch.tensor(IU[0]),
                                                                torch.tensor(IU[1])), v)
            else:
                M = ag.zeros((3, 3), dtype=v.dtype).index_put(
                    (ag.tensor(IU[0]), ag.tensor(IU[1])), v)
            return M + M.triu(1).T

        def right_inverse(self, M):
            return M[IU]
    return Sym()


def _pair(torch, rows=3, cols=3):
    W = np.random.default_rng(0).normal(size=(rows, cols))
    ours, theirs = nn.Linear(cols, rows), torch.nn.Linear(cols, rows)
    ours.weight.data = W.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(W))
    return ours, theirs


# ---------------------------------------------------------------- 1. orthogonal dtype
@pytest.mark.parametrize("shape, kind", [((4, 3), None), ((3, 4), None),
                                         ((3, 3), "householder"), ((2, 4, 3), None)])
def test_householder_orthogonal_keeps_float32(torch, shape, kind):
    m = nn.Module()
    m.weight = nn.Parameter(np.random.default_rng(1).normal(size=shape).astype(np.float32))
    t = torch.nn.Module()
    t.weight = torch.nn.Parameter(torch.tensor(m.weight.detach().numpy()))
    PS.orthogonal(m, orthogonal_map=kind)
    torch.nn.utils.parametrizations.orthogonal(t, orthogonal_map=kind)
    assert str(t.weight.dtype) == f"torch.{m.weight.dtype}" == "torch.float32"
    Q = m.weight.detach().numpy().astype(np.float64)
    k = min(shape[-2:])
    gram = Q.swapaxes(-1, -2) @ Q if shape[-2] >= shape[-1] else Q @ Q.swapaxes(-1, -2)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(k), gram.shape), atol=1e-5)


def test_householder_float32_layer_output_stays_float32():
    m = PS.orthogonal(nn.Linear(3, 4).float())
    assert m(ag.randn(2, 3).astype(np.float32)).dtype == np.float32


# ------------------------------------------------ 2. right_inverse changing the shape
def test_shape_changing_right_inverse_matches_torch(torch):
    ours, theirs = _pair(torch)
    P.register_parametrization(ours, "weight", _symmetric("nn"))
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight",
                                                        _symmetric("torch", torch))
    original = ours.parametrizations.weight.original
    assert original.shape == tuple(theirs.parametrizations.weight.original.shape) == (6,)
    np.testing.assert_allclose(original.detach().numpy(),
                               theirs.parametrizations.weight.original.detach().numpy())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    # assignment goes through right_inverse, into the same Parameter object
    A = np.random.default_rng(2).normal(size=(3, 3))
    A = A + A.T
    ours.weight = ag.tensor(A)
    theirs.weight = torch.tensor(A)
    assert ours.parametrizations.weight.original is original
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    np.testing.assert_allclose(ours.weight.detach().numpy(), A)


def test_unsafe_right_inverse_may_change_the_shape_on_assignment_too(torch):
    class Head(nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X[:1]

    class THead(torch.nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X[:1]
    ours, theirs = _pair(torch)
    P.register_parametrization(ours, "weight", Head(), unsafe=True)
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight", THead(),
                                                        unsafe=True)
    assert ours.weight.shape == tuple(theirs.weight.shape) == (1, 3)
    ours.weight = ag.ones((5, 3))
    theirs.weight = torch.ones(5, 3)
    assert ours.weight.shape == tuple(theirs.weight.shape) == (1, 3)


def test_right_inverse_may_not_change_the_dtype(torch):
    class ToFloat32(nn.Module):
        def forward(self, X):
            return X.double()

        def right_inverse(self, X):
            return X.float()
    m = nn.Linear(3, 3)
    with pytest.raises(ShapeError, match="dtype"):
        P.register_parametrization(m, "weight", ToFloat32())
    with pytest.raises(ShapeError, match="dtype"):
        P.register_parametrization(m, "weight", ToFloat32(), unsafe=True)
    assert not P.is_parametrized(m) and m.weight.dtype == np.float64


def test_a_refused_shape_change_leaves_the_weight_unchanged():
    class Flat(nn.Module):
        def forward(self, v):
            return v

        def right_inverse(self, X):
            return X.reshape(-1)
    m = nn.Linear(3, 2)
    before = m.weight.detach().numpy().copy()
    with pytest.raises(ShapeError, match=r"unsafe=True"):
        P.register_parametrization(m, "weight", Flat())
    assert not P.is_parametrized(m)
    np.testing.assert_array_equal(m.weight.detach().numpy(), before)


# ------------------------------------------- 3. stacking without a right_inverse
def test_stacking_a_parametrization_whose_right_inverse_is_not_implemented(torch):
    def double(lib):
        class Double((torch.nn if lib == "torch" else nn).Module):
            def forward(self, X):
                return X * 2

            def right_inverse(self, X):
                raise NotImplementedError
        return Double()
    ours, theirs = _pair(torch)
    for _ in range(2):
        P.register_parametrization(ours, "weight", double("nn"))
        torch.nn.utils.parametrize.register_parametrization(theirs, "weight",
                                                            double("torch"))
    assert len(ours.parametrizations.weight) == len(theirs.parametrizations.weight) == 2
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())


def test_parametrization_takes_the_modules_training_mode(torch):
    ours, theirs = _pair(torch)
    ours.eval()
    theirs.eval()
    PS.spectral_norm(ours)
    torch.nn.utils.parametrizations.spectral_norm(theirs)
    assert ours.parametrizations.weight[0].training is \
        theirs.parametrizations.weight[0].training is False


# -------------------------------------------------------- 4. nn.init on int and bool
@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8", "bool"])
@pytest.mark.parametrize("fill", ["zeros_", "ones_", "constant_", "eye_", "dirac_"])
def test_deterministic_fills_write_int_and_bool_tensors_as_torch(torch, dtype, fill):
    shape = (2, 2) if fill == "eye_" else (4, 2, 3)
    args = (7,) if fill == "constant_" else ()
    ours = ag.zeros(shape, dtype=np.dtype(dtype))
    theirs = torch.zeros(shape, dtype=getattr(torch, dtype))
    getattr(nn.init, fill)(ours, *args)
    getattr(torch.nn.init, fill)(theirs, *args)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("value", [0, -3, 2.0, ag.tensor(5)])
def test_constant_of_an_integral_value_into_int_is_torchs(torch, value):
    ours = nn.init.constant_(ag.zeros(3, dtype=np.int64), value)
    tvalue = torch.tensor(value.item()) if isinstance(value, ag.Tensor) else value
    theirs = torch.nn.init.constant_(torch.zeros(3, dtype=torch.int64), tvalue)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("value, error", [(2.5, DTypeError), (float("nan"), DTypeError),
                                          (float("inf"), DTypeError), (300, ValueError)])
def test_constant_a_value_an_int_tensor_cannot_hold_is_a_named_error(value, error):
    with pytest.raises(error, match="constant_") as info:
        nn.init.constant_(ag.zeros(3, dtype=np.uint8), value)
    assert isinstance(info.value, AutogradError)


@pytest.mark.parametrize("fill", ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                                  "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                                  "orthogonal_"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_random_initializers_refuse_int_and_bool_as_torch(torch, fill, dtype):
    with pytest.raises(Exception):
        getattr(torch.nn.init, fill)(torch.zeros(3, 4, dtype=getattr(torch, dtype)))
    with pytest.raises(DTypeError, match=f"{fill}.*floating tensor.*{dtype}"):
        getattr(nn.init, fill)(ag.zeros((3, 4), dtype=np.dtype(dtype)))


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_fans_read_only_the_shape(torch, dtype):
    ours = nn.init._calculate_fan_in_and_fan_out(ag.zeros((3, 4, 5), dtype=np.dtype(dtype)))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(
        torch.zeros(3, 4, 5, dtype=getattr(torch, dtype)))
    assert ours == theirs


# ------------------------------------------------------- 5. spectral_norm dim range
@pytest.mark.parametrize("dim", [-3, 2, 5])
def test_spectral_norm_dim_out_of_range_is_an_axis_error(torch, dim):
    with pytest.raises(IndexError):
        torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(3, 4), dim=dim)
    with pytest.raises(AxisError, match=rf"dim must be an axis.*\[-2, 1\]; got {dim}"):
        PS.spectral_norm(nn.Linear(3, 4), dim=dim)


@pytest.mark.parametrize("dim", [-2, -1, 0, 1])
def test_spectral_norm_negative_dims_in_range_match_torch(torch, dim):
    ours, theirs = _pair(torch, 4, 3)
    PS.spectral_norm(ours, dim=dim)
    torch.nn.utils.parametrizations.spectral_norm(theirs, dim=dim)
    expected = np.linalg.norm(theirs.parametrizations.weight.original.detach().numpy(), 2)
    got = np.linalg.norm(ours.parametrizations.weight.original.detach().numpy(), 2)
    np.testing.assert_allclose(got, expected)
    assert ours.weight.shape == tuple(theirs.weight.shape)


# ------------------------------------------------------- 6. 0-d Tensor arguments
@pytest.mark.parametrize("call", [
    lambda init, T: init.uniform_(T[0], T[1](-0.5), T[1](0.5)),
    lambda init, T: init.normal_(T[0], T[1](0.0), T[1](0.02)),
    lambda init, T: init.trunc_normal_(T[0], 0.0, T[1](0.5)),
    lambda init, T: init.xavier_uniform_(T[0], T[1](2.0)),
    lambda init, T: init.orthogonal_(T[0], T[1](0.5)),
    lambda init, T: init.sparse_(T[0], T[1](0.5), T[1](0.1)),
])
def test_zero_d_tensor_arguments_are_taken_as_torch(torch, call):
    call(torch.nn.init, (torch.zeros(4, 4), torch.tensor))  # PyTorch takes them
    out = call(nn.init, (ag.zeros((4, 4)), ag.tensor))
    assert out.shape == (4, 4) and np.all(np.isfinite(out.numpy()))


def test_constant_takes_a_zero_d_tensor(torch):
    ours = nn.init.constant_(ag.zeros(3), ag.tensor(0.25))
    theirs = torch.nn.init.constant_(torch.zeros(3), torch.tensor(0.25))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_a_one_element_1d_tensor_is_still_refused():
    with pytest.raises(TypeError, match="std"):
        nn.init.normal_(ag.zeros(3), 0.0, ag.tensor([0.02]))


# ------------------------------------------------------------------- 7. reprs
LOSSES = ["L1Loss", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
          "KLDivLoss", "HuberLoss", "SmoothL1Loss", "SoftMarginLoss",
          "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "MultiMarginLoss",
          "HingeEmbeddingLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
          "TripletMarginLoss", "TripletMarginWithDistanceLoss", "PoissonNLLLoss",
          "GaussianNLLLoss", "CTCLoss"]


@pytest.mark.parametrize("name", LOSSES)
def test_loss_reprs_are_torchs(torch, name):
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


@pytest.mark.parametrize("name, kwargs", [
    ("L1Loss", dict(reduction="sum")), ("CrossEntropyLoss", dict(ignore_index=3,
                                                                 label_smoothing=0.1)),
    ("TripletMarginLoss", dict(margin=2.0, p=1, swap=True)), ("CTCLoss", dict(blank=1)),
    ("KLDivLoss", dict(reduction="batchmean", log_target=True))])
def test_loss_reprs_with_arguments_are_torchs(torch, name, kwargs):
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("name, args, kwargs", [
    ("Softmax", (), {}), ("Softmax", (1,), {}), ("Softmin", (0,), {}),
    ("LogSoftmax", (), dict(dim=2)), ("GLU", (), {}), ("GLU", (-2,), {}),
    ("LayerNorm", (4,), {}), ("LayerNorm", ([4],), dict(bias=False)),
    ("LayerNorm", ((3, 4),), dict(eps=1e-6, elementwise_affine=False)),
    ("MultiheadAttention", (4, 2), dict(bias=False)),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("AdaptiveLogSoftmaxWithLoss", (8, 10, [3, 6]), dict(div_value=2.0))])
def test_module_reprs_are_torchs(torch, name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == \
        repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("shapes", [[], [(3,)], [(3,), (2, 2)], [(), (1, 0, 2), (4,)]])
@pytest.mark.parametrize("kind", ["ParameterList", "ParameterDict"])
def test_parameter_container_reprs_are_torchs(torch, shapes, kind):
    dtypes = ["float64", "float32", "float16"]
    ours_p = [nn.Parameter(np.zeros(s, dtypes[i % 3])) for i, s in enumerate(shapes)]
    theirs_p = [torch.nn.Parameter(torch.zeros(s, dtype=getattr(torch, dtypes[i % 3])))
                for i, s in enumerate(shapes)]
    if kind == "ParameterList":
        ours, theirs = nn.ParameterList(ours_p), torch.nn.ParameterList(theirs_p)
    else:
        ours = nn.ParameterDict({f"p{i}": p for i, p in enumerate(ours_p)})
        theirs = torch.nn.ParameterDict({f"p{i}": p for i, p in enumerate(theirs_p)})
    assert repr(ours) == torch_text(repr(theirs))
    holder_ours, holder_theirs = nn.Sequential(ours), torch.nn.Sequential(theirs)
    assert repr(holder_ours) == torch_text(repr(holder_theirs))


def torch_text(text: str) -> str:
    """PyTorch's repr with this library's dtype names (no ``torch.`` prefix, no legacy
    ``DoubleTensor``-style names, which ParameterDict prints)."""
    for legacy, name in (("DoubleTensor", "float64"), ("FloatTensor", "float32"),
                         ("HalfTensor", "float16")):
        text = text.replace(legacy, name)
    return text.replace("torch.", "")


def test_our_own_losses_keep_their_reduction_in_the_repr():
    assert repr(nn.GaussianKLLoss()) == "GaussianKLLoss(reduction='mean')"
    assert repr(nn.BernoulliKLLoss()) == "BernoulliKLLoss(rho=0.05, reduction='sum')"


def test_out_proj_is_still_a_linear():
    mha = nn.MultiheadAttention(4, 2)
    assert isinstance(mha.out_proj, nn.Linear)
    assert list(mha.state_dict()) == list(torch_state_keys())


def torch_state_keys():
    torch = pytest.importorskip("torch")
    return torch.nn.MultiheadAttention(4, 2).state_dict().keys()
