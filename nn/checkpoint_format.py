"""The checkpoint format: how ``nn.save`` turns values into ``.npz`` entries and one JSON
document, and how ``nn.load`` turns them back (``Encoder``, ``Decoder``).

Layout of the file: every array is an ``.npz`` entry named by its path
(``model/fc1.weight``, ``optim/state/0/exp_avg``, ...; ``~1`` added where two paths
meet, see :func:`_member_name` for the rest), and one more entry,
``__checkpoint__``, holds UTF-8 JSON (as a uint8 array) with a magic string, a format
version and the structure of everything saved: each value is a tagged node such as
``{"t": "float", "v": "0.1"}`` or ``{"t": "array", "key": "model/fc1.weight"}`` (a Tensor:
``{"t": "tensor", "key": ..., "requires_grad": false}``, kind "parameter" for a Parameter). Ints
are decimal strings (hex, kind "bigint", past 2048 bits: Python's limit on decimal digits
does not apply to hex) and floats their ``repr`` (a NaN also its bits:
``nn/checkpoint_floats.py``), so both round-trip exactly (the 128-bit state of a PCG64
generator included).

Every value comes back as the type it was saved as: only the types listed in
:meth:`Encoder.encode` are stored, matched exactly (a NumPy scalar as a 0-d array, so
``np.float64`` stays ``np.float64``); a subclass that would load back as its base type
(a namedtuple, a defaultdict, an Enum member, ``np.matrix``) is refused at save with the
conversion to make (:func:`_refusal`). Kinds added since version 1 (``ordereddict``,
``buffer``, ``bigint``) make older code raise ``CheckpointError`` ("unknown value kind"),
never load something else; a generator's optional ``seed_seq`` and ``initial_seed``
(``autograd.Generator``) are left out by older code, whose draws are the same.

Decoding reads each array member whole through the zip reader, so its CRC is checked, and
checks every node against the file: anything that does not fit raises
``CheckpointError``. Opening, writing and restoring files: ``nn/checkpoint.py``.
"""
from __future__ import annotations

import contextlib
import json
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

import numpy as np

from autograd import Generator, Tensor
from autograd.errors import DTypeError
from .checkpoint_floats import float_from_node, float_node
from .errors import ArgumentTypeError, CheckpointError
from .parameter import Buffer, Parameter

__all__ = ["MAGIC", "FORMAT_VERSION", "NAMED_VERSION", "META_KEY", "MAX_DEPTH", "UNREADABLE",
           "Encoder", "Decoder", "has_state", "read_meta", "nesting_checked",
           "deeper_than_stack"]

MAGIC = "autograd-nn-checkpoint"
FORMAT_VERSION = 2  # the newest version this code reads and writes
NAMED_VERSION = 1  # files of named objects keep version 1, so older code still reads them
META_KEY = "__checkpoint__"
_RESERVED = {META_KEY, "file", "allow_pickle", "args", "kwds"}  # np.savez's own names
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
# Lists, tuples and dicts nest at most this deep: each level is up to three of JSON, and
# json.loads needs a stack frame for each, so deeper files could fail to load.
MAX_DEPTH = 100
_DECIMAL_BITS = 2048  # 617 digits: under the smallest str-digit limit Python allows (640)
_TENSORS = {Tensor: "tensor", Parameter: "parameter", Buffer: "buffer"}
_CONTAINERS = {list: "list", tuple: "tuple", dict: "dict", OrderedDict: "ordereddict"}

# Reading damaged bytes, NumPy and zipfile raise almost anything (RuntimeError "password
# required", NotImplementedError, zlib.error, tokenize.TokenError, SyntaxError, ...):
# every such exception while parsing the file means the file is unreadable.
UNREADABLE = Exception


# ------------------------------------------------------------------- encoding
def has_state(obj: Any) -> bool:
    """Whether ``obj`` is saved through ``state_dict()`` and restored by ``load_state_dict``."""
    return callable(getattr(obj, "state_dict", None)) and callable(
        getattr(obj, "load_state_dict", None))


class Encoder:
    """Turns values into JSON nodes, collecting arrays under unique entry names."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._open: set[int] = set()  # ids of the containers being encoded (for cycles)

    def _store(self, array: np.ndarray, path: str) -> str:
        if array.dtype.hasobject:
            raise DTypeError(f"cannot save the object-dtype array at '{path}': checkpoints "
                             "hold numeric, bool and string arrays only (no pickle)")
        key = base = _member_name(path)
        n = 0
        while key in self.arrays or key in _RESERVED:
            n += 1
            key = f"{base}~{n}"
        self.arrays[key] = array
        return key

    def encode(self, value: Any, path: str) -> dict[str, Any]:
        """The node of ``value``, saved at ``path``. Types are matched exactly, so that
        each loads back as itself; anything else raises ``ArgumentTypeError``."""
        kind = type(value)
        if value is None:
            return {"t": "none"}
        if isinstance(value, np.generic):  # before float and str: np.float64 is a float
            return {"t": "scalar", "key": self._store(np.asarray(value), path)}
        if kind is bool:
            return {"t": "bool", "v": value}
        if kind is int:
            if value.bit_length() <= _DECIMAL_BITS:
                return {"t": "int", "v": str(value)}
            return {"t": "bigint", "hex": hex(value)}
        if kind is float:
            return float_node(value)
        if kind is str:
            return {"t": "str", "v": value}
        if kind is np.ndarray or kind is np.memmap:  # (a memmap's file is where it lived)
            return {"t": "array", "key": self._store(np.asarray(value), path)}
        if kind in _TENSORS:  # torch.save(x, path)'s habit: back as a Tensor
            node = {"t": _TENSORS[kind], "key": self._store(value.detach().numpy(), path),
                    "requires_grad": bool(value.requires_grad)}
            return node | ({"persistent": bool(value.persistent)} if kind is Buffer else {})
        if kind in (np.random.Generator, Generator):
            return self._generator(value, path)
        if has_state(value):
            return {"t": "state", "class": type(value).__name__,
                    "v": self.encode(value.state_dict(), path)}
        if kind in _CONTAINERS:
            if id(value) in self._open:
                raise ArgumentTypeError(f"cannot save '{path}': it is a "
                                        f"{type(value).__name__} that holds itself (a "
                                        f"cycle); a checkpoint holds trees of values")
            if len(self._open) == MAX_DEPTH:  # each open container is one level
                raise ArgumentTypeError(f"cannot save '{path.split('/')[0]}': its lists, "
                                        f"tuples and dicts nest more than {MAX_DEPTH} deep, "
                                        f"more than a checkpoint holds; flatten them")
            self._open.add(id(value))
            try:
                return self._container(value, path)
            finally:
                self._open.discard(id(value))
        raise _refusal(value, path)

    def _container(self, value: list | tuple | dict, path: str) -> dict[str, Any]:
        """A list, tuple, dict or OrderedDict node, its items encoded under
        ``path/<index or key>``."""
        kind = _CONTAINERS[type(value)]
        if kind in ("list", "tuple"):
            return {"t": kind, "items": [self.encode(v, f"{path}/{i}")
                                         for i, v in enumerate(value)]}
        items = []
        for k, v in value.items():  # a NumPy key (np.unique's labels) stays one: a scalar
            if type(k) not in (str, int, np.str_) and not isinstance(k, np.integer):
                raise ArgumentTypeError(f"cannot save the dict key {k!r} at '{path}': "
                                        "keys must be str or int (NumPy's too)")
            items.append([self.encode(k, path), self.encode(v, f"{path}/{k}")])
        return {"t": kind, "items": items}

    def _generator(self, value: np.random.Generator, path: str) -> dict[str, Any]:
        """A generator node: its bit generator's state; for a NumPy Generator also its seed
        sequence (so ``spawn`` gives the same children), for an ``autograd.Generator``
        (``torch.Generator``) its ``initial_seed``."""
        state = value.bit_generator.state
        if state.get("bit_generator") not in _BIT_GENERATORS:
            raise ArgumentTypeError(f"cannot save the generator at '{path}': its bit "
                                    f"generator {state.get('bit_generator')!r} is not one of "
                                    f"{_BIT_GENERATORS}")
        node = {"t": "generator", "v": self.encode(state, path)}
        if isinstance(value, Generator):
            node["initial_seed"] = self.encode(value.initial_seed(), path)
            return node
        seeds = value.bit_generator.seed_seq
        if type(seeds) is np.random.SeedSequence:  # else seedless: nothing to keep
            node["seed_seq"] = self.encode(
                {"entropy": seeds.entropy, "spawn_key": seeds.spawn_key,
                 "pool_size": seeds.pool_size, "n_children_spawned": seeds.n_children_spawned},
                f"{path}/seed_seq")
        return node


def _refusal(value: Any, path: str) -> ArgumentTypeError:
    """The error for a value no node keeps: what it is and, for a subclass of a type that
    is kept (which would load back as that base type), the conversion to save instead."""
    if isinstance(value, np.ma.MaskedArray):
        return ArgumentTypeError(f"cannot save the masked array at '{path}': a checkpoint "
                                 "holds plain arrays, so its mask would be lost; save "
                                 "np.ma.getdata(a) and np.ma.getmaskarray(a), or "
                                 "a.filled(value)")
    name = type(value).__name__
    conversion = _conversion(value)
    if conversion is not None:
        return ArgumentTypeError(
            f"cannot save '{path}' of type {name}: it would load back as its base type, "
            f"losing what a {name} adds; save {conversion} instead (and rebuild the "
            f"{name} after loading)")
    return ArgumentTypeError(
        f"cannot save '{path}' of type {name}: a checkpoint holds objects with "
        "state_dict()/load_state_dict(), numpy Generators, arrays, Tensors, numbers, str, "
        "bool, None, and lists/tuples/dicts/OrderedDicts of those")


def _conversion(value: Any) -> str | None:
    """How to turn ``value``, an instance of a subclass of a kept type, into a kept one."""
    if isinstance(value, Enum):
        return "its value, x.value"
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return "x._asdict() (a dict) or tuple(x)"
    for base, conversion in ((Mapping, "dict(x)"), (list, "list(x)"), (tuple, "tuple(x)"),
                             (int, "int(x)"), (float, "float(x)"), (str, "str(x)"),
                             (np.ndarray, "np.asarray(x)"), (Tensor, "x.detach()"),
                             (np.random.Generator, "np.random.Generator(x.bit_generator)")):
        if isinstance(value, base):
            return conversion
    return None


@contextlib.contextmanager
def nesting_checked() -> Iterator[None]:
    """Around encoding and writing: values nested deeper than the stack left allows (a
    save called from deep recursion; ``MAX_DEPTH`` guards the rest) raise
    ``ArgumentTypeError`` (before anything is written), not a bare ``RecursionError``."""
    try:
        yield
    except RecursionError:
        raise ArgumentTypeError(
            "cannot save: the values are nested too deeply for Python's recursion limit "
            "(a checkpoint nests as deeply as the lists and dicts it holds); flatten the "
            "structure, e.g. a list of rows instead of lists inside lists") from None


def _member_name(path: str) -> str:
    """``path`` as a zip member name (the metadata maps values to names, so it need not be
    the path): NUL, where zip cuts a name, and lone surrogates, which UTF-8 cannot encode,
    escaped; at most 1000 characters (a zip name holds at most 65535 bytes)."""
    name = path.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return name[:1000]


# ------------------------------------------------------------------- decoding
class Decoder:
    """Turns JSON nodes back into values, reading arrays from an open ``NpzFile``."""

    def __init__(self, npz: Any, source: str) -> None:
        self.npz, self.source = npz, source
        self.members = set(npz.zip.namelist())  # np.savez stores entry "k" as "k.npy"

    def _array(self, key: Any) -> np.ndarray:
        """Entry ``key``, read by its member name (``npz[key]`` would give entry "a",
        member "a.npy", for key "a.npy", member "a.npy.npy", when both are saved). The
        member is read to its end, where the zip reader checks its CRC: NumPy reads only
        as many bytes as the array header announces, so a damaged header would go
        unnoticed; and it must be .npy data (NumPy gives other members as raw bytes)."""
        if not isinstance(key, str) or f"{key}.npy" not in self.members:
            raise CheckpointError(f"{self.source}: the metadata refers to an array entry "
                                  f"{key!r} that the file does not contain (corrupt file?)")
        try:
            with self.npz.zip.open(f"{key}.npy") as member:
                array = np.lib.format.read_array(member, allow_pickle=False)
                left = len(member.read(1))  # reaches the end: the CRC is checked there
        except UNREADABLE as exc:
            raise CheckpointError(f"{self.source}: cannot read entry {key!r} (truncated or "
                                  f"corrupt file?): {exc}") from exc
        if left:
            raise CheckpointError(f"{self.source}: entry {key!r} holds more bytes than its "
                                  f"array header announces (corrupt file?)")
        return array

    def _field(self, node: dict[str, Any], name: str, kind: type) -> Any:
        """``node[name]``, which must be of type ``kind``, else ``CheckpointError``."""
        value = node[name]
        if type(value) is not kind:
            raise CheckpointError(f"{self.source}: corrupt checkpoint metadata: the "
                                  f"{node['t']!r} node's {name!r} is {value!r:.60}, not a "
                                  f"{kind.__name__}")
        return value

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict):
            raise CheckpointError(f"{self.source}: corrupt checkpoint metadata: a node is "
                                  f"a {type(node).__name__}, not a tagged dict")
        kind = node["t"]
        if kind == "none":
            return None
        if kind == "bool":
            return self._field(node, "v", bool)
        if kind == "str":
            return self._field(node, "v", str)
        if kind == "int":
            return int(self._field(node, "v", str))
        if kind == "bigint":
            return int(self._field(node, "hex", str), 16)
        if kind == "float":
            return float_from_node(node, self._field(node, "v", str), self.source)
        if kind == "array":
            return self._array(node["key"])
        if kind == "scalar":
            return self._scalar(node["key"])
        if kind in _TENSORS.values():
            return self._tensor(node, kind)
        if kind in ("list", "tuple"):
            items = [self.decode(v) for v in self._field(node, "items", list)]
            return items if kind == "list" else tuple(items)
        if kind in ("dict", "ordereddict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in self._field(node, "items", list)]
            return dict(pairs) if kind == "dict" else OrderedDict(pairs)
        if kind == "state":
            return _int_state_keys(self.decode(node["v"]))
        if kind == "generator":
            return self._generator(node)
        raise CheckpointError(f"{self.source}: unknown value kind {kind!r} in the metadata")

    def _scalar(self, key: Any) -> np.generic:
        """The NumPy scalar saved as the 0-d array entry ``key``."""
        array = self._array(key)
        if array.ndim != 0:
            raise CheckpointError(f"{self.source}: the scalar entry {key!r} holds an array "
                                  f"of shape {array.shape} (corrupt file?)")
        return array[()]

    def _tensor(self, node: dict[str, Any], kind: str) -> Tensor:
        """A Tensor, Parameter or Buffer node back as that class."""
        array, grad = self._array(node["key"]), self._field(node, "requires_grad", bool)
        if kind == "buffer":
            persistent = self._field(node, "persistent", bool)
            return Buffer(array, persistent=persistent).requires_grad_(grad)
        return (Parameter if kind == "parameter" else Tensor)(array, requires_grad=grad)

    def _generator(self, node: dict[str, Any]) -> np.random.Generator:
        """A generator node back as a NumPy Generator with its seed sequence, or as an
        ``autograd.Generator`` with its initial seed; a state NumPy refuses raises
        ``CheckpointError``."""
        state = self.decode(node["v"])
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if name not in _BIT_GENERATORS:
            raise CheckpointError(f"{self.source}: unsupported bit generator {name!r} "
                                  f"(expected one of {_BIT_GENERATORS})")
        seeds = self.decode(node["seed_seq"]) if "seed_seq" in node else None
        try:
            if "initial_seed" in node:  # seeded first: set_state keeps the initial seed
                return Generator().manual_seed(self.decode(node["initial_seed"])
                                               ).set_state(state)
            bit_generator = getattr(np.random, name)(
                None if seeds is None else np.random.SeedSequence(**seeds))
            bit_generator.state = state
        except (TypeError, ValueError, KeyError, OverflowError, MemoryError) as exc:
            raise CheckpointError(f"{self.source}: the saved state of a {name} generator is "
                                  f"unusable ({type(exc).__name__}: {exc}); corrupt "
                                  f"file?") from exc
        return np.random.Generator(bit_generator)


def _int_state_keys(value: Any) -> Any:
    """An optimizer's state dict written before its ``"state"`` was keyed by int
    (``{"0": {...}}``) comes back keyed as ``state_dict()`` keys it now (``{0: {...}}``);
    any other value is returned unchanged."""
    if not (isinstance(value, dict) and set(value) == {"state", "param_groups"}
            and isinstance(value["state"], dict)):
        return value
    state = value["state"]
    if not state or not all(isinstance(k, str) and k.isascii() and k.isdigit() for k in state):
        return value
    if len({int(k) for k in state}) != len(state):  # "0" and "00": leave for load_state_dict
        return value
    return {**value, "state": {int(k): v for k, v in state.items()}}


def read_meta(raw: np.ndarray, source: str) -> dict[str, Any]:
    """The JSON document of the ``__checkpoint__`` entry, with a magic string and a format
    version this code reads (else ``CheckpointError``)."""
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise CheckpointError(f"metadata entry has dtype {raw.dtype} and shape {raw.shape}")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except RecursionError as exc:
        raise deeper_than_stack(source) from exc
    except ValueError as exc:  # JSON, Unicode
        raise CheckpointError(f"{source}: unreadable checkpoint metadata: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("magic") != MAGIC:
        raise CheckpointError(f"{source}: wrong magic string in the metadata; this is not an "
                              "nn.save checkpoint")
    version = meta.get("version")
    if type(version) is not int or not 1 <= version <= FORMAT_VERSION:
        raise CheckpointError(f"{source}: checkpoint format version {version!r} is not "
                              f"supported (this code reads versions 1 to {FORMAT_VERSION}); "
                              "upgrade the library")
    return meta


def deeper_than_stack(source: str) -> CheckpointError:
    """The error for metadata nested deeper than the stack left allows: a valid file loaded
    from deep recursion, or a file nested deeper than ``nn.save`` ever writes."""
    return CheckpointError(
        f"{source}: unreadable checkpoint metadata: it nests too deeply for the current "
        f"recursion limit ({sys.getrecursionlimit()}, counting the calls already on the "
        f"stack). A file from nn.save nests at most {MAX_DEPTH} levels: call nn.load from "
        f"code less deep in the call stack (or raise sys.setrecursionlimit). A file nested "
        f"deeper was not written by nn.save.")
