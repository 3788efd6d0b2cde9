"""Reading a checkpoint for ``nn.load`` and ``nn.load_into`` (``nn/checkpoint.py``): open the
``.npz`` at a path or at a file object's position, decode it (``nn/checkpoint_format.py``),
and turn every failure into an error that says what the file is and what to do.

A file object may hold several checkpoints one after another (``nn.save`` into one stream,
as ``torch.save`` allows). zipfile finds an archive through the directory at the end of
the stream, so it would open the last one; :func:`_open_at` narrows its view of the stream
until the archive it opens starts at the position, reads that one, and leaves the stream
at its end, as ``torch.load`` does.
"""
from __future__ import annotations

import io
import os
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from autograd.errors import UsageError
from .checkpoint_format import (META_KEY, UNREADABLE, Decoder, deeper_than_stack,
                                read_meta)
from .errors import ArgumentTypeError, CheckpointError

__all__ = ["Contents", "read", "is_path_or_file", "refuse_text_file", "source_name",
           "check_stream", "MISSING"]

PathLike = str | os.PathLike

MISSING = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


class Contents(NamedTuple):
    """What a checkpoint holds: ``values`` by name, the kind of each top-level node
    ("state", "generator", ...) and the class name of each object saved through
    ``state_dict`` (else None); for a file of one unnamed object (``nn.save(obj, path)``),
    ``values`` is that object and ``kinds`` and ``classes`` are None."""
    values: Any
    kinds: dict[str, str] | None
    classes: dict[str, str | None] | None


def is_path_or_file(path: Any, method: str) -> bool:
    """Whether ``path`` is a path, or a file object with the method ``method``."""
    return isinstance(path, (str, bytes, os.PathLike)) or callable(getattr(path, method, None))


def refuse_text_file(path: Any, verb: str, mode: str) -> None:
    """``ArgumentTypeError`` for a file object opened in text mode: checkpoints are bytes."""
    if isinstance(path, io.TextIOBase):
        raise ArgumentTypeError(f"nn.{verb} needs a binary file; {source_name(path)} is open "
                                f"in text mode. Open it with open(path, {mode!r}), or pass the "
                                f"path itself")


def source_name(path: Any) -> str:
    """How a path or file object is named in messages."""
    if isinstance(path, (str, bytes, os.PathLike)):
        return os.fsdecode(path)
    return str(getattr(path, "name", f"<{type(path).__name__}>"))


def read(path: PathLike | BinaryIO) -> Contents:
    """The contents of the checkpoint at ``path``, or at a file object's position (which
    is then left at the end of that checkpoint)."""
    if not is_path_or_file(path, "read"):
        raise ArgumentTypeError(f"nn.load needs a path (str or pathlib.Path) or a binary file "
                                f"object; got {type(path).__name__}")
    refuse_text_file(path, "load", "rb")
    source = source_name(path)
    if isinstance(path, (str, bytes, os.PathLike)):
        npz, end = _np_load(source, source), None
    else:
        npz, end = _open_at(path, _position(path, source), source)
    with npz:
        contents = _decode(npz, source)
    if end is not None:
        path.seek(end)
    return contents


def check_stream(stream: Any, verb: str) -> None:
    """``UsageError`` for a file object that is closed, or not open for ``verb`` ("load":
    reading, "save": writing)."""
    source = source_name(stream)
    mode, able = ("rb", "readable") if verb == "load" else ("wb", "writable")
    if getattr(stream, "closed", False) is True:
        raise UsageError(f"nn.{verb}: the file object {source} is closed; open it again, "
                         f"open(path, {mode!r}), or pass the path itself")
    check = getattr(stream, able, None)
    if callable(check) and not check():
        raise UsageError(f"nn.{verb}: the file object {source} is not {able}; open it with "
                         f"open(path, {mode!r}), or pass the path itself")


def _position(stream: Any, source: str) -> int:
    """Where ``stream`` stands: ``UsageError`` for one that cannot be read or cannot seek
    (zipfile reads an archive's directory at its end, then jumps back to each entry)."""
    check_stream(stream, "load")
    seekable = getattr(stream, "seekable", None)
    try:
        if callable(seekable) and not seekable():
            raise io.UnsupportedOperation("seek")
        return stream.tell()
    except (OSError, AttributeError) as exc:  # io.UnsupportedOperation is an OSError
        raise UsageError(
            f"nn.load needs a seekable file object, and {source} cannot seek ({exc}). Read "
            f"it into memory first, nn.load(io.BytesIO(f.read())), as torch.load "
            f"advises") from exc


def _open_at(stream: Any, start: int, source: str) -> tuple[Any, int]:
    """The ``NpzFile`` of the archive that starts at ``start`` in ``stream``, and where that
    archive ends: zipfile opens the last archive of what it sees, so while that one starts
    after ``start``, look again at the bytes before it only."""
    view, end = stream, None
    while True:
        npz = _np_load(view, source)
        first = min((info.header_offset for info in npz.zip.infolist()), default=start)
        if first == start:
            if end is None:  # the last archive: it ends with the stream
                stream.seek(0, io.SEEK_END)
                end = stream.tell()
            return npz, end
        npz.close()
        if first < start:
            raise CheckpointError(
                f"{source}: the stream stands at byte {start}, inside a checkpoint that "
                f"starts at byte {first}; seek to its start first (f.seek({first}))")
        view, end = _Prefix(stream, first), first
        stream.seek(start)


class _Prefix(io.RawIOBase):
    """The bytes of ``stream`` before position ``end``, read and sought as in ``stream``
    (so zipfile, seeking to the end, finds the archive that ends at ``end``)."""

    def __init__(self, stream: Any, end: int) -> None:
        super().__init__()
        self._stream, self._end = stream, end

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._stream.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._end + offset, io.SEEK_SET
        return self._stream.seek(offset, whence)

    def read(self, size: int | None = -1) -> bytes:
        left = max(0, self._end - self._stream.tell())
        return self._stream.read(left if size is None or size < 0 else min(size, left))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _np_load(file: Any, source: str) -> Any:
    """``np.load(file)`` of an ``.npz`` archive, without pickles; ``CheckpointError`` for
    anything else or anything damaged (a missing path raises as ``open`` does)."""
    try:
        npz = np.load(file, allow_pickle=False)
    except MISSING:
        raise
    except UNREADABLE as exc:  # NumPy's advice to allow pickles is not ours to give:
        detail = ("not an .npz archive" if "allow_pickle" in str(exc)  # any non-NumPy file
                  else f"{type(exc).__name__}: {exc}")
        raise CheckpointError(f"{source} is not a readable checkpoint (a truncated, corrupt "
                              f"or foreign file; nn.save writes checkpoints): "
                              f"{detail}") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{source} holds a single .npy array, not an nn.save checkpoint")
    return npz


def _decode(npz: Any, source: str) -> Contents:
    """The values of the open checkpoint ``npz``."""
    if META_KEY not in npz.files:
        if any(name.rpartition("/")[2] == "data.pkl" for name in npz.zip.namelist()):
            raise CheckpointError(
                f"{source} is a torch.save file (a zip archive around a pickle, data.pkl), "
                f"not an nn.save checkpoint; nn.load never runs pickles. Convert it where "
                f"torch is installed: nn.save({{k: v.numpy() for k, v in "
                f"torch.load(path).items()}}, new_path), then "
                f"model.load_state_dict(nn.load(new_path))")
        raise CheckpointError(f"{source} is an .npz file without checkpoint metadata "
                              f"(no '{META_KEY}' entry): it was not written by nn.save")
    meta = read_meta(Decoder(npz, source)._array(META_KEY), source)
    decoder = Decoder(npz, source)
    try:
        if "object" in meta:  # nn.save(obj, path): one unnamed object
            return Contents(decoder.decode(meta["object"]), None, None)
        top = meta["objects"]
        values = decoder.decode(top)
        if top["t"] != "dict":
            raise CheckpointError(f"{source}: corrupt checkpoint metadata: the objects "
                                  f"are a {top['t']!r} node, not a dict")
        kinds = {decoder.decode(k): v["t"] for k, v in top["items"]}
        classes = {decoder.decode(k): v.get("class") for k, v in top["items"]}
    except CheckpointError:
        raise
    except RecursionError as exc:
        raise deeper_than_stack(source) from exc
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise CheckpointError(f"{source}: corrupt checkpoint metadata "
                              f"({type(exc).__name__}: {exc})") from exc
    return Contents(values, kinds, classes)
