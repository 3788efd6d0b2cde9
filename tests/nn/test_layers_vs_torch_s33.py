"""Layers as PyTorch's (fuzzing pass s33): PyTorch's factory keywords ``device=`` and
``dtype=`` in its positions on every layer that has them there; ``LazyInstanceNorm1d/2d/3d``;
``nn.utils.rnn.invert_permutation``; ``CrossMapLRN2d`` with PyTorch's legacy window;
``F.multi_head_attention_forward``; ``proj_size`` and ``mode`` on RNN/GRU."""

import inspect

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError, ShapeError, UsageError
from nn.errors import ConfigError

# (name, positional arguments) of each layer whose PyTorch counterpart takes device/dtype
FACTORY_LAYERS = [
    ("PReLU", (3,)), ("Bilinear", (2, 3, 4)), ("Conv1d", (2, 3, 2)), ("Conv2d", (2, 3, 2)),
    ("Conv3d", (2, 3, 2)), ("ConvTranspose1d", (2, 3, 2)), ("ConvTranspose2d", (2, 3, 2)),
    ("ConvTranspose3d", (2, 3, 2)), ("LazyConv1d", (3, 2)), ("LazyConv2d", (3, 2)),
    ("LazyConv3d", (3, 2)), ("LazyLinear", (3,)), ("BatchNorm1d", (3,)),
    ("BatchNorm2d", (3,)), ("BatchNorm3d", (3,)), ("LazyBatchNorm1d", ()),
    ("LazyBatchNorm2d", ()), ("LazyBatchNorm3d", ()), ("LazyInstanceNorm1d", ()),
    ("LazyInstanceNorm2d", ()), ("LazyInstanceNorm3d", ()), ("SyncBatchNorm", (3,)),
    ("InstanceNorm1d", (3,)), ("InstanceNorm2d", (3,)), ("InstanceNorm3d", (3,)),
    ("LayerNorm", (3,)), ("GroupNorm", (1, 3)), ("RMSNorm", (3,)), ("RNN", (3, 4)),
    ("LSTM", (3, 4)), ("GRU", (3, 4)), ("RNNCell", (3, 4)), ("LSTMCell", (3, 4)),
    ("GRUCell", (3, 4)), ("MultiheadAttention", (4, 2)),
    ("TransformerEncoderLayer", (4, 2, 8)), ("TransformerDecoderLayer", (4, 2, 8)),
    ("Transformer", (4, 2, 1, 1, 8)),
]
NAMES = [name for name, _ in FACTORY_LAYERS]
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor")  # torch's Transformer


def _dtypes(module):
    """{name: dtype name} of a module's parameters and buffers, ours or torch's."""
    members = [*module.named_parameters(), *module.named_buffers()]
    return {name: str(tensor.dtype).removeprefix("torch.") for name, tensor in members}


@pytest.mark.parametrize("name, args", FACTORY_LAYERS, ids=NAMES)
def test_device_and_dtype_keywords_as_torch(torch, name, args):
    """device=None / "cpu" / torch.device("cpu") are the CPU; dtype= makes every
    parameter and floating buffer in that dtype, as torch's do."""
    for device in (None, "cpu", torch.device("cpu")):
        getattr(nn, name)(*args, device=device)
    ours = getattr(nn, name)(*args, device="cpu", dtype=np.float32)
    theirs = getattr(torch.nn, name)(*args, device="cpu", dtype=torch.float32)
    assert _dtypes(ours) == _dtypes(theirs)
    assert set(_dtypes(ours).values()) <= {"float32", "int64"}
    with pytest.raises(UsageError, match="device='cuda'.*CPU"):
        getattr(nn, name)(*args, device="cuda")


def test_factory_kwargs_pattern_of_torch_style_code(torch):
    """The pattern of PyTorch's own modules: factory_kwargs = {'device': None, 'dtype':
    None} passed on to the layers (None is float64 here, torch's default in these tests)."""
    factory_kwargs = {"device": None, "dtype": None}
    for lib in (nn, torch.nn):
        block = lib.Sequential(lib.LayerNorm(4, 1e-5, **factory_kwargs),
                               lib.MultiheadAttention(4, 2, **factory_kwargs).out_proj)
        assert {str(p.dtype).removeprefix("torch.") for p in block.parameters()} == {
            "float64"}


def test_device_and_dtype_come_in_torchs_positions(torch):
    """Over every class both export: where torch's constructor names device/dtype, ours
    has them in the same place (after the same arguments)."""
    checked = []
    for name in sorted(set(dir(torch.nn)) & set(dir(nn))):
        theirs, ours = getattr(torch.nn, name), getattr(nn, name)
        if not (isinstance(theirs, type) and isinstance(ours, type)):
            continue
        order = list(inspect.signature(theirs.__init__).parameters)
        if "dtype" not in order:
            continue
        mine = list(inspect.signature(ours.__init__).parameters)
        assert mine[:order.index("dtype") + 1] == order[:order.index("dtype") + 1], name
        checked.append(name)
    assert set(checked) >= set(NAMES) - {"RNN", "LSTM", "GRU"}  # those take *args in torch


@pytest.mark.parametrize("name, args", [
    ("RNN", (3, 4, 1, "relu", True, False, 0.0, False, 0)),
    ("LSTM", (3, 4, 1, True, False, 0.0, False, 2)),
    ("GRU", (3, 4, 1, True, False, 0.0, False, 0)),
])
def test_recurrent_layers_take_device_and_dtype_after_proj_size(torch, name, args):
    """torch's RNN/LSTM/GRU pass their arguments on to RNNBase: ..., bidirectional,
    proj_size, device, dtype."""
    ours = getattr(nn, name)(*args, "cpu", np.float32)
    theirs = getattr(torch.nn, name)(*args, "cpu", torch.float32)
    assert _dtypes(ours) == _dtypes(theirs)
    assert ours.mode == theirs.mode


@pytest.mark.parametrize("name, before", [("RNN", (3, 4, 1, "tanh")), ("GRU", (3, 4, 1))])
def test_rnn_and_gru_take_proj_size_zero_and_refuse_another(torch, name, before):
    """By keyword (torch: ValueError) or in its position (torch builds weight_hr and
    fails later): a named ConfigError; 0 (no projection) is taken."""
    assert getattr(nn, name)(3, 4, proj_size=0).proj_size == 0
    with pytest.raises(ValueError, match="only supported for LSTM"):
        getattr(torch.nn, name)(3, 4, proj_size=2)
    with pytest.raises(ConfigError, match="proj_size is only supported for LSTM"):
        getattr(nn, name)(3, 4, proj_size=2)
    with pytest.raises(ConfigError, match="proj_size is only supported for LSTM"):
        getattr(nn, name)(*before, True, False, 0.0, False, 2)


@pytest.mark.parametrize("name, kwargs", [("RNN", {}), ("RNN", {"nonlinearity": "relu"}),
                                          ("LSTM", {}), ("GRU", {})])
def test_mode_as_torch(torch, name, kwargs):
    assert getattr(nn, name)(3, 4, **kwargs).mode == getattr(torch.nn, name)(3, 4,
                                                                            **kwargs).mode


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kwargs", [{}, {"affine": False}, {"track_running_stats": False},
                                    {"bias": False, "momentum": None}])
def test_lazy_instance_norm_as_torch(torch, dims, kwargs):
    """Channels from the first input; outputs, gradients and running statistics after
    two training steps and one evaluation step as torch's."""
    name = f"LazyInstanceNorm{dims}d"
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    rng = np.random.default_rng(dims)
    for step in range(3):
        if step == 2:
            ours.eval(), theirs.eval()
        x = rng.standard_normal((2, 3) + (4,) * dims) * 2 + 1
        x_o, x_t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y_o, y_t = ours(x_o), theirs(x_t)
        np.testing.assert_allclose(y_o.data, y_t.detach().numpy(), rtol=1e-9, atol=1e-10)
        g = rng.standard_normal(y_o.shape)
        y_o.backward(g), y_t.backward(torch.tensor(g))
        np.testing.assert_allclose(x_o.grad.data, x_t.grad.numpy(), rtol=1e-8, atol=1e-9)
    assert type(ours).__name__ == type(theirs).__name__ == f"InstanceNorm{dims}d"
    state_o, state_t = ours.state_dict(), theirs.state_dict()
    assert list(state_o) == list(state_t)
    for key in state_t:
        np.testing.assert_allclose(np.asarray(state_o[key]), state_t[key].numpy(), rtol=1e-9)


def test_lazy_instance_norm_reads_the_channels_of_unbatched_input(torch):
    """(C, L) input: the channels are axis 0 (torch reads axis 1 and then fails); the
    result is the eager InstanceNorm1d's with those channels."""
    x = np.random.default_rng(1).standard_normal((3, 5))
    ours = nn.LazyInstanceNorm1d()
    eager = torch.nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
    np.testing.assert_allclose(ours(x).data, eager(torch.tensor(x)).detach().numpy(),
                               rtol=1e-9, atol=1e-12)
    assert ours.num_features == 3
    with pytest.raises(ShapeError, match="3-d \\(unbatched\\) or 4-d"):
        nn.LazyInstanceNorm2d()(np.ones(4))


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_invert_permutation_as_torch(torch, n):
    order = np.random.default_rng(n).permutation(n)
    ours = nn.utils.rnn.invert_permutation(Tensor(order))
    theirs = torch.nn.utils.rnn.invert_permutation(torch.tensor(order))
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == np.int64
    assert nn.utils.rnn.invert_permutation(None) is None
    assert torch.nn.utils.rnn.invert_permutation(None) is None


def test_invert_permutation_refuses_what_is_not_an_order():
    for bad in ([0, 0, 1], [1, 2], [[0, 1]]):
        with pytest.raises(ShapeError, match="order of 0..n-1"):
            nn.utils.rnn.invert_permutation(np.array(bad))
    with pytest.raises(AutogradError, match="integer order"):
        nn.utils.rnn.invert_permutation(np.array([0.0, 1.0]))


@pytest.mark.parametrize("size", range(1, 8))
@pytest.mark.parametrize("channels", [1, 2, 5, 8])
def test_cross_map_lrn2d_values_as_torch(torch, size, channels):
    """PyTorch's legacy window (channel 0 stays in the running sum; an even size sums
    size - 1 channels), which LocalResponseNorm's is not."""
    rng = np.random.default_rng(10 * size + channels)
    x = rng.standard_normal((2, channels, 3, 2)) * 2
    alpha, beta, k = rng.uniform(0.1, 2.0), rng.uniform(0.2, 1.5), rng.uniform(0.5, 2.0)
    ours = nn.CrossMapLRN2d(size, alpha, beta, k)
    theirs = torch.nn.CrossMapLRN2d(size, alpha, beta, k)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12,
                               atol=1e-14)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_cross_map_lrn2d_gradient_is_the_derivative_of_its_values(size):
    """Against finite differences: PyTorch's hand-written backward is not the derivative
    of its forward (and fails for size 1), so the values are the reference here."""
    x = Tensor(np.random.default_rng(size).standard_normal((2, 6, 2, 3)), requires_grad=True)
    layer = nn.CrossMapLRN2d(size, alpha=0.7, beta=0.75, k=1.0)
    assert autograd.gradcheck(layer, (x,))


def test_cross_map_lrn2d_takes_4d_input_only(torch):
    with pytest.raises(ValueError, match="4D"):
        torch.nn.CrossMapLRN2d(3)(torch.ones(2, 3, 4))
    with pytest.raises(ShapeError, match=r"4-d input \(N, C, H, W\)"):
        nn.CrossMapLRN2d(3)(np.ones((2, 3, 4)))
    with pytest.raises(ConfigError, match="size"):
        nn.CrossMapLRN2d(0)


MHA_CASES = [
    {}, {"separate": True}, {"bias_kv": True}, {"add_zero_attn": True},
    {"need_weights": False}, {"average_attn_weights": False}, {"unbatched": True},
    {"attn_mask": "bool", "key_padding_mask": True}, {"attn_mask": "float"},
    {"attn_mask": "bool", "is_causal": True, "need_weights": False}, {"no_bias": True},
]


def _mha_arguments(rng, case, E=6, H=2, L=3, S=4, N=2, kdim=5, vdim=3):
    """numpy arguments of F.multi_head_attention_forward for one case."""
    separate = case.get("separate", False)
    kd, vd = (kdim, vdim) if separate else (E, E)
    batch = () if case.get("unbatched") else (N,)

    def draw(*shape):
        return rng.standard_normal(shape)
    args = {"query": draw(L, *batch, E), "key": draw(S, *batch, kd), "value": draw(S, *batch, vd),
            "in_proj_weight": None if separate else draw(3 * E, E),
            "in_proj_bias": None if case.get("no_bias") else draw(3 * E),
            "bias_k": draw(1, 1, E) if case.get("bias_kv") else None,
            "bias_v": draw(1, 1, E) if case.get("bias_kv") else None,
            "out_proj_weight": draw(E, E), "out_proj_bias": draw(E)}
    if separate:
        args.update(q_proj_weight=draw(E, E), k_proj_weight=draw(E, kd),
                    v_proj_weight=draw(E, vd))
    if case.get("attn_mask") == "bool":
        args["attn_mask"] = np.triu(np.ones((L, S), bool), 1)
    elif case.get("attn_mask") == "float":
        args["attn_mask"] = draw(L, S)
    if case.get("key_padding_mask"):
        args["key_padding_mask"] = np.zeros(batch + (S,), bool)
        args["key_padding_mask"][..., -1] = True
    return args, E, H


@pytest.mark.parametrize("case", MHA_CASES, ids=[str(c) for c in MHA_CASES])
def test_multi_head_attention_forward_as_torch(torch, case):
    """Values, weights and the gradients of every tensor argument as torch's."""
    arrays, E, H = _mha_arguments(np.random.default_rng(len(str(case))), case)
    ours = {k: v if v is None or v.dtype == bool else Tensor(v, requires_grad=True)
            for k, v in arrays.items()}
    theirs = {k: v if v is None else torch.tensor(v, requires_grad=v.dtype != bool)
              for k, v in arrays.items()}
    flags = {"training": True, "need_weights": case.get("need_weights", True),
             "average_attn_weights": case.get("average_attn_weights", True),
             "use_separate_proj_weight": case.get("separate", False),
             "is_causal": case.get("is_causal", False)}
    extra = {"add_zero_attn": case.get("add_zero_attn", False), "dropout_p": 0.0}
    out_o, w_o = F.multi_head_attention_forward(embed_dim_to_check=E, num_heads=H,
                                                **extra, **flags, **ours)
    out_t, w_t = torch.nn.functional.multi_head_attention_forward(
        embed_dim_to_check=E, num_heads=H, **extra, **flags, **theirs)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-10)
    assert (w_o is None) == (w_t is None)
    if w_t is not None:
        np.testing.assert_allclose(w_o.data, w_t.detach().numpy(), rtol=1e-9, atol=1e-12)
    g = np.random.default_rng(3).standard_normal(out_o.shape)
    out_o.backward(g)
    out_t.backward(torch.tensor(g))
    for key, tensor in theirs.items():
        if tensor is not None and tensor.requires_grad:
            np.testing.assert_allclose(ours[key].grad.data, tensor.grad.numpy(), rtol=1e-8,
                                       atol=1e-9, err_msg=key)


def test_multi_head_attention_forward_is_the_modules_forward(torch):
    """With a module's own tensors it gives the module's answer (PyTorch's module calls
    it the same way)."""
    mha = nn.MultiheadAttention(6, 3, rng=0)
    x = np.random.default_rng(0).standard_normal((4, 2, 6))
    out, weights = F.multi_head_attention_forward(
        x, x, x, 6, 3, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
        mha.out_proj.weight, mha.out_proj.bias)
    expected = mha(x, x, x)
    np.testing.assert_allclose(out.data, expected[0].data, rtol=1e-12)
    np.testing.assert_allclose(weights.data, expected[1].data, rtol=1e-12)


def test_multi_head_attention_forward_bad_arguments_are_named_errors():
    x = np.ones((3, 2, 4))
    w, b = np.ones((12, 4)), np.zeros(12)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        F.multi_head_attention_forward(x, x, x, 4, 3, w, b, None, None, False, 0.0,
                                       np.ones((4, 4)), None)
    with pytest.raises(UsageError, match="q_proj_weight is needed"):
        F.multi_head_attention_forward(x, x, x, 4, 2, None, b, None, None, False, 0.0,
                                       np.ones((4, 4)), None, use_separate_proj_weight=True)
    with pytest.raises(ShapeError, match="embed_dim=5"):
        F.multi_head_attention_forward(x, x, x, 5, 1, w, b, None, None, False, 0.0,
                                       np.ones((5, 5)), None)
    with pytest.raises(AutogradError, match="static_k"):
        F.multi_head_attention_forward(x, x, x, 4, 2, w, b, None, None, False, 0.0,
                                       np.ones((4, 4)), None, static_k=np.ones((4, 3, 2)))
