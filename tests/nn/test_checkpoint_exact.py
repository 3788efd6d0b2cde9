"""nn.save / nn.load keep every value's type and bits: floats, ints, tuples, NumPy
scalars, int dict keys, array entries whose paths collide; load_into checks the bit
generator; a save keeps the file's mode and the temporaries of its own process."""
from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.errors import CheckpointError


def test_values_come_back_with_their_type_and_bits(tmp_path: Path) -> None:
    values = {"third": 1.0 / 3.0, "sum": 0.1 + 0.2, "tiny": 5e-324, "big": 2 ** 70,
              "pair": (1, 2.5), "half": np.float32(1.0 / 3.0), "keys": {0: "a", 7: "b"}}
    nn.save(tmp_path / "v.npz", **values)
    loaded = nn.load(tmp_path / "v.npz")
    for name, value in values.items():
        assert loaded[name] == value and type(loaded[name]) is type(value), name
    assert type(loaded["pair"][0]) is int
    assert loaded["half"].dtype == np.float32 and not isinstance(loaded["half"], np.ndarray)


def test_array_entries_whose_paths_collide_stay_apart(tmp_path: Path) -> None:
    a, b = np.arange(3.0), np.arange(4.0) + 10
    nn.save(tmp_path / "c.npz", obj={"x/y": a, "x": {"y": b}})
    loaded = nn.load(tmp_path / "c.npz")["obj"]
    np.testing.assert_array_equal(loaded["x/y"], a)
    np.testing.assert_array_equal(loaded["x"]["y"], b)


def test_load_into_a_generator_of_another_bit_generator_is_a_checkpoint_error(
        tmp_path: Path) -> None:
    nn.save(tmp_path / "g.npz", rng=np.random.default_rng(0))
    target = np.random.Generator(np.random.MT19937(0))
    with pytest.raises(CheckpointError, match="MT19937"):
        nn.load_into(tmp_path / "g.npz", rng=target)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_saving_over_a_checkpoint_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    nn.save(path, n=1)
    os.chmod(path, 0o600)
    nn.save(path, n=2)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and nn.load(path)["n"] == 2


def test_a_temporary_of_this_process_is_left_for_the_save_that_writes_it(
        tmp_path: Path) -> None:
    """Another thread of this process may be writing it right now."""
    path = tmp_path / "t.npz"
    busy = tmp_path / f".t.npz.{os.getpid()}-abcd1234.tmp"
    busy.write_bytes(b"in progress")
    nn.save(path, n=1)
    assert busy.exists()


def test_numpy_integer_dict_keys_load_back_as_numpy_ints(tmp_path: Path) -> None:
    """np.unique's labels as keys keep their NumPy type, as PyTorch's (session 37)."""
    labels = np.unique(np.array([3, 1, 3], dtype=np.int32))
    counts = {label: np.int64(i) for i, label in enumerate(labels)}
    nn.save(tmp_path / "k.npz", counts=counts)  # was: "keys must be str or int"
    loaded = nn.load(tmp_path / "k.npz")["counts"]
    assert loaded == {1: 0, 3: 1} and all(type(k) is np.int32 for k in loaded)


def test_a_masked_array_is_refused_rather_than_saved_without_its_mask(tmp_path: Path) -> None:
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    with pytest.raises(TypeError, match=r"masked array at 'x/0'.*mask would be lost"):
        nn.save(tmp_path / "m.npz", x=[masked])  # was: saved as [1.0, 2.0], mask dropped
    assert not any(tmp_path.iterdir())
    nn.save(tmp_path / "m.npz", data=np.ma.getdata(masked), mask=np.ma.getmaskarray(masked))
    assert nn.load(tmp_path / "m.npz")["mask"].tolist() == [False, True]


def test_a_key_ending_in_npy_beside_the_same_key_without_it_keeps_its_own_array(
        tmp_path: Path) -> None:
    """np.savez stores entry "k" as member "k.npy"; NumPy's npz["a.npy"] then reads entry
    "a" (member "a.npy") rather than entry "a.npy" (member "a.npy.npy")."""
    ones, zeros = np.ones(2), np.zeros(3)
    nn.save(tmp_path / "n.npz", weights={"a.npy": ones, "a": zeros}, **{"b.npy": ones, "b": 1})
    loaded = nn.load(tmp_path / "n.npz")
    np.testing.assert_array_equal(loaded["weights"]["a.npy"], ones)  # was: zeros, shape (3,)
    np.testing.assert_array_equal(loaded["weights"]["a"], zeros)
    np.testing.assert_array_equal(loaded["b.npy"], ones)


def test_keys_that_make_no_zip_member_name_round_trip(tmp_path: Path) -> None:
    """A NUL ends a zip name (two keys became one member, or none was found), a lone
    surrogate is no UTF-8 and a zip name holds at most 65535 bytes."""
    keys = ["a\x00b", "a\x00c", "a", "\ud800", "k" * 70_000, "k" * 70_001]
    weights = {key: np.full(2, float(i)) for i, key in enumerate(keys)}
    nn.save(tmp_path / "k.npz", weights=weights, **{"x\x00": np.ones(1)})
    loaded = nn.load(tmp_path / "k.npz")  # was: CheckpointError, UnicodeEncodeError, error
    assert list(loaded["weights"]) == keys
    for i, key in enumerate(keys):
        np.testing.assert_array_equal(loaded["weights"][key], np.full(2, float(i)))
    np.testing.assert_array_equal(loaded["x\x00"], np.ones(1))


def test_a_list_or_dict_holding_itself_is_a_named_error(tmp_path: Path) -> None:
    loop: list = [1]
    loop.append({"back": loop})
    with pytest.raises(TypeError, match=r"cannot save 'x/1/back': it is a list that holds "
                                        r"itself \(a cycle\)"):
        nn.save(tmp_path / "c.npz", x=loop)  # was: a bare RecursionError
    shared = [1]
    nn.save(tmp_path / "c.npz", y=(shared, {"again": shared}))  # twice, but no cycle
    assert nn.load(tmp_path / "c.npz")["y"] == ([1], {"again": [1]})


@pytest.mark.parametrize("share", [0.7, 2.0])
def test_metadata_nested_too_deeply_is_a_checkpoint_error(tmp_path: Path, share: float
                                                          ) -> None:
    """A crafted file: JSON deeper than the recursion limit (json.loads fails) or just
    under it (the decoder, two frames a level, fails where Python counts its frames
    against the limit; Python 3.12+ may load it): a CheckpointError or the value, never
    a bare RecursionError."""
    from nn.checkpoint_format import MAGIC, META_KEY
    depth = int(sys.getrecursionlimit() * share)
    node = '{"t": "list", "items": [' * depth + '{"t": "none"}' + "]}" * depth
    meta = f'{{"magic": "{MAGIC}", "version": 1, "objects": {{"t": "dict", "items": ' \
           f'[[{{"t": "str", "v": "x"}}, {node}]]}}}}'
    np.savez(tmp_path / "deep.npz", **{META_KEY: np.frombuffer(meta.encode(), np.uint8)})
    try:
        value = nn.load(tmp_path / "deep.npz")["x"]  # was: a bare RecursionError
    except CheckpointError as error:
        assert re.search("deep.npz: (unreadable|corrupt) checkpoint metadata.*recursion",
                         str(error))
        return
    assert share < 1  # only a depth under the limit may load
    for _ in range(depth):
        (value,) = value
    assert value is None
