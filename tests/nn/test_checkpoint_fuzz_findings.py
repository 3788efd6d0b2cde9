"""Fuzzing findings on nn.save / nn.load (session 32): a damaged array header of a large
entry, members that are not .npy data, hand-edited metadata, subclasses that loaded as
their base type, ints past Python's digit limit, deep nesting, and the new file's mode."""
from __future__ import annotations

import collections
import copy
import enum
import io
import json
import os
import pickle
import sys
import types
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import autograd
import nn
from nn.checkpoint_format import MAX_DEPTH, META_KEY
from nn.errors import ArgumentTypeError, CheckpointError


def saved(**objects: Any) -> bytes:
    buffer = io.BytesIO()
    nn.save(buffer, **objects)
    return buffer.getvalue()


def round_trip(value: Any) -> Any:
    return nn.load(io.BytesIO(saved(v=value)))["v"]


def rezip(data: bytes, edit: Callable[[str, bytes], bytes],
          compression: int = zipfile.ZIP_STORED) -> bytes:
    """``data`` with each member replaced by ``edit(name, member)``, with valid CRCs."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name in source.namelist():
            archive.writestr(name, edit(name, source.read(name)))
    return out.getvalue()


def edit_meta(data: bytes, edit: Callable[[dict], None]) -> bytes:
    """``data`` with its metadata JSON changed in place by ``edit``."""
    def member(name: str, raw: bytes) -> bytes:
        if name != f"{META_KEY}.npy":
            return raw
        meta = json.loads(np.load(io.BytesIO(raw)).tobytes())
        edit(meta)
        out = io.BytesIO()
        np.save(out, np.frombuffer(json.dumps(meta).encode(), np.uint8))
        return out.getvalue()
    return rezip(data, member)


# ------------------------------------------------------------ 1: damaged array headers
@pytest.mark.parametrize("old, new", [(b"(1600,)", b"(1000,)"), (b"'<f8'", b"'<f4'"),
                                      (b"(1600,)", b"(0,)   ")])
def test_a_damaged_header_of_a_large_entry_raises(old: bytes, new: bytes) -> None:
    """NumPy reads as many bytes as the header announces, and the zip reader checks the
    CRC only at the member's end: a header that shrank the array loaded the rest as
    garbage (an empty array, float32 noise) without error."""
    original = saved(w=np.arange(1600.0), model=nn.Linear(40, 40))
    damaged = original.replace(old, new, 1)
    assert len(damaged) == len(original) and damaged != original
    with pytest.raises(CheckpointError, match="entry 'w'"):
        nn.load(io.BytesIO(damaged))
    model = nn.Linear(40, 40)
    weight = bytearray(original)
    start = original.index(b"(40, 40)", original.index(b"model/weight"))
    weight[start + 1] = ord("2")  # (40, 40) -> (20, 40): a header of the same length
    with pytest.raises(CheckpointError, match="model/weight"):
        nn.load_into(io.BytesIO(bytes(weight)), model=model)
    deflated = rezip(original, lambda name, raw: raw, zipfile.ZIP_DEFLATED)
    loaded = nn.load(io.BytesIO(deflated))  # read to the end of a compressed member too
    np.testing.assert_array_equal(loaded["w"], np.arange(1600.0))


# ---------------------------------------------------- 2: members that are not .npy data
@pytest.mark.parametrize("member", ["a.npy", f"{META_KEY}.npy"])
def test_a_member_that_is_not_npy_data_raises(member: str) -> None:
    """NumPy's NpzFile gives such a member as raw bytes: the value was b'...' or the
    metadata an AttributeError."""
    original = saved(a=np.arange(3.0), g=np.random.default_rng(0))
    meta = np.load(io.BytesIO(original))[META_KEY].tobytes()
    foreign = rezip(original, lambda name, raw: (b"not an npy member" if name == "a.npy"
                                                  else meta) if name == member else raw)
    with pytest.raises(CheckpointError, match="cannot read entry"):
        nn.load(io.BytesIO(foreign))


# ------------------------------------------------------------- 3: hand-edited metadata
def generator_node(meta: dict) -> dict:
    return meta["objects"]["items"][0][1]


def state_item(node: dict, key: str) -> list:
    return next(pair for pair in node["v"]["items"] if pair[0]["v"] == key)


def set_has_uint32(meta: dict) -> None:
    state_item(generator_node(meta), "has_uint32")[1]["v"] = str(2 ** 70)


def set_state_int(meta: dict) -> None:
    state = state_item(generator_node(meta), "state")[1]
    state["items"][0][1]["v"] = str(-1)


def set_bool(meta: dict) -> None:
    meta["objects"]["items"][1][1] = {"t": "bool", "v": "yes"}


def set_requires_grad(meta: dict) -> None:
    meta["objects"]["items"][2][1]["requires_grad"] = "yes"


def set_version(meta: dict) -> None:
    meta["version"] = True


def set_top_kind(meta: dict) -> None:
    meta["objects"] = {"t": "list", "items": []}


def set_int_kind(meta: dict) -> None:
    meta["objects"]["items"][1][1] = {"t": "int", "v": 7}


@pytest.mark.parametrize("edit", [set_has_uint32, set_state_int, set_bool, set_requires_grad,
                                  set_version, set_top_kind, set_int_kind])
def test_hand_edited_metadata_raises_a_checkpoint_error(edit: Callable[[dict], None]) -> None:
    """An out-of-range int in a generator state was a bare OverflowError; a bool "yes"
    loaded as 'yes', requires_grad "yes" as False, version true and a list of objects
    loaded."""
    original = saved(g=np.random.default_rng(0), flag=True,
                     t=autograd.Tensor(np.ones(2), requires_grad=True))
    with pytest.raises(CheckpointError):
        nn.load(io.BytesIO(edit_meta(original, edit)))


# ----------------------------------------------------- 4: subclasses and exact types
NUMPY_SCALARS = [np.float32(1.5), np.float64(0.1), np.float16(-2.0), np.int8(-3),
                 np.uint64(2 ** 64 - 1), np.bool_(True), np.str_("ab\u00e9"),
                 np.bytes_(b"x\x00y"), np.complex128(1 - 2j), np.datetime64("2024-01-02")]


def test_numpy_scalars_come_back_as_numpy_scalars_of_their_dtype() -> None:
    """np.float64 (a float) came back as float, np.str_ (a str) as str."""
    loaded = round_trip(NUMPY_SCALARS)
    for value, back in zip(NUMPY_SCALARS, loaded, strict=True):
        assert type(back) is type(value) and back.dtype == value.dtype and back == value


def test_an_ordered_dict_comes_back_as_an_ordered_dict() -> None:
    value = collections.OrderedDict([("b", 1), ("a", [collections.OrderedDict(z=2)])])
    loaded = round_trip(value)
    assert type(loaded) is collections.OrderedDict and loaded == value
    assert type(loaded["a"][0]) is collections.OrderedDict
    assert list(loaded) == list(value)


def test_an_autograd_generator_comes_back_with_its_initial_seed() -> None:
    generator = autograd.Generator().manual_seed(2147483647)
    generator.random(5)
    reference = copy.deepcopy(generator)
    loaded = round_trip(generator)
    assert type(loaded) is autograd.Generator
    assert loaded.initial_seed() == reference.initial_seed()
    np.testing.assert_array_equal(loaded.random(4), reference.random(4))
    target = autograd.Generator()  # load_into restores the seed too
    nn.load_into(io.BytesIO(saved(g=generator)), g=target)
    assert target.initial_seed() == generator.initial_seed()
    np.testing.assert_array_equal(target.random(4), generator.random(4))


@pytest.mark.parametrize("bit_generator", ["PCG64", "MT19937", "Philox", "SFC64"])
def test_a_numpy_generator_keeps_its_seed_sequence(bit_generator: str) -> None:
    """After loading, spawn() gave other children than the original (a pickled generator
    keeps them)."""
    seeds = np.random.SeedSequence([3, 1, 4], spawn_key=(2,))
    generator = np.random.Generator(getattr(np.random, bit_generator)(seeds))
    generator.spawn(2)
    generator.random(3)
    reference = pickle.loads(pickle.dumps(generator))
    loaded = round_trip(generator)
    assert type(loaded) is np.random.Generator
    np.testing.assert_array_equal(loaded.random(3), reference.random(3))
    for child, expected in zip(loaded.spawn(2), reference.spawn(2)):
        np.testing.assert_array_equal(child.random(3), expected.random(3))


@pytest.mark.parametrize("persistent", [True, False])
def test_a_buffer_comes_back_as_a_buffer(persistent: bool) -> None:
    """A state dict holds plain Tensors (a module keeps no Buffer objects), so only a
    Buffer saved by itself is concerned; torch.load gives it back with its flag."""
    buffer = nn.Buffer(np.arange(3.0), persistent=persistent)
    loaded = round_trip(buffer)
    assert type(loaded) is nn.Buffer and loaded.persistent is persistent
    np.testing.assert_array_equal(loaded.numpy(), buffer.numpy())
    model = nn.BatchNorm1d(3)
    assert all(type(v) is autograd.Tensor for v in model.state_dict().values())


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 2


class Mode(str, enum.Enum):
    TRAIN = "train"


class MyInt(int):
    pass


class MyFloat(float):
    pass


class MyStr(str):
    pass


class MyList(list):
    pass


class MyDict(dict):
    pass


Pair = collections.namedtuple("Pair", "a b")

REFUSED = {  # how each is made (np.matrix warns when made), and the conversion advised
    "namedtuple": (lambda: Pair(1, 2), r"x\._asdict\(\)"),
    "defaultdict": (lambda: collections.defaultdict(list, a=[1]), r"dict\(x\)"),
    "dict subclass": (lambda: MyDict(a=1), r"dict\(x\)"),
    "mappingproxy": (lambda: types.MappingProxyType({"a": 1}), r"dict\(x\)"),
    "list subclass": (lambda: MyList([1]), r"list\(x\)"),
    "IntEnum": (lambda: Level.HIGH, r"x\.value"), "str Enum": (lambda: Mode.TRAIN, r"x\.value"),
    "Enum": (lambda: Color.RED, r"x\.value"), "int subclass": (lambda: MyInt(3), r"int\(x\)"),
    "float subclass": (lambda: MyFloat(0.5), r"float\(x\)"),
    "str subclass": (lambda: MyStr("s"), r"str\(x\)"),
    "matrix": (lambda: np.matrix([[1.0, 2.0]]), r"np\.asarray\(x\)"),
    "recarray": (lambda: np.rec.array([(1, 2.0)], dtype=[("a", "i8"), ("b", "f8")]),
                 r"np\.asarray\(x\)")}


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
@pytest.mark.parametrize("name", REFUSED)
def test_subclasses_that_would_load_as_their_base_type_are_refused(tmp_path: Path,
                                                                   name: str) -> None:
    """They were saved and came back as tuple, dict, list, int, str or ndarray; the
    message names the conversion, and the existing file stays as it was."""
    make, conversion = REFUSED[name]
    value = make()
    path = tmp_path / "c.npz"
    nn.save(path, v=1)
    before = path.read_bytes()
    with pytest.raises(ArgumentTypeError, match=rf"'v/0' of type {type(value).__name__}: "
                                                rf".*save .*{conversion}"):
        nn.save(path, v=[value])
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["c.npz"]


# ------------------------------------------------------------ 5: big ints, deep nesting
def test_ints_past_the_decimal_digit_limit_round_trip() -> None:
    """Ints were stored as decimal strings: 10**4300 and up raised a bare ValueError."""
    values = [10 ** 5000 + 7, -(2 ** 20000) + 1, 2 ** 2048, -(2 ** 2048) - 1, 2 ** 2049]
    loaded = round_trip({"n": values})["n"]
    assert all(type(n) is int for n in loaded) and loaded == values


def nested(depth: int, kind: type) -> Any:
    value: Any = None
    for _ in range(depth):
        value = [value] if kind is list else {"k": value}
    return value


def call_deeper(frames: int, function: Callable[[], Any]) -> Any:
    return function() if frames == 0 else call_deeper(frames - 1, function)


@pytest.mark.parametrize("kind", [list, dict])
def test_nesting_too_deep_is_refused_at_save(tmp_path: Path, kind: type) -> None:
    """Nesting past the recursion limit was a bare RecursionError, and a dict 330 deep
    saved into a file that json.loads could not read back. Values nested up to MAX_DEPTH
    save and load, also from deeper in the stack."""
    path = tmp_path / "c.npz"
    nn.save(path, v=1)
    before = path.read_bytes()
    for depth in (MAX_DEPTH + 1, 330, sys.getrecursionlimit() + 10):
        with pytest.raises(ArgumentTypeError, match="nest more than"):
            nn.save(path, v=nested(depth, kind))
        assert path.read_bytes() == before and os.listdir(tmp_path) == ["c.npz"]
    nn.save(path, v=nested(MAX_DEPTH, kind))
    assert call_deeper(300, lambda: nn.load(path))["v"] == nested(MAX_DEPTH, kind)
    stack_left = sys.getrecursionlimit() - 60  # saving from deep recursion: no bare error
    with pytest.raises(ArgumentTypeError, match="nested too deeply"):
        call_deeper(stack_left, lambda: nn.save(path, v=nested(MAX_DEPTH, kind)))
    assert nn.load(path)["v"] == nested(MAX_DEPTH, kind)


# ---------------------------------------------------------------------- 6: file modes
def test_a_new_checkpoint_gets_the_mode_open_gives(tmp_path: Path) -> None:
    """It was always 0o644, so a private umask gave world-readable checkpoints; an
    existing file keeps its mode."""
    for umask in (0o077, 0o002, 0o022):
        old = os.umask(umask)
        try:
            with open(tmp_path / f"reference{umask:03o}", "wb"):
                pass
            nn.save(tmp_path / f"c{umask:03o}.npz", v=1)
        finally:
            os.umask(old)
        mode = os.stat(tmp_path / f"reference{umask:03o}").st_mode & 0o777
        assert os.stat(tmp_path / f"c{umask:03o}.npz").st_mode & 0o777 == mode, oct(umask)
    os.chmod(tmp_path / "c077.npz", 0o640)
    nn.save(tmp_path / "c077.npz", v=2)
    assert os.stat(tmp_path / "c077.npz").st_mode & 0o777 == 0o640


def test_a_memmap_saves_as_the_array_it_holds(tmp_path: Path) -> None:
    """An ndarray subclass that loses nothing as a plain array (its file is only where the
    values lived) is kept, not refused as np.matrix is."""
    mapped = np.memmap(tmp_path / "values.dat", dtype=np.float32, mode="w+", shape=(2, 3))
    mapped[:] = np.arange(6.0).reshape(2, 3)
    nn.save(tmp_path / "c.npz", m=mapped)
    loaded = nn.load(tmp_path / "c.npz")["m"]
    assert type(loaded) is np.ndarray and loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, np.asarray(mapped))
