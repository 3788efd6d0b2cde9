"""PyTorch's checkpoint habits with nn.save / nn.load: file objects, torch.save(obj, path)
and torch.load(path) giving obj back, state dicts saved as plain values."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError
from nn.errors import ArgumentTypeError, CheckpointError


def _model(seed: int) -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4, rng=seed), nn.BatchNorm1d(4), nn.Linear(4, 2, rng=seed))


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_save_and_load_with_file_objects_as_torch_does(tmp_path: Path) -> None:
    model, fresh = _model(0), _model(1)
    buffer = io.BytesIO()
    nn.save(buffer, model=model, epoch=3)
    buffer.seek(0)
    assert nn.load(buffer)["epoch"] == 3
    buffer.seek(0)
    nn.load_into(buffer, model=fresh)
    _same(fresh.state_dict(), model.state_dict())
    with open(tmp_path / "c.npz", "wb") as f:
        nn.save(f, model=model)
    with open(tmp_path / "c.npz", "rb") as f:
        _same(nn.load(f)["model"], model.state_dict())
    assert nn.load(str(tmp_path / "c.npz").encode())["model"].keys() == model.state_dict().keys()


def test_a_damaged_file_object_is_a_checkpoint_error() -> None:
    with pytest.raises(CheckpointError, match="<BytesIO> is not a readable checkpoint"):
        nn.load(io.BytesIO(b"PK\x03\x04 not really a zip"))


@pytest.mark.parametrize("call", [
    lambda m, p: nn.save(m.state_dict(), p, p),
    lambda m, p: nn.save(m, f=p),
    lambda m, p: nn.save(None, model=m),
    lambda m, p: nn.save(m.state_dict(), p, epoch=3),
])
def test_a_mixed_argument_order_is_a_named_error(call, tmp_path: Path) -> None:
    with pytest.raises(ArgumentTypeError, match=r"takes either the path .* first and names "
                                                r"every object, e.g. nn.save\('ckpt.npz', "
                                                r"model=.*or one object and then the path"):
        call(_model(0), tmp_path / "c.npz")


def test_torch_save_order_gives_the_object_back(tmp_path: Path) -> None:
    """torch.save(model.state_dict(), PATH); model.load_state_dict(torch.load(PATH))."""
    model, fresh = _model(0), _model(1)
    nn.save(model.state_dict(), tmp_path / "model.pth")
    state = nn.load(tmp_path / "model.pth", weights_only=True)
    assert list(state) == list(model.state_dict())
    fresh.load_state_dict(state)
    _same(fresh.state_dict(), model.state_dict())
    buffer = io.BytesIO()
    nn.save(model.state_dict(), buffer)
    buffer.seek(0)
    _same(nn.load(buffer), model.state_dict())


def test_torch_save_order_of_a_general_checkpoint(tmp_path: Path) -> None:
    """The tutorial's {'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss'} dict,
    and single Tensors and lists, come back as saved (torch.load's habit)."""
    model = _model(0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = ag.arange(4)
    nn.save({"epoch": 3, "model_state_dict": model.state_dict(),
             "optimizer_state_dict": opt.state_dict(), "loss": 0.25}, tmp_path / "c.pt")
    checkpoint = nn.load(tmp_path / "c.pt")
    assert (checkpoint["epoch"], checkpoint["loss"]) == (3, 0.25)
    fresh = _model(1)
    fresh_opt = nn.optim.SGD(fresh.parameters(), lr=0.5, momentum=0.9)
    fresh.load_state_dict(checkpoint["model_state_dict"])
    fresh_opt.load_state_dict(checkpoint["optimizer_state_dict"])
    _same(fresh.state_dict(), model.state_dict())
    assert fresh_opt.param_groups[0]["lr"] == 0.1
    nn.save(x, tmp_path / "x")
    loaded = nn.load(tmp_path / "x")
    assert isinstance(loaded, ag.Tensor) and loaded.dtype == x.dtype
    np.testing.assert_array_equal(loaded.numpy(), x.numpy())
    nn.save([x, 2.5], tmp_path / "xs")
    assert nn.load(tmp_path / "xs")[1] == 2.5


@pytest.mark.parametrize("make", [
    lambda m: m, lambda m: nn.optim.SGD(m.parameters(), lr=0.1)])
def test_torch_save_order_of_a_module_or_optimizer_says_to_save_its_state(
        make, tmp_path: Path) -> None:
    """torch.save(model, PATH) pickles the module; here only data is saved, so the object
    would come back as a state dict: refused, naming what to write instead."""
    with pytest.raises(UsageError, match=r"holds data only. Save its state, "
                                         r"nn.save\(obj.state_dict\(\), path\)"):
        nn.save(make(_model(0)), tmp_path / "c.pt")
    assert not (tmp_path / "c.pt").exists()


def test_a_file_of_one_unnamed_object_refuses_named_restores(tmp_path: Path) -> None:
    model = _model(0)
    nn.save(model.state_dict(), tmp_path / "c.pt")
    for restore in (nn.load_into, nn.load):
        with pytest.raises(UsageError, match=r"holds one object without a name .* "
                                             r"model.load_state_dict\(nn.load\(path\)\)"):
            restore(tmp_path / "c.pt", model=model)


def test_named_files_stay_readable_by_older_versions(tmp_path: Path) -> None:
    """Files of named objects keep format version 1; only the unnamed form is version 2."""
    import json
    nn.save(tmp_path / "named.npz", model=_model(0))
    nn.save(_model(0).state_dict(), tmp_path / "one.npz")
    versions = [json.loads(np.load(tmp_path / name)["__checkpoint__"].tobytes())["version"]
                for name in ("named.npz", "one.npz")]
    assert versions == [1, 2]


def test_load_needs_a_path_or_a_file() -> None:
    with pytest.raises(ArgumentTypeError, match="nn.load needs a path .* got dict"):
        nn.load({"model": 1})


def test_state_dicts_saved_as_plain_values_load_into_their_objects(tmp_path: Path) -> None:
    """torch.save({"model": model.state_dict(), ...}) is the usual way of PyTorch users."""
    model = _model(0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    path = tmp_path / "c.npz"
    nn.save(path, model=model.state_dict(), optimizer=opt.state_dict(), epoch=3)
    fresh = _model(1)
    fresh_opt = nn.optim.SGD(fresh.parameters(), lr=0.5, momentum=0.9)
    assert nn.load_into(path, model=fresh, optimizer=fresh_opt)["epoch"] == 3
    _same(fresh.state_dict(), model.state_dict())
    assert fresh_opt.param_groups[0]["lr"] == 0.1
    with pytest.raises(CheckpointError, match="'epoch' was saved as a plain value"):
        nn.load_into(path, epoch=fresh)


def test_loading_the_whole_checkpoint_into_a_module_names_the_entry(tmp_path: Path) -> None:
    model = _model(0)
    nn.save(tmp_path / "c.npz", model=model, epoch=3)
    with pytest.raises(nn.errors.StateDictError,
                       match=r"if it came from nn.load\(path\), pass nn.load\(path\)\['model'\]"):
        model.load_state_dict(nn.load(tmp_path / "c.npz"))


def test_a_ragged_value_in_a_state_dict_is_a_state_dict_error() -> None:
    model = _model(0)
    state = dict(model.state_dict(), **{"0.weight": [[1.0, 2.0, 3.0], [1.0]]})
    with pytest.raises(nn.errors.StateDictError, match="'0.weight' is a ragged sequence"):
        model.load_state_dict(state)


def test_saving_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "runs" / "ckpt.npz"
    with pytest.raises(FileNotFoundError, match="folder .*runs does not exist.*makedirs") as err:
        nn.save(target, model=nn.Linear(2, 1))  # was: a FileNotFoundError on '.ckpt.npz...tmp'
    assert err.value.filename == str(target) and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("content", [b"random bytes, not a checkpoint", b"\x80\x04K\x01."])
def test_a_foreign_file_gets_no_advice_to_unpickle(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign.bin"
    path.write_bytes(content)  # any non-NumPy file, a pickle included
    with pytest.raises(CheckpointError, match="not a readable checkpoint.*not an .npz") as err:
        nn.load(path)
    assert "pickle" not in str(err.value)  # NumPy's message suggested allow_pickle=


class _Saved:
    """An object whose state_dict() is the given dict: stands in for an optimizer saved by
    an older version, whose ``"state"`` was keyed "0", "1", ... (now 0, 1, ... as torch)."""

    def __init__(self, state: dict) -> None:
        self.state = state

    def state_dict(self) -> dict:
        return self.state

    def load_state_dict(self, state: dict) -> None:
        self.state = state


@pytest.mark.parametrize("keys, loaded", [
    (["0", "1"], [0, 1]),        # an older optimizer's keys come back as int
    (["0", "00"], ["0", "00"]),  # two keys for one int: left for load_state_dict to refuse
    (["a"], ["a"]),              # not indices
    (["\u0663"], ["\u0663"]),    # an Arabic-Indic 3: isdigit() is True, but no ASCII index
])
def test_an_older_optimizer_state_keyed_by_str_loads_keyed_by_int(
        keys: list, loaded: list, tmp_path: Path) -> None:
    state = {"state": {k: {"step": 1} for k in keys}, "param_groups": [{"lr": 0.1}]}
    nn.save(tmp_path / "c.npz", optimizer=_Saved(state))
    assert list(nn.load(tmp_path / "c.npz")["optimizer"]["state"]) == loaded
    other = {"state": {"0": 1}, "param_groups": [], "step": 3}  # no optimizer's state dict
    nn.save(tmp_path / "d.npz", other=_Saved(other))
    assert nn.load(tmp_path / "d.npz")["other"] == other


@pytest.mark.parametrize("link", [False, True])
def test_saving_to_a_folder_names_it_and_writes_nothing(tmp_path: Path, link: bool) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    target = folder
    if link:
        target = tmp_path / "link"
        target.symlink_to(folder)
    with pytest.raises(IsADirectoryError, match=r"runs names a folder; give the path of a "
                                                r"file in it, e.g. .*runs/checkpoint.npz") as err:
        nn.save(target, model=nn.Linear(2, 1))  # was: an error on '.runs.<pid>-....tmp'
    assert err.value.filename == str(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["runs"] + ["link"] * link)


def test_a_path_ending_in_a_slash_names_a_folder_as_for_open(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match=r"new names a folder"):
        nn.save(f"{tmp_path}/new/", model=nn.Linear(2, 1))  # was: wrote a file named 'new'
    assert not any(tmp_path.iterdir())


def test_a_file_opened_in_text_mode_is_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "c.npz"
    with open(path, "w") as f, pytest.raises(ArgumentTypeError, match=r"nn.save needs a "
                                             r"binary file; .*c.npz is open in text mode. "
                                             r"Open it with open\(path, 'wb'\)"):
        nn.save(f, epoch=1)  # was: TypeError "write() argument must be str, not bytes"
    nn.save(path, epoch=1)
    with open(path) as f, pytest.raises(ArgumentTypeError, match=r"nn.load needs a binary "
                                        r"file; .*'rb'"):
        nn.load(f)  # was: a CheckpointError calling the file corrupt
    assert nn.load(path) == {"epoch": 1}


@pytest.mark.parametrize("options", [
    {"map_location": "cpu"}, {"map_location": "cpu:0"}, {"map_location": None},
    {"map_location": {"cuda:0": "cpu"}}, {"map_location": lambda storage, loc: storage},
    {"weights_only": True}, {"weights_only": False}, {"map_location": "cpu", "weights_only": True},
])
def test_torch_load_options_are_taken(options: dict, tmp_path: Path) -> None:
    nn.save(tmp_path / "c.npz", model=_model(0), epoch=3)
    _same(nn.load(tmp_path / "c.npz", **options)["model"], _model(0).state_dict())
    assert nn.load(tmp_path / "c.npz", "cpu")["epoch"] == 3  # positional, as torch.load's


def test_a_torch_device_as_map_location(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    nn.save(tmp_path / "c.npz", epoch=3)
    assert nn.load(tmp_path / "c.npz", map_location=torch.device("cpu"))["epoch"] == 3
    with pytest.raises(UsageError, match="no other device"):
        nn.load(tmp_path / "c.npz", map_location=torch.device("cuda"))


@pytest.mark.parametrize("options, error, match", [
    ({"map_location": "cuda"}, UsageError, r"map_location='cuda'.*on the CPU; "
                                                     r"there is no other device"),
    ({"map_location": {"cpu": "cuda:1"}}, UsageError, "no other device"),
    ({"map_location": 0}, ArgumentTypeError, "map_location must be None, a device .* got int"),
    ({"weights_only": 1}, ArgumentTypeError, "weights_only"),
])
def test_torch_load_options_asking_for_more_are_named_errors(
        options: dict, error: type, match: str, tmp_path: Path) -> None:
    nn.save(tmp_path / "c.npz", epoch=3)
    with pytest.raises(error, match=match):  # was: load() got an unexpected keyword argument
        nn.load(tmp_path / "c.npz", **options)


def test_load_with_named_objects_restores_them_as_save_named_them(tmp_path: Path) -> None:
    """``nn.load(path, model=m)`` mirrors ``nn.save(path, model=m)`` (was a bare TypeError)."""
    path = tmp_path / "ckpt.npz"
    model, rng = nn.Linear(3, 2, rng=0), np.random.default_rng(5)
    nn.save(path, model=model, rng=rng, epoch=7)
    expected_draw = np.random.default_rng(5).random()
    fresh, other = nn.Linear(3, 2, rng=1), np.random.default_rng(0)
    everything = nn.load(path, model=fresh, rng=other)
    assert everything["epoch"] == 7
    np.testing.assert_array_equal(fresh.weight.data, model.weight.data)
    assert other.random() == expected_draw
    with pytest.raises(CheckpointError, match="no entry 'optimizer'"):
        nn.load(path, optimizer=nn.optim.SGD(fresh.parameters(), lr=0.1))
