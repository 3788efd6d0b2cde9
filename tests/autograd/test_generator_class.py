"""``autograd.Generator``, PyTorch's ``torch.Generator``: a ``numpy.random.Generator`` (so
every ``generator=`` here and NumPy's own methods take it) with ``manual_seed``,
``initial_seed``, ``seed``, ``get_state``/``set_state`` and ``device``."""

import copy
import pickle

import numpy as np
import pytest

import autograd as ag
import nn


def test_manual_seed_returns_the_generator_drawing_as_a_fresh_one() -> None:
    # makemore: g = torch.Generator().manual_seed(2147483647)
    g = ag.Generator().manual_seed(2147483647)
    assert isinstance(g, ag.Generator) and isinstance(g, np.random.Generator)
    want = np.random.default_rng(2147483647)
    np.testing.assert_array_equal(ag.randn(3, 4, generator=g).numpy(),
                                  want.standard_normal((3, 4)))
    assert g.initial_seed() == 2147483647
    g.random(5)  # NumPy's own methods
    assert g.manual_seed(7) is g
    np.testing.assert_array_equal(g.random(4), np.random.default_rng(7).random(4))


def test_a_fresh_generator_has_torchs_default_seed() -> None:
    torch = pytest.importorskip("torch")
    assert ag.Generator().initial_seed() == torch.Generator().initial_seed()
    np.testing.assert_array_equal(ag.Generator().random(3), ag.Generator().random(3))


def test_every_generator_argument_takes_it() -> None:
    g = ag.Generator().manual_seed(0)
    probs = ag.tensor([0.2, 0.3, 0.5])
    ix = ag.multinomial(probs, num_samples=1, replacement=True, generator=g).item()
    assert ix in (0, 1, 2)
    layer = nn.Linear(3, 2, rng=ag.Generator().manual_seed(1))
    again = nn.Linear(3, 2, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(layer.weight.detach().numpy(), again.weight.detach().numpy())
    nn.data.DataLoader(np.zeros((4, 1)), batch_size=2, shuffle=True, generator=g)


def test_seed_and_state_round_trip() -> None:
    g = ag.Generator()
    value = g.seed()
    assert isinstance(value, int) and g.initial_seed() == value
    np.testing.assert_array_equal(g.random(3), np.random.default_rng(value).random(3))
    state = g.get_state()
    first = g.random(4)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(g.random(4), first)
    other = ag.Generator().set_state(state)
    g.set_state(state)
    np.testing.assert_array_equal(other.random(4), g.random(4))
    with pytest.raises(ag.UsageError, match="get_state"):
        g.set_state({"bit_generator": "MT19937"})
    with pytest.raises(ag.UsageError, match="get_state"):
        g.set_state(np.zeros(3))


def test_state_keeps_in_a_checkpoint_and_generators_pickle(tmp_path) -> None:
    g = ag.Generator().manual_seed(3)
    g.random(2)
    path = tmp_path / "ckpt.npz"
    nn.save(path, state=g.get_state(), gen=g)
    loaded = nn.load(path)
    want = g.random(3)
    np.testing.assert_array_equal(ag.Generator().set_state(loaded["state"]).random(3), want)
    for make_twin in (lambda: pickle.loads(pickle.dumps(g)), lambda: copy.deepcopy(g)):
        twin = make_twin()
        assert isinstance(twin, ag.Generator) and twin.initial_seed() == 3
        np.testing.assert_array_equal(twin.random(3), g.random(3))


def test_device_and_seed_checks() -> None:
    assert ag.Generator(device="cpu").device == "cpu"
    assert ag.Generator("cpu").initial_seed() == ag.Generator().initial_seed()
    with pytest.raises(ag.UsageError, match="cuda"):
        ag.Generator(device="cuda")
    with pytest.raises(ag.UsageError, match="seed"):
        ag.Generator().manual_seed(1.5)
    with pytest.raises(ag.UsageError, match="seed"):
        ag.Generator().manual_seed(-2 ** 63 - 1)  # -1 wraps around, as PyTorch's


def test_the_default_generator_is_one() -> None:
    assert isinstance(ag.default_generator, ag.Generator)
    assert ag.manual_seed(5) is ag.default_generator
    assert ag.default_generator.initial_seed() == ag.initial_seed() == 5
    assert ag.default_generator.manual_seed(6) is ag.default_generator
    assert ag.initial_seed() == 6
