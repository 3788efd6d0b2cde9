"""nn.RNN, nn.LSTM and nn.GRU: dropout between layers (training only, from the layer's
generator, restored by fit's resume), repr as PyTorch's, and named errors."""

import copy
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError, DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.train.resume import model_generators

L, N, H_IN, H = 5, 3, 3, 4


def flat(result):
    output, state = result
    return [output] + (list(state) if isinstance(state, tuple) else [state])


def one_layer(model, layer, input_size):
    """A one-layer copy of ``model``'s layer ``layer`` (its weights renamed to l0)."""
    single = type(model)(input_size, model.hidden_size, bidirectional=model.bidirectional)
    state = {k.replace(f"_l{layer}", "_l0"): v.data for k, v in model.state_dict().items()
             if f"_l{layer}" in k}
    single.load_state_dict(state)
    return single


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_dropout_falls_between_layers_in_training_from_the_layers_generator(kind,
                                                                             bidirectional):
    D = 2 if bidirectional else 1
    model = getattr(nn, kind)(H_IN, H, num_layers=2, dropout=0.5,
                              bidirectional=bidirectional, rng=0)
    x = np.random.default_rng(1).normal(size=(L, N, H_IN))
    generator = copy.deepcopy(model.rng)  # the masks the forward will draw
    output = model(x)[0]
    first, second = one_layer(model, 0, H_IN), one_layer(model, 1, D * H)
    between = F.dropout(first(x)[0], 0.5, generator=generator)
    expected = second(between)[0]
    np.testing.assert_allclose(output.data, expected.data, rtol=1e-13)
    assert not np.allclose(output.data, second(first(x)[0])[0].data)  # a mask was applied
    model.eval()  # no dropout in evaluation
    np.testing.assert_allclose(model(x)[0].data, second(first(x)[0])[0].data, rtol=1e-13)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_dropout_one_in_training_matches_torch(kind):
    """p = 1 zeroes the second layer's whole input: deterministic in both libraries."""
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, kind)(H_IN, H, 2, dropout=1.0).double()
    ours = getattr(nn, kind)(H_IN, H, 2, dropout=1.0)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).normal(size=(L, N, H_IN))
    for a, b in zip(flat(ours(x)), flat(theirs(torch.tensor(x)))):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_dropout_with_one_layer_warns_as_torch_and_changes_nothing():
    with pytest.warns(UserWarning, match="num_layers greater than 1.*dropout=0.5"):
        gru = nn.GRU(H_IN, H, dropout=0.5, rng=0)
    x = np.random.default_rng(1).normal(size=(L, N, H_IN))
    first = gru(x)[0].data
    np.testing.assert_array_equal(gru(x)[0].data, first)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(H_IN, H, num_layers=2, dropout=0.5)
        nn.GRU(H_IN, H, dropout=0.0)


def test_the_dropout_generator_is_found_by_fits_resume():
    lstm = nn.LSTM(H_IN, H, num_layers=2, dropout=0.3, rng=5)
    assert model_generators(lstm) == {"rng": lstm.rng}
    assert isinstance(lstm.rng, np.random.Generator)


def test_repr_as_torch():
    torch = pytest.importorskip("torch")
    cases = [("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
             ("LSTM", {"bias": False, "batch_first": True}),
             ("GRU", {"num_layers": 3, "dropout": 0.25, "bidirectional": True}),
             ("LSTM", {"num_layers": 2, "dropout": 0.5, "bidirectional": True})]
    for kind, kwargs in cases:
        assert repr(getattr(nn, kind)(3, 4, **kwargs)) == repr(
            getattr(torch.nn, kind)(3, 4, **kwargs))
    model = nn.Sequential(nn.Linear(2, 3))
    model.rnn = nn.GRU(3, 4)
    assert "(rnn): GRU(3, 4)" in repr(model)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_input_shape_errors_are_named(kind):
    layer = getattr(nn, kind)(H_IN, H)
    with pytest.raises(ShapeError, match=r"2 or 3 axes.*got shape \(3,\)"):
        layer(np.ones(H_IN))
    with pytest.raises(ShapeError, match=r"2 or 3 axes.*\(L, N, input_size\)"):
        layer(np.ones((L, N, H_IN, 1)))
    with pytest.raises(ShapeError, match="5 features.*expected input_size=3"):
        layer(np.ones((L, N, 5)))
    with pytest.raises(ShapeError, match="sequence is empty"):
        layer(np.ones((0, N, H_IN)))
    with pytest.raises(ShapeError, match=r"\(N, L, input_size\)"):
        getattr(nn, kind)(H_IN, H, batch_first=True)(np.ones((2, 2, 2, 3)))


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_hx_shape_errors_are_named(kind):
    layer = getattr(nn, kind)(H_IN, H, num_layers=2)
    x = np.ones((L, N, H_IN))
    with pytest.raises(ShapeError, match=r"hx must have shape \(2, 3, 4\) for batched"):
        layer(x, np.ones((2, 4)))  # 2-d hx with batched input
    with pytest.raises(ShapeError, match=r"hx must have shape \(2, 3, 4\).*got shape \(1, 3, 4"):
        layer(x, np.ones((1, N, H)))
    with pytest.raises(ShapeError, match=r"hx must have shape \(2, 4\) for unbatched"):
        layer(np.ones((L, H_IN)), np.ones((2, 1, H)))
    batch_first = getattr(nn, kind)(H_IN, H, batch_first=True)
    with pytest.raises(ShapeError, match=r"\(1, 3, 4\).*input of shape \(3, 5, 3\)"):
        batch_first(np.ones((N, L, H_IN)), np.ones((1, L, H)))  # hx is never batch first


def test_lstm_hx_must_be_a_pair_of_the_right_shapes():
    lstm = nn.LSTM(H_IN, H)
    x = np.ones((L, N, H_IN))
    with pytest.raises(ArgumentTypeError, match=r"tuple \(h_0, c_0\)"):
        lstm(x, np.zeros((1, N, H)))
    with pytest.raises(ArgumentTypeError, match=r"tuple \(h_0, c_0\)"):
        lstm(x, (np.zeros((1, N, H)),))
    with pytest.raises(ShapeError, match=r"c_0 must have shape \(1, 3, 4\)"):
        lstm(x, (np.zeros((1, N, H)), np.zeros((1, 2, H))))
    output, (h, c) = lstm(x, [np.zeros((1, N, H)), np.zeros((1, N, H))])  # a list too
    assert h.shape == c.shape == (1, N, H)


def test_constructor_errors_are_named():
    with pytest.raises(ConfigError, match=r"proj_size must be an int in \[0, 3\]"):
        nn.LSTM(3, 4, proj_size=4)
    assert nn.LSTM(3, 4, proj_size=0).proj_size == 0
    with pytest.raises(ConfigError, match="unknown nonlinearity 'sig'"):
        nn.RNN(3, 4, nonlinearity="sig")
    with pytest.raises(ConfigError, match="hidden_size must be an int >= 1"):
        nn.GRU(3, 0)
    with pytest.raises(ConfigError, match="num_layers must be an int >= 1"):
        nn.LSTM(3, 4, num_layers=0)
    with pytest.raises(ConfigError, match="input_size must be an int >= 1"):
        nn.RNN(0, 4)
    with pytest.raises(ConfigError, match=r"dropout must be a number in \[0, 1\]"):
        nn.GRU(3, 4, 2, dropout=1.5)
    with pytest.raises(ArgumentTypeError, match="dropout"):
        nn.GRU(3, 4, 2, dropout="0.5")
    with pytest.raises(ArgumentTypeError, match="bidirectional must be True or False"):
        nn.LSTM(3, 4, bidirectional=None)
    with pytest.raises(DTypeError, match="floating dtype"):
        nn.RNN(3, 4, dtype=np.int32)
    with pytest.raises(TypeError):
        nn.GRU(3, 4, nonlinearity="relu")  # only RNN has it, as in PyTorch
    for error in (ConfigError, ArgumentTypeError, ShapeError, DTypeError):
        assert issubclass(error, AutogradError)


def test_positional_arguments_in_torchs_order():
    rnn = nn.RNN(3, 4, 2, "relu", False, True, 0.5, True)
    assert (rnn.num_layers, rnn.nonlinearity, rnn.bias, rnn.batch_first, rnn.dropout,
            rnn.bidirectional) == (2, "relu", False, True, 0.5, True)
    lstm = nn.LSTM(3, 4, 2, False, True, 0.5, True, 0)
    assert (lstm.num_layers, lstm.bias, lstm.batch_first, lstm.dropout, lstm.bidirectional,
            lstm.proj_size) == (2, False, True, 0.5, True, 0)


def test_an_lstm_classifier_trains_with_fit_habits():
    """The tutorial pattern: the last output step into a Linear; the loss falls."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6, 2))
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)
    lstm, head = nn.LSTM(2, 8, batch_first=True, rng=1), nn.Linear(8, 2, rng=2)
    optimizer = nn.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.05)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        output, (h, c) = lstm(Tensor(x))
        loss = F.cross_entropy(head(output[:, -1]), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(output[:, -1].data, h[0].data)  # last step = h_n
