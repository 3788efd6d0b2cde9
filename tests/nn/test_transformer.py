"""nn.TransformerEncoderLayer, nn.TransformerEncoder and generate_square_subsequent_mask
against PyTorch with its state dict (values and gradients), the copies' generators,
finite differences and errors."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import UsageError
from nn.errors import ArgumentTypeError, ConfigError
from nn.train.resume import model_generators
from torch_compare_helpers import module_gradients_match_finite_differences, normal

L, N, D = 5, 2, 8
PADDING = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], bool)  # True: left out


def _pair(torch, kwargs, num_layers=None, dropout=0.0):
    """Ours and torch's layer (or encoder of ``num_layers`` with a final norm), ours
    holding torch's random parameters."""
    theirs = torch.nn.TransformerEncoderLayer(D, 2, 16, dropout, **kwargs).double()
    ours = nn.TransformerEncoderLayer(D, 2, 16, dropout, **kwargs, rng=0)
    if num_layers:
        theirs = torch.nn.TransformerEncoder(theirs, num_layers, torch.nn.LayerNorm(D).double(),
                                             enable_nested_tensor=False)
        ours = nn.TransformerEncoder(ours, num_layers, nn.LayerNorm(D))
    generator = torch.Generator().manual_seed(0)
    for p in theirs.parameters():
        p.data.normal_(0.0, 0.5, generator=generator)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _mask():
    return nn.generate_square_subsequent_mask(L).data


CASES = {
    "post_norm": ({}, None, {}),
    "pre_norm_gelu_batch_first": ({"norm_first": True, "activation": "gelu",
                                   "batch_first": True}, None, {}),
    "no_bias": ({"bias": False}, None, {}),
    "causal_layer": ({}, None, {"src_mask": "causal", "is_causal": True}),
    "padded_layer": ({"batch_first": True}, None, {"src_key_padding_mask": PADDING}),
    "encoder_masks": ({}, 2, {"mask": "causal", "src_key_padding_mask": PADDING}),
    "encoder_pre_norm": ({"norm_first": True, "layer_norm_eps": 1e-3}, 3, {}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.filterwarnings("ignore:Support for mismatched")  # torch: bool and float masks
def test_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    kwargs, num_layers, call = CASES[case]
    call = {k: _mask() if isinstance(v, str) else v for k, v in call.items()}
    ours, theirs = _pair(torch, kwargs, num_layers)
    first = kwargs.get("batch_first", False)
    x = normal(1, (N, L, D) if first else (L, N, D))
    xs, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = ours(xs, **call)
    yt = theirs(xt, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                       for k, v in call.items()})
    g = normal(9, y.shape)
    y.backward(Tensor(g)), yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xs.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


def test_unbatched_input_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, {})
    x = normal(2, (L, D))
    np.testing.assert_allclose(ours(x, _mask()).data,
                               theirs(torch.tensor(x), torch.tensor(_mask())).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_eval_mode_matches_torchs_fast_path_where_it_is_not_padding():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(D, 2, 16, batch_first=True).double(), 2)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, 2, 16, batch_first=True), 2)
    ours.load_state_dict(theirs.state_dict())
    ours.eval(), theirs.eval()
    x = normal(3, (N, L, D))
    with torch.no_grad():  # torch's nested tensors give zeros at the padded positions
        expected = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(PADDING))
    got = ours(x, src_key_padding_mask=PADDING).data
    np.testing.assert_allclose(got[~PADDING], expected.numpy()[~PADDING], rtol=1e-7,
                               atol=1e-9)


def test_generate_square_subsequent_mask_is_torchs():
    torch = pytest.importorskip("torch")
    for size in (0, 1, 4):
        np.testing.assert_array_equal(
            nn.generate_square_subsequent_mask(size).data,
            torch.nn.Transformer.generate_square_subsequent_mask(size).numpy())
    assert nn.generate_square_subsequent_mask(3, dtype=np.float32).dtype == np.float32
    assert nn.generate_square_subsequent_mask(3, device="cpu").dtype == np.float64
    for device in ("cpu:0", torch.device("cpu"), Tensor(np.zeros(2)).device):  # as Tensor.to
        assert nn.generate_square_subsequent_mask(2, device=device).shape == (2, 2)


def test_encoder_copies_start_equal_and_drop_with_their_own_generators():
    layer = nn.TransformerEncoderLayer(4, 2, 8, rng=np.random.default_rng(0))
    encoder = nn.TransformerEncoder(layer, 3)
    first, second = encoder.layers[0], encoder.layers[1]
    assert first is not layer and first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.data, layer.linear1.weight.data)
    np.testing.assert_array_equal(second.linear1.weight.data, layer.linear1.weight.data)
    generators = model_generators(encoder)
    assert len(generators) == 3  # one per copy, shared by its dropouts and attention
    states = [str(g.bit_generator.state) for g in generators.values()]
    assert len(set(states)) == 3
    again = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, rng=0), 3)
    x = normal(0, (3, 2, 4))
    np.testing.assert_array_equal(encoder(x).data, again(x).data)  # repeatable
    shared = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2)
    assert all(g is nn._random.default_generator() for g in model_generators(shared).values())


def test_dropout_only_in_training():
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.5, rng=0)
    x = normal(0, (3, 2, 4))
    assert not np.allclose(layer(x).data, layer(x).data)
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, layer(x).data)


def test_a_callable_activation():
    ours = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation="gelu", rng=0)
    same = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation=nn.GELU(), rng=0)
    x = normal(0, (3, 2, 4))
    np.testing.assert_allclose(same(x).data, ours(x).data, rtol=1e-14)


def test_a_float32_encoder_stays_float32_with_float64_masks():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, rng=0,
                                                               dtype=np.float32), 2)
    x = normal(0, (3, 2, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DTypePromotionWarning
        y = encoder(x, nn.generate_square_subsequent_mask(3), np.zeros((2, 3)))  # (float:
        # a bool padding mask with a float mask warns PyTorch's mismatched-masks warning)
    assert y.dtype == np.float32


def test_gradients_match_finite_differences():
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, rng=0)
    module_gradients_match_finite_differences(layer, normal(0, (3, 1, 4)), second=False)


def test_errors_are_named():
    with pytest.raises(ConfigError, match="'relu', 'gelu' or a callable"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(ArgumentTypeError, match="activation"):
        nn.TransformerEncoderLayer(4, 2, activation=3)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        nn.TransformerEncoderLayer(5, 2)
    with pytest.raises(ArgumentTypeError, match="encoder_layer must be a Module"):
        nn.TransformerEncoder("layer", 2)
    with pytest.raises(ArgumentTypeError, match=r"TransformerEncoder: norm must be a Module "
                                                r"\(e.g. nn.LayerNorm\(d_model\)\) or None"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1, norm="layer")
    with pytest.raises(ArgumentTypeError, match="num_layers"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2.0)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1)
    with pytest.raises(UsageError, match="needs attn_mask"):
        encoder(normal(0, (3, 2, 4)), is_causal=True)
    with pytest.raises(ConfigError, match="device"):
        nn.generate_square_subsequent_mask(3, device="cuda")
