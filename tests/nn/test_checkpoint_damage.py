"""Damaged checkpoints raise CheckpointError naming the file; killed saves leave nothing
behind for long; a symlinked checkpoint path keeps its link."""
import io
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from autograd.errors import AutogradError
from nn.checkpoint import CheckpointError, load, save
from nn.layers import Linear
from nn.optim import SGD, StepLR

FLIPS = 600


def write_checkpoint(path):
    """A small checkpoint with every kind of entry: a module, an optimizer with state, a
    scheduler, a generator, plain values."""
    model = Linear(3, 2, rng=np.random.default_rng(0))
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    opt.step()
    save(path, model=model, optim=opt, sched=StepLR(opt, 2), rng=np.random.default_rng(1),
         epoch=3, note="damaged on purpose", history=[0.5, 0.25])
    return path.read_bytes()


def load_damaged(path, data):
    """Load ``data`` from ``path``: a CheckpointError naming the file, or a value."""
    path.write_bytes(data)
    try:
        return load(path)
    except CheckpointError as exc:
        assert str(path) in str(exc), str(exc)
        assert isinstance(exc, AutogradError) and isinstance(exc, ValueError)
        return exc


def header_positions(data):
    """Byte positions of the parts that parsers interpret: the first entry's zip local
    header and .npy header, its central-directory record, and the end record."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        local_end = first.header_offset + 30 + len(first.filename) + len(first.extra)
        npy_end = local_end + 10 + struct.unpack_from("<H", data, local_end + 8)[0]
    central = data.index(b"PK\x01\x02")
    central_end = central + 46 + struct.unpack_from("<H", data, central + 28)[0]
    return [*range(first.header_offset, npy_end), *range(central, central_end),
            *range(len(data) - 22, len(data))]


def assert_flips_are_clean(tmp_path, original, flips):
    """Each (position, bit) flip loads cleanly or raises CheckpointError; returns how
    many raised."""
    errors = 0
    for position, bit in flips:
        damaged = bytearray(original)
        damaged[position] ^= 1 << int(bit)
        try:
            result = load_damaged(tmp_path / "flipped.npz", bytes(damaged))
        except Exception as exc:  # noqa: BLE001 - the report names the byte and bit
            pytest.fail(f"flipping bit {bit} of byte {position} gave {type(exc).__name__}: "
                        f"{exc}")
        errors += isinstance(result, CheckpointError)
    return errors


def test_every_bit_of_the_headers_flipped(tmp_path):
    """Exhaustive over the header bytes (about 1,000 flips): the encrypted flag, the
    compression method, sizes, name lengths, the .npy magic and header dict."""
    original = write_checkpoint(tmp_path / "good.npz")
    flips = [(p, b) for p in header_positions(original) for b in range(8)]
    errors = assert_flips_are_clean(tmp_path, original, flips)
    assert errors > len(flips) // 2


def test_random_bit_flips_anywhere(tmp_path):
    original = write_checkpoint(tmp_path / "good.npz")
    rng = np.random.default_rng(2024)
    flips = zip(rng.integers(0, len(original), size=FLIPS), rng.integers(0, 8, size=FLIPS))
    assert assert_flips_are_clean(tmp_path, original, flips) > FLIPS // 2  # CRCs catch most


def local_header_offsets(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [info.header_offset for info in archive.infolist()]


@pytest.mark.parametrize("field, offset, value", [
    ("encrypted flag", 6, 0x0001), ("compression method", 8, 99),
    ("compression method deflate", 8, 8)])
def test_zip_header_fields_of_each_kind(tmp_path, field, offset, value):
    data = bytearray(write_checkpoint(tmp_path / "good.npz"))
    for header in local_header_offsets(bytes(data)):
        struct.pack_into("<H", data, header + offset, value)
    central = data.rfind(b"PK\x01\x02")  # the central directory repeats the field, 2 on
    while central != -1:
        struct.pack_into("<H", data, central + offset + 2, value)
        central = data.rfind(b"PK\x01\x02", 0, central)
    assert isinstance(load_damaged(tmp_path / "bad.npz", bytes(data)), CheckpointError)


def npy_with_header(header):
    """A .npy (format 1.0) whose header dict is ``header``, padded as NumPy pads it."""
    header = header + b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + bytes(48)


@pytest.mark.parametrize("header", [
    b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, (",   # tokenize.TokenError
    b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,) + }",  # SyntaxError
    b"{'descr': 'zz', 'fortran_order': False, 'shape': (3,), }",    # TypeError
    b"{'descr': '<f8', 'fortran_order': False, 'shape': (9999,), }",  # too short
])
def test_mangled_array_headers(tmp_path, header):
    """A valid zip (CRCs right) whose array entry has a broken .npy header."""
    original = write_checkpoint(tmp_path / "good.npz")
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as good, \
            zipfile.ZipFile(rebuilt, "w") as bad:
        for name in good.namelist():
            content = good.read(name)
            bad.writestr(name, content if name.startswith("__") else npy_with_header(header))
    assert isinstance(load_damaged(tmp_path / "bad.npz", rebuilt.getvalue()),
                      CheckpointError)


# ------------------------------------------------------------------ leftovers
KILLED_SAVE = """
import os, sys, numpy as np
sys.path.insert(0, {root!r})
from nn import checkpoint
def stop(*args, **kwargs):
    os._exit(9)  # like kill -9: no cleanup runs
checkpoint.np.savez = lambda f, **entries: (f.write(b"partial"), f.flush(), stop())
checkpoint.save({path!r}, x=np.zeros(3))
"""


def test_the_next_save_removes_temporaries_of_a_killed_save(tmp_path):
    target = tmp_path / "model.npz"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = KILLED_SAVE.format(root=root, path=str(target))
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9
    first = [p.name for p in tmp_path.iterdir()]
    assert len(first) == 1 and first[0].startswith(".model.npz.")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9
    second = [p.name for p in tmp_path.iterdir()]  # the second save cleared the first's
    assert len(second) == 1 and second != first
    others = [tmp_path / ".other.npz.1-abcdefgh.tmp",      # another target's
              tmp_path / f".model.npz.{os.getpid()}-abcdefgh.tmp",  # a save still running
              tmp_path / ".model.npz.notes.tmp"]           # not a name save() makes
    for other in others:
        other.write_bytes(b"x")
    save(target, x=np.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["model.npz"] + [p.name for p in others])
    np.testing.assert_array_equal(load(target)["x"], np.ones(3))


def test_an_old_temporary_without_a_pid_is_removed_after_an_hour(tmp_path):
    old, fresh = tmp_path / ".m.npz.abcd1234.tmp", tmp_path / ".m.npz.wxyz9876.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (0, os.path.getmtime(old) - 2 * 3600))
    save(tmp_path / "m.npz", x=1)
    assert not old.exists() and fresh.exists()


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "best.npz"
    save(real, epoch=1)
    link = tmp_path / "latest.npz"
    link.symlink_to(real)
    save(link, epoch=2)
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert load(real)["epoch"] == 2 and load(link)["epoch"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.npz", "runs"]
