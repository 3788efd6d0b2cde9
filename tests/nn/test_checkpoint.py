"""Checkpoints: round trips, atomic writes, corrupt files, and exact resumption."""
import io
import json
import os

import numpy as np
import pytest

import autograd
from nn import checkpoint
from nn.checkpoint import CheckpointError, load, load_into, save
from nn.layers import Linear
from nn.module import Module
from nn.optim import (SGD, Adam, AdamW, CosineAnnealingLR, LinearWarmup, ReduceLROnPlateau,
                      SequentialLR, StepLR)
from nn.utils import clip_grad_norm_


class TinyMLP(Module):
    def __init__(self, rng, n_in=3, n_hidden=8):
        super().__init__()
        self.fc1 = Linear(n_in, n_hidden, rng=rng)
        self.fc2 = Linear(n_hidden, 1, rng=rng)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


def make_training(seed):
    """A model, an optimizer with a warm-up + cosine schedule, and a data generator."""
    model = TinyMLP(np.random.default_rng(seed))
    opt = Adam(model.parameters(), lr=0.05, amsgrad=True, weight_decay=1e-3)
    warmup = LinearWarmup(opt, warmup_steps=3, start_factor=0.1)
    schedule = SequentialLR(opt, [warmup, CosineAnnealingLR(opt, T_max=20)], milestones=[3])
    return model, opt, schedule, np.random.default_rng(seed + 1000)


DATA_X = np.random.default_rng(42).standard_normal((64, 3))
DATA_Y = np.sin(DATA_X.sum(axis=1, keepdims=True))


def train(model, opt, schedule, rng, steps):
    for _ in range(steps):
        batch = rng.integers(0, len(DATA_X), size=16)
        noise = rng.normal(scale=0.01, size=(16, 1))
        error = model(autograd.Tensor(DATA_X[batch])) - autograd.Tensor(DATA_Y[batch] + noise)
        opt.zero_grad()
        (error * error).mean().backward()
        clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        schedule.step()


def test_save_load_continue_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    steps = 12
    reference = make_training(seed=0)
    train(*reference, steps)

    first = make_training(seed=0)
    train(*first, steps // 2)
    model, opt, schedule, rng = first
    save(tmp_path / "ckpt.npz", model=model, optim=opt, schedule=schedule, rng=rng, step=6)

    resumed = make_training(seed=123)  # fresh objects, different weights and stream
    ckpt = load_into(tmp_path / "ckpt.npz", model=resumed[0], optim=resumed[1],
                     schedule=resumed[2], rng=resumed[3])
    assert ckpt["step"] == 6
    train(*resumed, steps - steps // 2)

    named = list(reference[0].named_parameters())
    assert [n for n, _ in named] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    for (name, p), (_, q) in zip(named, resumed[0].named_parameters()):
        assert np.array_equal(p.data, q.data), name
    assert reference[2].get_last_lr() == resumed[2].get_last_lr()
    assert reference[3].integers(1 << 62) == resumed[3].integers(1 << 62)


def test_round_trip_of_every_kind(tmp_path):
    rng = np.random.default_rng(7)
    model, opt, schedule, data_rng = make_training(seed=1)
    train(model, opt, schedule, data_rng, 3)
    plateau = ReduceLROnPlateau(SGD(model.parameters(), lr=0.1), patience=1)
    plateau.step(1.0)  # best = 1.0; a fresh one has best = inf
    fresh_plateau = ReduceLROnPlateau(SGD(model.parameters(), lr=0.1))
    arrays = {"f32": rng.standard_normal((2, 3)).astype(np.float32),
              "i8": np.arange(-3, 3, dtype=np.int8), "bool": np.array([True, False]),
              "zero_d": np.array(2.5), "empty": np.zeros((0, 4)),
              "text": np.array(["ab", "çé"]), "strided": np.arange(10.0)[::3]}
    plain = {"int": 7, "big": 2 ** 130 + 1, "neg": -3, "float": 0.1, "nan": float("nan"),
             "inf": float("-inf"), "negzero": -0.0, "str": "héllo / wörld", "none": None,
             "true": True, "np_scalar": np.float32(1.5), "np_int": np.int64(-9),
             "nested": {"list": [1, 2.5, ["x", None]], "tuple": (1, (2, 3)), 5: "int key",
                        "a/b": np.ones(2), "a": {"b": np.zeros(2)}}}
    generators = {"pcg": np.random.default_rng(5),
                  "mt": np.random.Generator(np.random.MT19937(5)),
                  "philox": np.random.Generator(np.random.Philox(5)),
                  "sfc": np.random.Generator(np.random.SFC64(5))}
    for g in generators.values():
        g.random(3)  # move off the initial state (Philox then has a half-used buffer)
    save(tmp_path / "all.npz", model=model, optim=opt, schedule=schedule, plateau=plateau,
         fresh_plateau=fresh_plateau, arrays=arrays, **plain, **generators)
    got = load(tmp_path / "all.npz")

    assert list(got) == ["model", "optim", "schedule", "plateau", "fresh_plateau", "arrays",
                         *plain, *generators]
    assert_same(got["model"], model.state_dict())
    assert_same(got["optim"], opt.state_dict())
    assert_same(got["schedule"], schedule.state_dict())
    assert_same(got["plateau"], plateau.state_dict())
    assert got["fresh_plateau"]["best"] == float("inf")
    assert_same(got["arrays"], arrays)
    for name, value in plain.items():
        assert_same(got[name], value)
    assert got["nested"]["tuple"] == (1, (2, 3)) and isinstance(got["big"], int)
    assert str(got["negzero"]) == "-0.0"
    for name, g in generators.items():
        restored = got[name]
        assert isinstance(restored, np.random.Generator)
        assert type(restored.bit_generator) is type(g.bit_generator)
        np.testing.assert_array_equal(restored.random(5), g.random(5))
    # the state dicts load back into live objects
    other_model, other_opt, other_schedule, _ = make_training(seed=2)
    other_model.load_state_dict(got["model"])
    other_opt.load_state_dict(got["optim"])
    other_schedule.load_state_dict(got["schedule"])
    assert other_schedule.get_last_lr() == schedule.get_last_lr()


def assert_same(a, b):
    """Equal values of equal types, recursively (arrays: same dtype, shape and bits)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(b, dict):
        assert list(a) == list(b)
        for k in b:
            assert_same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(b, (np.ndarray, autograd.Tensor)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    elif isinstance(b, float) and np.isnan(b):
        assert np.isnan(a)
    else:
        assert a == b


def test_load_into_errors(tmp_path):
    model, opt, schedule, rng = make_training(seed=0)
    path = tmp_path / "c.npz"
    save(path, model=model, rng=rng, epoch=3)
    with pytest.raises(CheckpointError, match=r"no entry 'optim'.*\['epoch', 'model', 'rng'\]"):
        load_into(path, optim=opt)
    with pytest.raises(CheckpointError, match="'model' is a state dict, not a generator"):
        load_into(path, model=np.random.default_rng())
    with pytest.raises(CheckpointError, match="'rng' was saved as a generator"):
        load_into(path, rng=model)
    with pytest.raises(CheckpointError, match="holds a PCG64 state.*uses MT19937"):
        load_into(path, rng=np.random.Generator(np.random.MT19937()))


def test_wrong_architecture_raises_the_load_state_dict_error(tmp_path):
    model, opt, _, _ = make_training(seed=0)
    train(model, opt, StepLR(opt, 5), np.random.default_rng(0), 1)
    save(tmp_path / "c.npz", model=model, optim=opt)
    wide = TinyMLP(np.random.default_rng(0), n_hidden=5)
    mismatch = r"shape mismatch for 'fc1.weight'.*\(8, 3\).*\(5, 3\)"
    with pytest.raises(ValueError, match=mismatch):
        load_into(tmp_path / "c.npz", model=wide)
    with pytest.raises(ValueError, match=r"exp_avg.*shape \(8, 3\).*\(5, 3\)"):
        load_into(tmp_path / "c.npz", optim=Adam(wide.parameters()))


def test_optimizer_of_another_class_is_a_checkpoint_error(tmp_path):
    """Adam and AdamW have the same keys, so only the checkpoint's class name tells an
    Adam state from an AdamW one; load_into (and so fit's resume) compares it."""
    model, opt, _, _ = make_training(seed=0)
    train(model, opt, StepLR(opt, 5), np.random.default_rng(0), 1)
    save(tmp_path / "c.npz", optim=opt)
    other = AdamW(model.parameters())
    before = other.state_dict()
    with pytest.raises(CheckpointError, match="holds the state of an optimizer of class "
                                              "Adam; cannot load it into one of class AdamW"):
        load_into(tmp_path / "c.npz", optim=other)
    assert other.state_dict() == before
    load_into(tmp_path / "c.npz", optim=Adam(model.parameters()))


def leftovers(folder, keep):
    return sorted(set(os.listdir(folder)) - set(keep))


@pytest.mark.parametrize("target", ["savez", "replace", "fsync"])
def test_crash_during_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch, target):
    path = tmp_path / "ckpt.npz"
    save(path, weights=np.arange(4.0), step=1)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk on fire")
    if target == "savez":
        monkeypatch.setattr(np, "savez", boom)
    else:
        monkeypatch.setattr(os, target, boom)
    with pytest.raises(OSError, match="disk on fire"):
        save(path, weights=np.zeros(4), step=2)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(tmp_path, ["ckpt.npz"]) == []
    assert load(path)["step"] == 1


def test_unsaveable_value_raises_before_writing(tmp_path):
    with pytest.raises(TypeError, match=r"'bad/x' of type object"):
        save(tmp_path / "c.npz", ok=1, bad={"x": object()})
    with pytest.raises(TypeError, match="object-dtype array"):
        save(tmp_path / "c.npz", bad=np.array([1, "a", None], dtype=object))
    with pytest.raises(TypeError, match=r"'t/0' of type set"):
        save(tmp_path / "c.npz", t=[{autograd.Tensor(np.ones(2))}])
    assert os.listdir(tmp_path) == []


def test_truncated_file(tmp_path):
    path = tmp_path / "c.npz"
    save(path, weights=np.arange(1000.0), step=3)
    data = path.read_bytes()
    for size in (len(data) // 2, len(data) - 10, 30):
        path.write_bytes(data[:size])
        with pytest.raises(CheckpointError, match="not a readable checkpoint"):
            load(path)


def test_random_bytes_and_foreign_files(tmp_path):
    path = tmp_path / "c.npz"
    path.write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load(path)
    np.savez(path, weights=np.ones(3))  # a plain npz, no metadata
    with pytest.raises(CheckpointError, match="without checkpoint metadata"):
        load(path)
    with open(path, "wb") as f:
        np.save(f, np.ones(3))
    with pytest.raises(CheckpointError, match="single .npy array"):
        load(path)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.npz")


def write_with_meta(path, meta, **arrays):
    raw = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **{checkpoint.META_KEY: raw}, **arrays)


def test_bad_metadata(tmp_path):
    path = tmp_path / "c.npz"
    empty = {"t": "dict", "items": []}
    write_with_meta(path, {"magic": "something else", "version": 1, "objects": empty})
    with pytest.raises(CheckpointError, match="wrong magic"):
        load(path)
    write_with_meta(path, {"magic": checkpoint.MAGIC, "version": 99, "objects": empty})
    with pytest.raises(CheckpointError, match="version 99 is not supported"):
        load(path)
    ref = {"t": "dict", "items": [[{"t": "str", "v": "w"}, {"t": "array", "key": "w"}]]}
    write_with_meta(path, {"magic": checkpoint.MAGIC, "version": 1, "objects": ref})
    with pytest.raises(CheckpointError, match="does not contain"):
        load(path)
    np.savez(path, **{checkpoint.META_KEY: np.frombuffer(b"{not json", dtype=np.uint8)})
    with pytest.raises(CheckpointError, match="unreadable checkpoint metadata"):
        load(path)
    write_with_meta(path, {"magic": checkpoint.MAGIC, "version": 1, "objects": {"t": "?"}})
    with pytest.raises(CheckpointError, match="unknown value kind"):
        load(path)


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "c.npz"
    ref = {"t": "dict", "items": [[{"t": "str", "v": "w"}, {"t": "array", "key": "w"}]]}
    meta = {"magic": checkpoint.MAGIC, "version": 1, "objects": ref}
    buffer = io.BytesIO()
    np.savez(buffer, **{checkpoint.META_KEY: np.frombuffer(json.dumps(meta).encode(),
                                                          dtype=np.uint8)},
             w=np.array([{"evil": 1}], dtype=object))
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CheckpointError, match="cannot read entry 'w'"):
        load(path)


def test_save_needs_valid_names(tmp_path):
    with pytest.raises(ValueError, match="at least one object"):
        save(tmp_path / "c.npz")
    with pytest.raises(ValueError, match="invalid object name 'a/b'"):
        save(tmp_path / "c.npz", **{"a/b": 1})
