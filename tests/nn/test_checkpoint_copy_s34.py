"""Session 34 findings on checkpoints, state dicts and copies, next to PyTorch: a stream
holding several checkpoints, ``.grad`` and attributes through deepcopy/pickle of a
Parameter, an ``nn.Buffer``'s ``persistent`` through copies, named errors for malformed
optimizer and scheduler state dicts, PyTorch's implementation switches in a saved param
group, clearer ``nn.load`` messages, and ``Module.bfloat16()``."""
from __future__ import annotations

import copy
import io
import pickle
import sys

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UnsupportedError, UsageError
from nn.errors import CheckpointError, ConfigError, StateDictError


def _roundtrip(value):
    return pickle.loads(pickle.dumps(value))


COPIES = {"deepcopy": copy.deepcopy, "pickle": _roundtrip}


# ------------------------------------------------- F1: several checkpoints in one stream
def test_a_stream_of_two_checkpoints_loads_the_one_at_its_position(torch) -> None:
    ours, theirs = io.BytesIO(), io.BytesIO()
    for epoch in (1, 2):
        nn.save(ours, epoch=epoch)
        torch.save({"epoch": epoch}, theirs)
    ours.seek(0), theirs.seek(0)
    expected = torch.load(theirs)
    assert nn.load(ours) == expected == {"epoch": 1}
    assert nn.load(ours) == {"epoch": 2}  # the first load left the stream at its end
    assert ours.tell() == len(ours.getvalue())


def test_the_middle_of_three_checkpoints_loads_from_its_start() -> None:
    stream, starts = io.BytesIO(), []
    for step in range(3):
        starts.append(stream.tell())
        nn.save({"w": np.full(3, float(step)), "step": step}, stream)
    stream.seek(starts[1])
    loaded = nn.load(stream)
    assert loaded["step"] == 1 and np.array_equal(loaded["w"], np.full(3, 1.0))
    assert stream.tell() == starts[2]


def test_a_position_inside_a_checkpoint_is_a_checkpoint_error() -> None:
    stream = io.BytesIO()
    nn.save(stream, w=np.arange(3.0), v=np.arange(2.0))
    second_member = stream.getvalue().index(b"PK\x03\x04", 1)  # a zip entry's header
    stream.seek(second_member)
    with pytest.raises(CheckpointError, match=r"inside a checkpoint that starts at byte 0"):
        nn.load(stream)


# ------------------------------------------------------ F2: .grad through deepcopy/pickle
@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_copied_parameter_has_no_grad_as_in_pytorch(torch, how: str) -> None:
    theirs = torch.nn.Parameter(torch.ones(2))
    (theirs * 2).sum().backward()
    ours = nn.Parameter(np.ones(2))
    (ours * 2).sum().backward()
    copied, expected = COPIES[how](ours), COPIES[how](theirs)
    assert expected.grad is None and copied.grad is None
    assert type(copied) is nn.Parameter and copied.requires_grad
    assert np.array_equal(copied.data, ours.data)


@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_module_copied_after_backward_starts_without_gradients(torch, how: str) -> None:
    ours = nn.Linear(2, 1)
    theirs = torch.nn.Linear(2, 1)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data.copy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data.copy()))
    ours(ag.Tensor(np.ones((1, 2)))).sum().backward()
    theirs(torch.ones(1, 2)).sum().backward()
    ours_copy, theirs_copy = COPIES[how](ours), COPIES[how](theirs)
    assert ours_copy.weight.grad is None and theirs_copy.weight.grad is None
    ours_copy(ag.Tensor(np.ones((1, 2)))).sum().backward()
    theirs_copy(torch.ones(1, 2)).sum().backward()
    assert np.array_equal(ours_copy.weight.grad.data, theirs_copy.weight.grad.numpy())


def test_a_plain_tensor_deepcopy_keeps_its_grad_as_in_pytorch(torch) -> None:
    ours = ag.Tensor(np.ones(2), requires_grad=True)
    (ours * 3).sum().backward()
    theirs = torch.ones(2, requires_grad=True)
    (theirs * 3).sum().backward()
    assert np.array_equal(copy.deepcopy(ours).grad.data, copy.deepcopy(theirs).grad.numpy())


def test_parameter_attributes_survive_pickle_not_deepcopy_as_in_pytorch(torch) -> None:
    ours, theirs = nn.Parameter(np.ones(2)), torch.nn.Parameter(torch.ones(2))
    ours.no_decay = theirs.no_decay = True
    assert _roundtrip(ours).no_decay is _roundtrip(theirs).no_decay is True
    assert not hasattr(copy.deepcopy(theirs), "no_decay")
    assert not hasattr(copy.deepcopy(ours), "no_decay")


def test_copies_keep_tied_parameters_and_frozen_ones() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model[1].weight = model[0].weight
    model[0].bias.requires_grad_(False)
    for how in COPIES.values():
        copied = how(model)
        assert copied[1].weight is copied[0].weight
        assert not copied[0].bias.requires_grad and copied[0].weight.requires_grad


# ----------------------------------------------------- F3: nn.Buffer keeps `persistent`
@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_copied_buffer_keeps_persistent_as_in_pytorch(torch, how: str) -> None:
    copier = copy.copy if how == "copy" else COPIES[how]
    theirs = copier(torch.nn.Buffer(torch.ones(2), persistent=False))
    ours = copier(nn.Buffer(np.ones(2), persistent=False))
    assert isinstance(ours, nn.Buffer) and ours.persistent is theirs.persistent is False
    assert np.array_equal(ours.data, np.ones(2))


def test_a_deep_copied_buffer_saves_and_registers() -> None:
    buffer = copy.deepcopy(nn.Buffer(np.ones(2), persistent=False))
    stream = io.BytesIO()
    nn.save(stream, b=buffer)
    stream.seek(0)
    assert nn.load(stream)["b"].persistent is False

    class Holder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.b = copy.deepcopy(buffer)

    holder = Holder()
    assert "b" in dict(holder.named_buffers()) and "b" not in holder.state_dict()


# ------------------------------------------ F5: malformed optimizer/scheduler state dicts
def _adam_state() -> dict:
    p = nn.Parameter(np.ones(2))
    opt = nn.optim.Adam([p], lr=0.1)
    p.grad = ag.Tensor(np.ones(2))
    opt.step()
    return opt.state_dict()


def _fresh_adam() -> nn.optim.Adam:
    return nn.optim.Adam([nn.Parameter(np.ones(2))], lr=0.1)


@pytest.mark.parametrize("edit, message", [
    (lambda sd: sd.update(state={0: 5}), "state of parameter 0 must be a dict"),
    (lambda sd: sd.update(state=[1]), "'state' must be a dict"),
    (lambda sd: sd.update(param_groups=5), "'param_groups' must be a list"),
    (lambda sd: sd.update(param_groups=[5]), r"param_groups\[0\] must be a dict"),
    (lambda sd: sd["param_groups"][0].update(params=["a"]), "must be a list of parameter"),
    (lambda sd: sd["state"][0].update(exp_avg="x"), "'exp_avg' .* must be a Tensor"),
    (lambda sd: sd["state"][0].update(step=-3.0), "'step' .* count >= 0"),
    (lambda sd: sd["state"][0].update(step=float("nan")), "'step' .* count >= 0"),
    (lambda sd: sd["state"][0].update(step="x"), "'step' .* must be a number"),
])
def test_a_malformed_optimizer_state_dict_is_a_state_dict_error(edit, message: str) -> None:
    state = _adam_state()
    edit(state)
    opt = _fresh_adam()
    before = (copy.deepcopy(opt.param_groups[0]["lr"]), dict(opt.state))
    with pytest.raises(StateDictError, match=message):
        opt.load_state_dict(state)
    assert (opt.param_groups[0]["lr"], dict(opt.state)) == before  # left as it was


def _step_lr() -> nn.optim.StepLR:
    return nn.optim.StepLR(_fresh_adam(), 2)


@pytest.mark.parametrize("build", [
    _step_lr,
    lambda: nn.optim.ReduceLROnPlateau(_fresh_adam()),
    lambda: nn.optim.LambdaLR(_fresh_adam(), lambda epoch: 0.9 ** epoch),
    lambda: nn.optim.CyclicLR(nn.optim.SGD([nn.Parameter(np.ones(2))], lr=0.1), 0.01, 0.1),
    lambda: nn.optim.ChainedScheduler([_step_lr()]),
])
def test_a_scheduler_state_dict_that_is_not_a_dict_is_a_state_dict_error(build) -> None:
    with pytest.raises(StateDictError, match="expected the dict"):
        build().load_state_dict([1])


def test_sequential_lr_refuses_a_list_before_loading_anything() -> None:
    opt = _fresh_adam()
    inner = nn.optim.StepLR(opt, 2)
    scheduler = nn.optim.SequentialLR(opt, [inner, nn.optim.ExponentialLR(opt, 0.9)], [2])
    with pytest.raises(StateDictError, match="expected the dict"):
        scheduler.load_state_dict([1])


@pytest.mark.parametrize("key, value", [("last_epoch", "x"), ("last_epoch", -5),
                                        ("gamma", None), ("gamma", float("nan")),
                                        ("base_lrs", [0.1, 0.2]), ("_last_lr", 0.1)])
def test_a_scheduler_value_of_the_wrong_kind_is_refused_at_load(key: str, value) -> None:
    state = _step_lr().state_dict()
    state[key] = value
    with pytest.raises(StateDictError, match=f"'{key}' must be"):
        _step_lr().load_state_dict(state)


# ---------------------------------------- F6: PyTorch's switches in a saved param group
def _torch_state_dict(torch, name: str, **options) -> tuple[dict, object]:
    """A PyTorch optimizer's state dict after two steps, its tensors as NumPy arrays."""
    param = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = getattr(torch.optim, name)([param], **options)
    for _ in range(2):
        opt.zero_grad()
        (param ** 2).sum().backward()
        opt.step()
    saved = opt.state_dict()
    state = {k: {n: v.numpy().copy() if hasattr(v, "numpy") else v for n, v in e.items()}
             for k, e in saved["state"].items()}
    return {"state": state, "param_groups": [dict(g) for g in saved["param_groups"]]}, (
        param, opt)


@pytest.mark.parametrize("name, options", [("Adam", {"lr": 0.01}), ("AdamW", {"lr": 0.01}),
                                           ("SGD", {"lr": 0.01, "momentum": 0.9}),
                                           ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1})])
def test_a_pytorch_state_dict_with_its_switches_loads_and_steps_alike(torch, name: str,
                                                                      options: dict) -> None:
    state, (theirs, their_opt) = _torch_state_dict(torch, name, **options)
    assert {"foreach", "differentiable"} <= set(state["param_groups"][0])
    ours = nn.Parameter(theirs.detach().numpy().copy())
    opt = getattr(nn.optim, name)([ours], **options)
    opt.load_state_dict(state)
    assert not {"foreach", "fused", "capturable", "differentiable"} & set(opt.param_groups[0])
    their_opt.zero_grad()
    (theirs ** 2).sum().backward()
    their_opt.step()
    ours.grad = ag.Tensor(2 * ours.data)
    opt.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_a_saved_differentiable_true_is_refused_as_the_constructor_does() -> None:
    state = _adam_state()
    state["param_groups"][0].update(foreach=None, differentiable=True)
    with pytest.raises(ConfigError, match="differentiable=True"):
        _fresh_adam().load_state_dict(state)


def test_switches_an_optimizer_does_not_take_stay_unexpected() -> None:
    p = nn.Parameter(np.ones(2))
    state = nn.optim.LBFGS([p]).state_dict()
    state["param_groups"][0]["fused"] = None  # PyTorch's LBFGS has no such switch either
    with pytest.raises(StateDictError, match="unexpected: \\['fused'\\]"):
        nn.optim.LBFGS([nn.Parameter(np.ones(2))]).load_state_dict(state)


# ------------------------------------------------------------------ F7: nn.load messages
def test_a_torch_save_file_is_named_as_one(torch, tmp_path) -> None:
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(CheckpointError, match=r"is a torch.save file.*v\.numpy\(\)"):
        nn.load(path)


def test_a_closed_file_is_a_usage_error(tmp_path) -> None:
    path = tmp_path / "ckpt.npz"
    nn.save(path, w=np.arange(3))
    with open(path, "rb") as f:
        pass
    with pytest.raises(UsageError, match="closed"):
        nn.load(f)


def test_a_file_that_cannot_seek_is_a_usage_error() -> None:
    class Unseekable(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            return self._data.readinto(buffer)

    stream = io.BytesIO()
    nn.save(stream, w=np.arange(3))
    with pytest.raises(UsageError, match=r"seekable.*io\.BytesIO\(f\.read\(\)\)"):
        nn.load(Unseekable(stream.getvalue()))


def test_a_file_open_for_writing_only_is_a_usage_error(tmp_path) -> None:
    with open(tmp_path / "x.npz", "wb") as f, pytest.raises(UsageError, match="readable"):
        nn.load(f)
    with open(tmp_path / "x.npz", "rb") as f, pytest.raises(UsageError, match="writable"):
        nn.save(f, w=np.arange(3))


def test_a_valid_file_loaded_from_deep_recursion_says_so() -> None:
    nested: list = []
    inner = nested
    for _ in range(99):
        inner.append([])
        inner = inner[0]
    stream = io.BytesIO()
    nn.save(stream, x=nested)
    data = stream.getvalue()

    def load_from_depth(depth: int):
        return nn.load(io.BytesIO(data)) if depth == 0 else load_from_depth(depth - 1)

    try:
        load_from_depth(sys.getrecursionlimit() - 150)
    except CheckpointError as error:
        assert "call nn.load from code less deep in the call stack" in str(error)
    # (a Python that needs fewer frames may load it: nothing to report then)


# ----------------------------------------------------------------- F8: Module.bfloat16()
def test_module_bfloat16_names_what_to_use(torch) -> None:
    assert callable(torch.nn.Linear(2, 2).bfloat16)  # PyTorch has the method
    with pytest.raises(UnsupportedError, match=r"no bfloat16.*model\.float\(\)"):
        nn.Linear(2, 2).bfloat16()


def test_tensor_bfloat16_is_a_named_error():
    import autograd as ag
    from autograd.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="NumPy has no bfloat16"):
        ag.ones(2).bfloat16()
