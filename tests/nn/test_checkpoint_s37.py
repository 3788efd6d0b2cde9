"""Session 37 checkpoint fixes: PyTorch's module extra state (``get_extra_state`` /
``set_extra_state``) in state dicts and checkpoints, NaN floats keeping their bits, NumPy
dict keys keeping their type, the message for a module's entry loaded into an optimizer,
``nn.save(str, file)`` in torch.save's order, and the reserved name's message."""
from __future__ import annotations

import io
import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError
from nn.errors import ArgumentTypeError, CheckpointError, ConfigError, StateDictError


class Vocab(nn.Module):
    """A layer with non-tensor state kept as PyTorch's extra state."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 2, rng=0)
        self.info: object = {"k": 1}

    def get_extra_state(self) -> object:
        return self.info

    def set_extra_state(self, state: object) -> None:
        self.info = state


class Outer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(np.ones(2))
        self.inner = Vocab()
        self.last = nn.Linear(1, 1, rng=0)


class SaveOnly(nn.Module):
    """Overrides get_extra_state only: its entry is saved but unexpected at load."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(1, 1, rng=0)

    def get_extra_state(self) -> int:
        return 7


def _bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _from_bits(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def _round_trip(obj: object) -> object:
    buffer = io.BytesIO()
    nn.save(obj, buffer)
    buffer.seek(0)
    return nn.load(buffer)


# ------------------------------------------------------------------ 1: extra state
def test_state_dict_holds_extra_state_in_pytorchs_order() -> None:
    """A module's own tensors, then its extra state, then its sub-modules' entries."""
    assert list(Vocab().state_dict()) == ["_extra_state", "lin.weight", "lin.bias"]
    assert list(Outer().state_dict()) == ["w", "inner._extra_state", "inner.lin.weight",
                                          "inner.lin.bias", "last.weight", "last.bias"]
    model = Vocab()
    model.info = {"k": 42}
    assert model.state_dict(prefix="m.")["m._extra_state"] is model.info


def test_extra_state_round_trips_through_a_checkpoint() -> None:
    model = Vocab()
    model.info = {"k": 42, "name": "tok", "scale": 0.5, "table": ag.Tensor([1.0, 2.0])}
    buffer = io.BytesIO()
    nn.save(buffer, model=model)
    buffer.seek(0)
    fresh = Vocab()
    nn.load_into(buffer, model=fresh)
    assert set(fresh.info) == {"k", "name", "scale", "table"}
    assert (fresh.info["k"], fresh.info["name"], fresh.info["scale"]) == (42, "tok", 0.5)
    np.testing.assert_array_equal(fresh.info["table"].numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(fresh.lin.weight.data, model.lin.weight.data)
    fresh2 = Vocab()  # torch.save's order
    fresh2.load_state_dict(_round_trip(model.state_dict()))
    assert fresh2.info["k"] == 42


def test_missing_extra_state_is_a_missing_key() -> None:
    state = {k: v for k, v in Vocab().state_dict().items() if k != "_extra_state"}
    model = Vocab()
    with pytest.raises(StateDictError, match=r"missing keys.*'_extra_state'"):
        model.load_state_dict(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["_extra_state"] and model.info == {"k": 1}


def test_extra_state_of_a_class_without_set_extra_state_is_unexpected() -> None:
    state = SaveOnly().state_dict()
    assert list(state) == ["_extra_state", "lin.weight", "lin.bias"]
    with pytest.raises(StateDictError, match=r"unexpected keys.*'_extra_state'"):
        SaveOnly().load_state_dict(state)
    assert SaveOnly().load_state_dict(state, strict=False).unexpected_keys == ["_extra_state"]


def test_extra_state_is_set_only_after_every_check_passed() -> None:
    model = Vocab()
    state = {"_extra_state": {"k": 9}, "lin.weight": np.zeros((3, 3)),
             "lin.bias": np.zeros(2)}
    with pytest.raises(StateDictError, match="shape mismatch"):
        model.load_state_dict(state)
    assert model.info == {"k": 1}  # nothing was loaded


def test_the_base_extra_state_methods_raise_as_pytorchs() -> None:
    """PyTorch's base methods raise RuntimeError; state_dict never calls them."""
    layer = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match="Override get_extra_state and set_extra_state"):
        layer.get_extra_state()
    with pytest.raises(UsageError, match="set_extra_state"):
        layer.set_extra_state({})
    assert "_extra_state" not in layer.state_dict()


# ------------------------------------------------------------------ 2: NaN bits
@pytest.mark.parametrize("bits", [0xfff8000000000123, 0x7ff8000000000000,
                                  0xfff8000000000000, 0x7ff0000000000001])
def test_a_nan_float_keeps_its_bits(bits: int) -> None:
    value = _from_bits(bits)
    assert math.isnan(value)
    loaded = _round_trip({"x": value, "xs": [value]})
    assert _bits(loaded["x"]) == bits and _bits(loaded["xs"][0]) == bits


@pytest.mark.parametrize("value", [0.1, -0.0, math.inf, -math.inf, 5e-324])
def test_other_floats_still_round_trip_exactly(value: float) -> None:
    assert _bits(_round_trip(value)) == _bits(value)


def _forged(meta_object: dict) -> io.BytesIO:
    """A checkpoint of one unnamed object with hand-written metadata."""
    meta = {"magic": nn.checkpoint.MAGIC, "version": nn.checkpoint.FORMAT_VERSION,
            "object": meta_object}
    buffer = io.BytesIO()
    np.savez(buffer, __checkpoint__=np.frombuffer(json.dumps(meta).encode(), np.uint8))
    buffer.seek(0)
    return buffer


def test_a_float_node_without_bits_still_loads() -> None:
    """Files written before the bits were kept hold only the repr."""
    assert math.isnan(nn.load(_forged({"t": "float", "v": "nan"})))
    assert nn.load(_forged({"t": "float", "v": "0.25"})) == 0.25


@pytest.mark.parametrize("node", [{"t": "float", "v": "1.0", "bits": "0x7ff8000000000000"},
                                  {"t": "float", "v": "nan", "bits": "0x3ff0000000000000"},
                                  {"t": "float", "v": "nan", "bits": "7ff8"},
                                  {"t": "float", "v": "nan", "bits": 5}])
def test_inconsistent_float_bits_are_a_checkpoint_error(node: dict) -> None:
    with pytest.raises(CheckpointError, match="bits"):
        nn.load(_forged(node))


# ------------------------------------------------------------------ 3: NumPy keys
def test_numpy_int_and_str_dict_keys_keep_their_type() -> None:
    saved = {np.int64(3): 1, np.str_("a"): 2, np.uint8(4): {np.int32(5): "x"}}
    loaded = _round_trip(saved)
    assert loaded == saved
    assert [type(k) for k in loaded] == [np.int64, np.str_, np.uint8]
    assert type(next(iter(loaded[np.uint8(4)]))) is np.int32


def test_numpy_float_and_bool_keys_are_still_refused() -> None:
    for key in (np.float64(1.0), np.bool_(True)):
        with pytest.raises(ArgumentTypeError, match="keys must be str or int"):
            nn.save({key: 1}, io.BytesIO())


# ------------------------------------------------------------------ 4: wrong entry
def test_a_modules_entry_loaded_into_an_optimizer_is_named_as_a_module() -> None:
    model = nn.Linear(2, 2)
    buffer = io.BytesIO()
    nn.save(buffer, model=model, opt=nn.optim.Adam(model.parameters()))
    target = nn.optim.Adam(nn.Linear(2, 2).parameters())
    buffer.seek(0)
    with pytest.raises(CheckpointError, match=r"entry 'model' holds a Linear's state, not an "
                                              r"optimizer's.*into an Adam") as error:
        nn.load_into(buffer, model=target)
    assert "optimizer of class Linear" not in str(error.value)
    buffer.seek(0)
    with pytest.raises(CheckpointError, match=r"optimizer of class Adam; cannot load it into "
                                              r"one of class SGD.*Build an Adam to resume"):
        nn.load_into(buffer, opt=nn.optim.SGD(nn.Linear(2, 2).parameters()))


# ------------------------------------------------------------------ 6: str objects
def test_a_str_saved_in_torch_order_to_a_file_object_or_path(tmp_path: Path) -> None:
    assert _round_trip("hello") == "hello"
    nn.save("hi", tmp_path / "s.npz")
    assert nn.load(tmp_path / "s.npz") == "hi"
    nn.save("bye", str(tmp_path / "t.npz").encode())  # a bytes path cannot be the object
    assert nn.load(tmp_path / "t.npz") == "bye"


def test_two_strs_are_an_ambiguous_usage_error(tmp_path: Path) -> None:
    path = str(tmp_path / "c.npz")
    with pytest.raises(UsageError, match=r"either could be the path.*torch.save's order.*"
                                         r"pathlib.Path.*nn.save's own order"):
        nn.save("hello", path)
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------ 7: reserved name
def test_the_reserved_name_is_named_reserved() -> None:
    with pytest.raises(ConfigError, match="'__checkpoint__': it is reserved"):
        nn.save(io.BytesIO(), **{"__checkpoint__": 1})
