"""PyTorch's process-level calls where the answer here is known: ``is_tensor``,
``compile`` (the model itself), ``set_default_dtype(float64)``,
``set_float32_matmul_precision``, ``Variable`` and ``vmap``. Each was a
``MissingNameError``, so scripts stopped at their first lines (nanoGPT's
``model = torch.compile(model)``, PINNs' ``torch.set_default_dtype(torch.float64)``)."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn


def test_is_tensor_as_pytorch(torch) -> None:
    for ours, theirs in ((ag.ones(2), torch.ones(2)),
                         (nn.Parameter(ag.ones(2)), torch.nn.Parameter(torch.ones(2))),
                         (np.ones(2), np.ones(2)), ([1.0], [1.0]), (3.0, 3.0)):
        assert ag.is_tensor(ours) == torch.is_tensor(theirs)


def test_compile_gives_the_model_itself_which_computes_the_same() -> None:
    model = nn.Linear(3, 2)
    compiled = ag.compile(model, mode="reduce-overhead", fullgraph=True)
    assert compiled is model
    assert list(compiled.state_dict()) == ["weight", "bias"]

    @ag.compile
    def double(x):
        return x * 2

    @ag.compile(dynamic=True)
    def triple(x):
        return x * 3
    np.testing.assert_array_equal(double(ag.ones(2)).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(triple(ag.ones(2)).numpy(), [3.0, 3.0])
    with pytest.raises(ag.UsageError, match="compile: expected a Module or a function; "
                                            "got int"):
        ag.compile(3)


def test_module_compile_is_a_no_op_as_its_forward_runs_eagerly() -> None:
    model, x = nn.Linear(3, 2), np.ones((1, 3))
    before = model(ag.tensor(x)).detach().numpy()
    assert model.compile(mode="max-autotune") is None  # PyTorch's returns None too
    np.testing.assert_array_equal(model(ag.tensor(x)).detach().numpy(), before)


def test_a_star_import_keeps_pythons_compile() -> None:
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert namespace.get("compile", compile) is compile and "compile" not in ag.__all__


def test_set_default_dtype_accepts_float64_and_names_the_fix_for_others(torch) -> None:
    ag.set_default_dtype(ag.float64)
    ag.set_default_dtype(np.float64)
    assert ag.get_default_dtype() is ag.float64
    torch.set_default_dtype(torch.float64)  # what PyTorch then makes, we make already
    assert str(torch.ones(2).dtype) == "torch." + ag.ones(2).dtype.name
    assert str(torch.nn.Linear(2, 2).weight.dtype) == "torch." + nn.Linear(2, 2).weight.dtype.name
    with pytest.raises(ag.UnsupportedError, match=r"set_default_dtype\(float32\): the default "
                                                  r"dtype is fixed here.*dtype="):
        ag.set_default_dtype(ag.float32)


def test_float32_matmul_precision_is_kept_and_checked(torch) -> None:
    before = ag.get_float32_matmul_precision()
    assert before == torch.get_float32_matmul_precision() == "highest"
    try:
        for precision in ("high", "medium", "highest"):
            ag.set_float32_matmul_precision(precision)
            assert ag.get_float32_matmul_precision() == precision
        with pytest.raises(ag.UsageError, match="expected one of 'highest', 'high', "
                                                "'medium'; got 'low'"):
            ag.set_float32_matmul_precision("low")  # PyTorch warns and ignores it
    finally:
        ag.set_float32_matmul_precision(before)


def test_variable_is_a_detached_leaf_sharing_memory_as_pytorch(torch) -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True) * 2
    wt = torch.tensor([1.0, 2.0], requires_grad=True) * 2
    for args in ((), (True,), (False,)):
        ours, theirs = ag.Variable(w, *args), torch.autograd.Variable(wt, *args)
        assert ours is not w and ours.is_leaf == theirs.is_leaf
        assert ours.requires_grad == theirs.requires_grad and ours.grad_fn is None
        assert np.shares_memory(ours.data, w.data)
    leaf = ag.Variable(ag.tensor([1.0, 2.0]), requires_grad=True)
    (leaf * leaf).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), [2.0, 4.0])
    with pytest.raises(ag.UsageError, match="Variable: data has to be a Tensor, got list"):
        ag.Variable([1.0, 2.0])
    with pytest.raises(TypeError):
        torch.autograd.Variable([1.0, 2.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not ag.Variable(ag.ones(2), volatile=True).requires_grad
    assert "volatile was removed" in str(caught[0].message)


def test_vmap_is_the_func_one(torch) -> None:
    assert ag.vmap is ag.func.vmap
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(ag.vmap(lambda r: (r * r).sum())(ag.tensor(x)).numpy(),
                               torch.vmap(lambda r: (r * r).sum())(torch.tensor(x)).numpy())
