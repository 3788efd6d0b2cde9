"""PyTorch's ``out=``: ``autograd.f(..., out=t)`` writes into the Tensor t (resized, cast
by the same_kind rule) and returns it, refused while an input or t requires grad, as
torch; an ndarray ``out`` is a UsageError; NumPy's spellings write plain NumPy into an
array and refuse a Tensor."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import autograd as ag

A = np.random.default_rng(0).normal(size=(3, 3))

CASES = {  # name: (our call, torch's call), each given out=
    "matmul": (lambda x, out: ag.matmul(x, x, out=out),
               lambda torch, x, out: torch.matmul(x, x, out=out)),
    "add": (lambda x, out: ag.add(x, 2.0, out=out),
            lambda torch, x, out: torch.add(x, 2.0, out=out)),
    "exp": (lambda x, out: ag.exp(x, out=out), lambda torch, x, out: torch.exp(x, out=out)),
    "sin": (lambda x, out: ag.sin(x, out=out), lambda torch, x, out: torch.sin(x, out=out)),
    "sum": (lambda x, out: ag.sum(x, dim=0, out=out),
            lambda torch, x, out: torch.sum(x, 0, out=out)),
    "cat": (lambda x, out: ag.cat([x, x], 1, out=out),
            lambda torch, x, out: torch.cat([x, x], 1, out=out)),
    "eq": (lambda x, out: ag.eq(x, x, out=out), lambda torch, x, out: torch.eq(x, x, out=out)),
    "zeros": (lambda x, out: ag.zeros(2, 4, out=out),
              lambda torch, x, out: torch.zeros(2, 4, out=out)),
    "linalg.inv": (lambda x, out: ag.linalg.inv(x, out=out),
                   lambda torch, x, out: torch.linalg.inv(x, out=out)),
}


@pytest.mark.parametrize("name", CASES)
def test_writes_into_the_tensor_as_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name]
    out, t_out = ag.zeros(0), torch.zeros(0, dtype=torch.float64)
    result = ours(ag.tensor(A), out)
    expected = theirs(torch, torch.tensor(A), t_out)
    assert result is out and out.dtype == np.float64 and not out.requires_grad
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)


def test_tuple_results_take_a_tuple() -> None:
    torch = pytest.importorskip("torch")
    values, indices = ag.zeros(0), ag.zeros(0, dtype=np.int64)
    result = ag.sort(ag.tensor(A), dim=1, out=(values, indices))
    expected = torch.sort(torch.tensor(A), dim=1)
    assert result[0] is values and result[1] is indices
    np.testing.assert_array_equal(values.data, expected.values.numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    with pytest.raises(ag.UsageError, match="takes a tuple of 2 Tensors"):
        ag.sort(ag.tensor(A), dim=1, out=values)


def test_refused_while_recording_as_torch() -> None:
    torch = pytest.importorskip("torch")
    x, tx = ag.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        torch.exp(tx, out=torch.zeros(0, dtype=torch.float64))
    with pytest.raises(ag.UsageError, match="out= do not support automatic differentiation"
                                            r".*an input requires grad.*autograd.no_grad"):
        ag.exp(x, out=ag.zeros(0))
    leaf = ag.zeros(3, 3, requires_grad=True)
    with pytest.raises(ag.UsageError, match="and out requires grad"):
        ag.exp(ag.tensor(A), out=leaf)
    with ag.no_grad(), torch.no_grad():  # untracked writes are allowed, as in torch
        assert ag.exp(x, out=leaf) is leaf
        torch.exp(tx, out=torch.zeros(3, 3, dtype=torch.float64, requires_grad=True))
    np.testing.assert_allclose(leaf.data, np.exp(A))


def test_casts_as_torch_and_resizes_with_its_warning() -> None:
    torch = pytest.importorskip("torch")
    out = ag.zeros(2, dtype=np.float32)
    with pytest.warns(UserWarning, match="resized"):
        ag.exp(ag.tensor(A), out=out)
    with pytest.warns(UserWarning, match="resized"):
        torch.exp(torch.tensor(A), out=torch.zeros(2))
    assert out.shape == (3, 3) and out.dtype == np.float32
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.exp(torch.tensor(A), out=torch.zeros(3, 3, dtype=torch.long))
    with pytest.raises(ag.DTypeError, match="float64 cannot be cast to out's int64"):
        ag.exp(ag.tensor(A), out=ag.zeros(3, 3, dtype=np.int64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.exp(ag.tensor(A), out=ag.zeros(0))  # an empty out: no warning


def test_a_write_into_a_saved_tensor_stops_its_backward() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = ag.tensor([3.0, 4.0])
    y = (x * h).sum()
    ag.add(h, 1.0, out=h)
    with pytest.raises(ag.InplaceError):
        y.backward()


def test_an_ndarray_out_names_the_numpy_way() -> None:
    with pytest.raises(ag.UsageError, match=r"takes a Tensor.*got ndarray.*np\.exp\(t, out"):
        ag.matmul(ag.tensor(A), ag.tensor(A), out=np.empty((3, 3)))


TORCH_OUT = ("add sub mul div neg pow exp log sqrt abs tanh sigmoid maximum minimum where clip "
             "clamp matmul sum mean var std max min logsumexp softmax log_softmax concatenate "
             "stack cat sin cos tan arcsin arccos arctan arctan2 sinh cosh log1p expm1 log2 "
             "log10 square reciprocal erf sign floor ceil round prod cumsum cumprod norm argmax "
             "argmin sort dot outer tensordot slogdet cholesky tril triu index_add "
             "index_select gather topk amax amin clamp_min clamp_max lerp nan_to_num mm bmm "
             "addmm diag eq ne lt le gt ge zeros ones full zeros_like ones_like eye arange "
             "linspace rand randn rand_like randn_like randint randperm multinomial normal "
             "bernoulli").split()
LINALG_OUT = ("det slogdet inv solve cholesky vector_norm matrix_norm norm matmul matrix_power "
              "eigh eigvalsh svd svdvals qr pinv matrix_rank cond householder_product vecdot "
              "multi_dot cholesky_ex inv_ex").split()


def test_every_function_torch_gives_out_takes_it() -> None:
    functions = [getattr(ag, n) for n in TORCH_OUT] + [getattr(ag.linalg, n) for n in LINALG_OUT]
    for f in functions:
        parameter = inspect.signature(f).parameters["out"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None
    assert ag.exp(ag.tensor(A), out=None).requires_grad is False  # out=None: the usual call


def test_numpy_spellings_write_arrays_and_refuse_tensors() -> None:
    t = ag.tensor(A)
    array = np.empty((6, 3))
    assert np.concatenate([t, t], out=array) is array  # was a bare TypeError
    np.testing.assert_array_equal(array, np.concatenate([A, A]))
    column = np.empty(3)
    assert np.sum(t, 0, None, column) is column  # out by position
    for call in (lambda: np.sum(t, axis=0, out=ag.zeros(3)),  # wrote into it silently
                 lambda: np.concatenate([t, t], out=ag.zeros(6, 3)),
                 lambda: np.exp(t, out=ag.zeros(3, 3))):
        with pytest.raises(ag.UsageError, match=r"a Tensor cannot be a NumPy output.*"
                                                r"autograd\.\w+\(\.\.\., out=t\)"):
            call()


def test_every_function_torch_documents_with_out_takes_it_here():
    """A new ``autograd.f`` whose PyTorch namesake documents ``out (...)`` needs
    ``@accepts_out`` (functions of another meaning under the same name are listed)."""
    import inspect
    import re
    torch = pytest.importorskip("torch")
    missing = []
    for name in ag.__all__:
        ours, theirs = getattr(ag, name), getattr(torch, name, None)
        if isinstance(ours, type) or not callable(ours) or not callable(theirs):
            continue
        documented = re.search(r"\bout \(", getattr(theirs, "__doc__", "") or "")
        if documented and "out" not in inspect.signature(ours).parameters:
            missing.append(name)
    assert missing == []
