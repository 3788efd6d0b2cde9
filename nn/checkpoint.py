"""Checkpoints: many objects in one ``.npz`` file, written atomically, read without pickle.

``save``, ``load`` and ``load_into`` open and write the files (reading them is
``nn/checkpoint_reader.py``); what goes inside (an ``.npz`` entry per array and one JSON
entry, ``__checkpoint__``, for the structure) is ``nn/checkpoint_format.py``.

Reading never trusts the file: whatever NumPy's or zipfile's parsers raise on damaged
bytes (a bad zip header, a flipped "encrypted" flag, an unknown compression method, a
mangled array header, a CRC mismatch) becomes a :class:`CheckpointError` naming the file
and what is wrong. A save that was killed leaves its temporary
``.<name>.<pid>-XXXXXXXX.tmp`` beside the target; the next save to that target removes
those whose process is gone.

Activation checkpointing (PyTorch's ``torch.utils.checkpoint``: ``checkpoint``,
``checkpoint_sequential``) is ``nn/activation_checkpoint.py``, reached here.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import time
from typing import Any, BinaryIO

import numpy as np

from autograd import Generator
from autograd.errors import UsageError
from .checkpoint_format import (FORMAT_VERSION, MAGIC, META_KEY, NAMED_VERSION, Encoder,
                                has_state, nesting_checked)
from .checkpoint_reader import (check_stream, is_path_or_file, read, refuse_text_file,
                                source_name)
from ._checks import flag, is_cpu
from .errors import ArgumentTypeError, CheckpointError, ConfigError
from .activation_checkpoint import checkpoint, checkpoint_sequential
from .optim.optimizer import Optimizer

__all__ = ["CheckpointError", "save", "load", "load_into", "MAGIC", "FORMAT_VERSION",
           "checkpoint", "checkpoint_sequential"]

_KIND_NAMES = {"state": "state dict", "generator": "generator"}

PathLike = str | os.PathLike

def save(path: PathLike | BinaryIO | Any, /, *misplaced: Any, **objects: Any) -> None:
    """Save ``objects`` (name=value) to one ``.npz`` file at ``path``, atomically; or, in
    ``torch.save``'s order, ``save(obj, path)``: one unnamed object, which :func:`load`
    then returns itself (``model.load_state_dict(nn.load(path))``); a str ``obj`` too,
    when ``path`` is a binary file or a ``pathlib.Path`` (two strs are a ``UsageError``:
    either could be the path).

    Modules, optimizers and schedulers are saved through ``state_dict()``; a
    ``numpy.random.Generator`` through its bit-generator state and seed sequence (an
    ``autograd.Generator`` with its initial seed). The file is written to
    a temporary file in the same folder, flushed to disk, then renamed over ``path``:
    if anything fails, the temporary file is removed and an existing checkpoint at
    ``path`` is left untouched (a new file gets the mode ``open()`` gives, 0o666 less the
    umask; a replaced one keeps its mode). ``path`` is used as given (no suffix is added); a
    symlink is followed, so the file it points to is replaced and the link is kept. Temporaries
    that a killed save left beside the target are removed first
    (:func:`_remove_stale_temporaries`). A binary file object (``io.BytesIO``, ``open(p,
    "wb")``) is written in place, as ``torch.save`` does (not atomically). ``path`` is
    positional only, so an object may be named ``path``.
    """
    if len(misplaced) == 1 and not objects and _in_torch_order(path, misplaced[0]):
        _save_one(path, misplaced[0])
        return
    if misplaced or not is_path_or_file(path, "write"):
        raise ArgumentTypeError(
            f"nn.save takes either the path (str, pathlib.Path or a binary file) first and "
            f"names every object, e.g. nn.save('ckpt.npz', model=model, optimizer=opt), or "
            f"one object and then the path, as torch.save(obj, path); got a "
            f"{type(path).__name__} first"
            + (f" and {len(misplaced)} more positional argument(s)" if misplaced else ""))
    refuse_text_file(path, "save", "wb")
    if not objects:
        raise UsageError("save() needs at least one object to save, e.g. save(path, model=model)")
    for name in objects:
        if name == META_KEY:
            raise ConfigError(f"invalid object name {name!r}: it is reserved for the "
                              f"checkpoint's own metadata entry; use another name")
        if not name or "/" in name:
            raise ConfigError(f"invalid object name {name!r}: use a non-empty name without '/'")
    encoder = Encoder()
    with nesting_checked():
        items = [[{"t": "str", "v": name}, encoder.encode(value, name)]
                 for name, value in objects.items()]
        _write(path, encoder, {"magic": MAGIC, "version": NAMED_VERSION,
                               "objects": {"t": "dict", "items": items}})


def _in_torch_order(first: Any, second: Any) -> bool:
    """Whether ``nn.save(first, second)`` is ``torch.save(obj, path)``'s order: ``second``
    is a path or a binary file and ``first`` is not, or is a str while ``second`` is not
    (the other order would save ``second``, which is no value, unnamed). Two strs are
    ambiguous: ``UsageError`` naming both orders."""
    if not is_path_or_file(second, "write"):
        return False
    if not is_path_or_file(first, "write"):
        return True
    if isinstance(first, str) and isinstance(second, str):
        raise UsageError(
            f"nn.save({first!r:.40}, {second!r:.40}): with two strs either could be the "
            f"path. torch.save's order, nn.save(obj, path), saves the str {first!r:.40} at "
            f"{second!r:.40}: pass that path as pathlib.Path({second!r:.40}) to mean it. "
            f"nn.save's own order, nn.save(path, name=value), names every object: "
            f"nn.save({first!r:.40}, text={second!r:.40})")
    return isinstance(first, str)


def _save_one(obj: Any, path: PathLike | BinaryIO) -> None:
    """``torch.save(obj, path)``'s order: ``obj`` alone, without a name."""
    if has_state(obj):  # torch.load would give the object back; here only its state is kept
        name = type(obj).__name__
        raise UsageError(
            f"nn.save({name.lower()}, path): torch.save pickles the whole {name} so that "
            f"torch.load gives the object back; a checkpoint here holds data only. Save "
            f"its state, nn.save(obj.state_dict(), path), and restore it with "
            f"obj.load_state_dict(nn.load(path)); or name it: nn.save(path, "
            f"{name.lower()}=obj)")
    refuse_text_file(path, "save", "wb")
    encoder = Encoder()
    with nesting_checked():
        _write(path, encoder, {"magic": MAGIC, "version": FORMAT_VERSION,
                               "object": encoder.encode(obj, "object")})


def _write(path: PathLike | BinaryIO, encoder: Encoder, meta: dict[str, Any]) -> None:
    """Write the encoder's arrays and ``meta`` as one ``.npz``: in place into a file
    object, else atomically (temporary file, fsync, rename) at ``path``."""
    entries = dict(encoder.arrays)
    entries[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)

    if not isinstance(path, (str, bytes, os.PathLike)):  # a file object
        check_stream(path, "save")
        np.savez(path, **entries)
        return
    target = os.path.realpath(os.fsdecode(path))  # through a symlink, to the file itself
    folder = os.path.dirname(target)
    if os.path.isdir(target) or os.fsdecode(path).endswith(("/", os.sep)):  # as open() does
        raise IsADirectoryError(errno.EISDIR, f"nn.save: {target} names a folder; give the "
                                f"path of a file in it, e.g. "
                                f"{os.path.join(target, 'checkpoint.npz')}", target)
    if not os.path.isdir(folder):  # else mkstemp names a temporary file nobody asked for
        raise FileNotFoundError(errno.ENOENT, f"nn.save: the folder {folder} does not "
                                f"exist; create it first (os.makedirs)", target)
    _remove_stale_temporaries(target)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **entries)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(target):  # a new file keeps the mode open() gave it
            os.chmod(tmp, os.stat(target).st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _create_temporary(target: str) -> tuple[int, str]:
    """A new file ``.<name>.<pid>-XXXXXXXX.tmp`` beside ``target``, open for writing, as
    ``(fd, path)``: created with mode 0o666 less the umask, as ``open()`` (and so
    ``torch.save``) creates files (``tempfile.mkstemp`` would give 0o600)."""
    folder, name = os.path.split(target)
    while True:
        tmp = os.path.join(folder, f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                           | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue


_TEMP_MIDDLE = re.compile(r"(?:(\d+)-)?[a-z0-9_]{8}")  # no "<pid>-": older versions
_LEGACY_AGE = 3600.0  # seconds: a temporary without a pid counts as stale after an hour


def _remove_stale_temporaries(target: str) -> None:
    """Delete ``.<name>.<pid>-XXXXXXXX.tmp`` files of ``target`` owned by this user whose
    writing process has ended (names without a pid: last written over an hour ago).
    A temporary of a save still running (another process or thread) is left alone."""
    folder, name = os.path.split(target)
    prefix = f".{name}."
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        with os.scandir(folder) as entries:
            candidates = [e for e in entries
                          if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return  # the save itself will report an unusable folder
    for entry in candidates:
        match = _TEMP_MIDDLE.fullmatch(entry.name[len(prefix):-len(".tmp")])
        if match is None:
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or (
                    uid is not None and info.st_uid != uid):
                continue
            pid = match.group(1)
            if (time.time() - info.st_mtime > _LEGACY_AGE if pid is None
                    else not _process_alive(int(pid))):
                os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (assumed so where it cannot be told)."""
    if pid == os.getpid():
        return True  # a save in another thread of this process
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate it on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. PermissionError: alive, someone else's
    return True


def load(path: PathLike | BinaryIO, /, map_location: Any = None, pickle_module: Any = None,
         *, weights_only: bool | None = None, mmap: bool | None = None,
         **objects: Any) -> Any:
    """Read a checkpoint written by :func:`save` from a path or a binary file object;
    never unpickles anything. A file written in ``torch.save``'s order, ``nn.save(obj,
    path)``, gives ``obj`` back (as ``torch.load``: a state dict, a dict, a Tensor...).
    Named ``objects`` (``nn.load(path, model=model)``, the mirror of ``nn.save(path,
    model=model)``) are restored in place, as by :func:`load_into`.

    ``torch.load``'s ``map_location``, ``weights_only`` and ``mmap`` are taken and change
    nothing: arrays load into host memory (an ``.npz`` entry cannot be memory-mapped, so
    ``mmap=True`` reads it whole), and only data is ever read (a ``map_location`` naming
    another device than the CPU, e.g. ``"cuda"``, is a ``UsageError``). Its unpickler's
    options (``pickle_module``, ``encoding``, ``errors``, ``fix_imports``) are a
    ``UsageError``: nothing is unpickled. Entries with those names restore through
    :func:`load_into`.

    Otherwise returns ``{name: value}``: the state dict for a module, optimizer or scheduler (pass
    it to ``load_state_dict``), a new generator of the saved class for a generator, and
    the value itself otherwise (tuples stay tuples, ints stay ints). Raises
    ``FileNotFoundError`` for a missing path and :class:`CheckpointError` for a file
    that is truncated, corrupt or not a checkpoint. A file object is read from its
    position, the checkpoint that starts there (a stream may hold several, one after
    another), and left at its end, as ``torch.load`` does; it must be open and seekable
    (else ``UsageError``).
    """
    options = {"map_location": map_location, "pickle_module": pickle_module,
               "weights_only": weights_only, "mmap": mmap}
    options.update({k: v for k, v in objects.items() if k in _UNPICKLER_OPTIONS
                    and not _restorable(v)})
    _check_torch_options(options)
    objects = {k: v for k, v in objects.items() if k not in options}
    if objects:
        return load_into(path, **objects)
    return read(path).values


_UNPICKLER_OPTIONS = ("pickle_module", "encoding", "errors", "fix_imports")


def _restorable(value: Any) -> bool:
    """Whether :func:`load_into` can restore into ``value``."""
    return has_state(value) or isinstance(value, np.random.Generator)


def _check_torch_options(options: dict[str, Any]) -> None:
    """Refuse ``torch.load`` options that ask for something else than data on the CPU,
    or for unpickling, and an object to restore given under one of their names."""
    for name, value in options.items():
        if _restorable(value):
            raise UsageError(f"nn.load({name}={type(value).__name__}): {name} is "
                             f"torch.load's own argument here, so it cannot name an entry "
                             f"to restore; restore that entry with nn.load_into(path, "
                             f"{name}=obj)")
        if name in _UNPICKLER_OPTIONS and value is not None:
            raise UsageError(f"nn.load({name}=...): that is an option of torch.load's "
                             f"unpickler, and a checkpoint here is never unpickled (it "
                             f"holds arrays and a JSON description, read with "
                             f"allow_pickle=False); leave {name} out.")
    for name in ("weights_only", "mmap"):
        if options[name] is not None:
            flag("nn.load", name, options[name])
    _check_map_location(options["map_location"])


def _check_map_location(map_location: Any) -> None:
    """Refuse a ``map_location`` that names another device than the CPU."""
    if map_location is None or callable(map_location):  # a function can only keep it here
        return
    if isinstance(map_location, dict):
        devices = list(map_location.values())
    elif isinstance(map_location, str) or type(map_location).__name__ == "device":
        devices = [map_location]
    else:
        raise ArgumentTypeError(f"nn.load: map_location must be None, a device such as "
                                f"'cpu', a dict or a function, as in torch.load; got "
                                f"{type(map_location).__name__}")
    for device in devices:
        if device is None or not is_cpu(device):  # a dict's None names no device
            raise UsageError(f"nn.load(map_location={map_location!r}): this library "
                             f"computes with NumPy on the CPU; there is no other device. "
                             f"Leave map_location out, or pass 'cpu'.")


def load_into(path: PathLike | BinaryIO, /, **objects: Any) -> dict[str, Any]:
    """Load a checkpoint and restore the named ``objects`` in place.

    ``load_into(path, model=model, optim=optim, rng=rng)`` calls
    ``model.load_state_dict(...)`` etc. and sets ``rng.bit_generator.state``.
    Returns the whole checkpoint as :func:`load` does (for the other entries, e.g. the
    epoch). Raises :class:`CheckpointError` when a name is missing or of another kind.
    ``path`` is positional only, so any name works, ``path`` and ``torch.load``'s
    keywords included.
    """
    values, kinds, classes = read(path)
    if kinds is None:
        raise UsageError(f"{source_name(path)} holds one object without a name (saved as "
                         f"nn.save(obj, path), torch.save's order): read it with "
                         f"nn.load(path) and pass it on, e.g. "
                         f"model.load_state_dict(nn.load(path))")
    for name, target in objects.items():
        if name not in values:
            raise CheckpointError(f"{source_name(path)} has no entry {name!r}; "
                                  f"it holds {sorted(values)}")
        saved_as = _KIND_NAMES.get(kinds[name], "plain value")
        if isinstance(target, np.random.Generator):
            if kinds[name] != "generator":
                raise CheckpointError(f"entry {name!r} is a {saved_as}, not a generator")
            state = values[name].bit_generator.state
            wanted = type(target.bit_generator).__name__
            if state["bit_generator"] != wanted:
                raise CheckpointError(f"cannot restore generator {name!r}: the checkpoint "
                                      f"holds a {state['bit_generator']} state, the target "
                                      f"generator uses {wanted}")
            if isinstance(target, Generator) and isinstance(values[name], Generator):
                target.manual_seed(values[name].initial_seed())  # the state replaces its draws
            target.bit_generator.state = state
        elif has_state(target):
            if kinds[name] not in ("state", "dict"):  # dict: nn.save(p, model=m.state_dict())
                raise CheckpointError(f"entry {name!r} was saved as a {saved_as}, not "
                                      f"through state_dict(); cannot load it into a "
                                      f"{type(target).__name__}")
            if isinstance(target, Optimizer) and classes[name] not in (None, type(target).__name__):
                raise _another_class(name, classes[name], values[name], type(target).__name__)
            target.load_state_dict(values[name])
        else:
            raise ArgumentTypeError(f"cannot load into {name}={type(target).__name__}: "
                                    "expected an object with load_state_dict() or a "
                                    "numpy Generator")
    return values


def _another_class(name: str, saved: str, state: Any, wanted: str) -> CheckpointError:
    """The error for entry ``name``, the state of a ``saved``, loaded into an optimizer of
    class ``wanted``: an optimizer's state dict holds ``state`` and ``param_groups``."""
    if isinstance(state, dict) and set(state) == {"state", "param_groups"}:
        return CheckpointError(
            f"entry {name!r} holds the state of an optimizer of class {saved}; cannot load "
            f"it into one of class {wanted} (their updates differ). Build {_a(saved)} to "
            f"resume, or start this optimizer afresh.")
    return CheckpointError(
        f"entry {name!r} holds {_a(saved)}'s state, not an optimizer's (its state dict has "
        f"no 'state' and 'param_groups'); cannot load it into {_a(wanted)}. Pass the entry "
        f"that holds the optimizer (nn.save(path, optimizer=opt) saves it under "
        f"'optimizer').")


def _a(name: str) -> str:
    """``name`` with its indefinite article: "a Linear", "an Adam", and for a name that
    starts as an acronym, by the first letter's sound: "an SGD", "an RMSprop"."""
    vowel_sounds = "AEFHILMNORSX" if name[:2].isupper() else "AEIOU"
    return f"{'an' if name[:1].upper() in set(vowel_sounds) else 'a'} {name}"
