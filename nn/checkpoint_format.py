"""The checkpoint format: how ``nn.save`` turns values into ``.npz`` entries and one JSON
document, and how ``nn.load`` turns them back (``Encoder``, ``Decoder``).

Layout of the file: every array is an ``.npz`` entry named by its path
(``model/fc1.weight``, ``optim/state/0/exp_avg``, ...; ``~1`` added where two paths
meet, see :func:`_member_name` for the rest), and one more entry,
``__checkpoint__``, holds UTF-8 JSON (as a uint8 array) with a magic string, a format
version and the structure of everything saved: each value is a tagged node such as
``{"t": "float", "v": "0.1"}`` or ``{"t": "array", "key": "model/fc1.weight"}`` (a Tensor:
``{"t": "tensor", "key": ..., "requires_grad": false}``, kind "parameter" for a Parameter). Ints
are decimal strings and floats their ``repr``, so both round-trip exactly (the 128-bit
state of a PCG64 generator included). Decoding checks every node against the file and
raises ``CheckpointError`` for what does not fit. Opening, writing and restoring files:
``nn/checkpoint.py``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError
from .errors import ArgumentTypeError, CheckpointError
from .parameter import Parameter

__all__ = ["MAGIC", "FORMAT_VERSION", "NAMED_VERSION", "META_KEY", "UNREADABLE", "Encoder",
           "Decoder", "has_state", "read_meta"]

MAGIC = "autograd-nn-checkpoint"
FORMAT_VERSION = 2  # the newest version this code reads and writes
NAMED_VERSION = 1  # files of named objects keep version 1, so older code still reads them
META_KEY = "__checkpoint__"
_RESERVED = {META_KEY, "file", "allow_pickle", "args", "kwds"}  # np.savez's own names
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")

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
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": bool(value)}
        if isinstance(value, int):
            return {"t": "int", "v": str(int(value))}
        if isinstance(value, float):
            return {"t": "float", "v": repr(float(value))}
        if isinstance(value, str):
            return {"t": "str", "v": value}
        if isinstance(value, np.ma.MaskedArray):
            raise ArgumentTypeError(f"cannot save the masked array at '{path}': a checkpoint "
                                    "holds plain arrays, so its mask would be lost; save "
                                    "np.ma.getdata(a) and np.ma.getmaskarray(a), or "
                                    "a.filled(value)")
        if isinstance(value, np.ndarray):
            return {"t": "array", "key": self._store(value, path)}
        if isinstance(value, np.generic):
            return {"t": "scalar", "key": self._store(np.asarray(value), path)}
        if isinstance(value, Tensor):  # torch.save(x, path)'s habit: back as a Tensor
            kind = "parameter" if isinstance(value, Parameter) else "tensor"
            return {"t": kind, "key": self._store(value.detach().numpy(), path),
                    "requires_grad": bool(value.requires_grad)}
        if isinstance(value, np.random.Generator):
            state = value.bit_generator.state
            return {"t": "generator", "v": self.encode(state, path)}
        if has_state(value):
            return {"t": "state", "class": type(value).__name__,
                    "v": self.encode(value.state_dict(), path)}
        if isinstance(value, (list, tuple, Mapping)):
            if id(value) in self._open:
                raise ArgumentTypeError(f"cannot save '{path}': it is a "
                                        f"{type(value).__name__} that holds itself (a "
                                        f"cycle); a checkpoint holds trees of values")
            self._open.add(id(value))
            try:
                return self._container(value, path)
            finally:
                self._open.discard(id(value))
        raise ArgumentTypeError(
            f"cannot save '{path}' of type {type(value).__name__}: a checkpoint holds objects "
            "with state_dict()/load_state_dict(), numpy Generators, arrays, Tensors, numbers, "
            "str, bool, None, and lists/tuples/dicts of those")

    def _container(self, value: list | tuple | Mapping, path: str) -> dict[str, Any]:
        """A list, tuple or dict node, its items encoded under ``path/<index or key>``."""
        if isinstance(value, (list, tuple)):
            kind = "list" if isinstance(value, list) else "tuple"
            return {"t": kind, "items": [self.encode(v, f"{path}/{i}")
                                         for i, v in enumerate(value)]}
        items = []
        for k, v in value.items():
            k = int(k) if isinstance(k, np.integer) else k  # np.unique's labels, say
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise ArgumentTypeError(f"cannot save the dict key {k!r} at '{path}': "
                                        "keys must be str or int")
            items.append([self.encode(k, path), self.encode(v, f"{path}/{k}")])
        return {"t": "dict", "items": items}


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
        """Entry ``key``, read by its member name: ``npz[key]`` would give entry "a"
        (member "a.npy") for key "a.npy" (member "a.npy.npy") when both are saved."""
        if not isinstance(key, str) or f"{key}.npy" not in self.members:
            raise CheckpointError(f"{self.source}: the metadata refers to an array entry "
                                  f"{key!r} that the file does not contain (corrupt file?)")
        try:
            return self.npz[f"{key}.npy"]
        except UNREADABLE as exc:
            raise CheckpointError(f"{self.source}: cannot read entry {key!r} (truncated or "
                                  f"corrupt file?): {exc}") from exc

    def decode(self, node: Any) -> Any:
        kind = node["t"]
        if kind == "none":
            return None
        if kind in ("bool", "str"):
            return node["v"]
        if kind == "int":
            return int(node["v"])
        if kind == "float":
            return float(node["v"])
        if kind == "array":
            return self._array(node["key"])
        if kind == "scalar":
            return self._array(node["key"])[()]
        if kind in ("tensor", "parameter"):
            cls = Parameter if kind == "parameter" else Tensor
            return cls(self._array(node["key"]), requires_grad=node["requires_grad"] is True)
        if kind in ("list", "tuple"):
            items = [self.decode(v) for v in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {self.decode(k): self.decode(v) for k, v in node["items"]}
        if kind == "state":
            return _int_state_keys(self.decode(node["v"]))
        if kind == "generator":
            return _make_generator(self.decode(node["v"]), self.source)
        raise CheckpointError(f"{self.source}: unknown value kind {kind!r} in the metadata")


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


def _make_generator(state: Any, source: str) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise CheckpointError(f"{source}: unsupported bit generator {name!r} "
                              f"(expected one of {_BIT_GENERATORS})")
    bit_generator = getattr(np.random, name)()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def read_meta(raw: np.ndarray, source: str) -> dict[str, Any]:
    """The JSON document of the ``__checkpoint__`` entry, with a magic string and a format
    version this code reads (else ``CheckpointError``)."""
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise CheckpointError(f"metadata entry has dtype {raw.dtype} and shape {raw.shape}")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON, Unicode; nested too deeply
        raise CheckpointError(f"{source}: unreadable checkpoint metadata: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("magic") != MAGIC:
        raise CheckpointError(f"{source}: wrong magic string in the metadata; this is not an "
                              "nn.save checkpoint")
    version = meta.get("version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise CheckpointError(f"{source}: checkpoint format version {version!r} is not "
                              f"supported (this code reads versions 1 to {FORMAT_VERSION}); "
                              "upgrade the library")
    return meta
