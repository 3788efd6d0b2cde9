"""The module-level functions take PyTorch's keyword names (``exp(input=t)``,
``add(t, other=u)``, ``where(c, input=a, other=b)``, ``tile(t, dims=...)``...), and the
earlier names (``x=``, ``a=``, ``b=``, NumPy's ``reps=``, ``shape=``) still work."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError

# torch's name -> why ours does not take it (yet)
NOT_RENAMED = {
    "solve": "torch.solve was removed (it raises), and took (B, A): ours is np.linalg.solve",
    "max": "other= (torch.max(input, other) = maximum): use autograd.maximum",
    "min": "other= (torch.min(input, other) = minimum): use autograd.minimum",
    "scatter": "reduce= ('add'/'multiply', deprecated in PyTorch): use scatter_reduce",
    "result_type": "takes any number of operands (autograd/dtypes.py)",
    "set_rng_state": "state= (autograd/_random.py, outside this change)",
    "as_tensor": "x= (autograd/tensor.py, outside this change)",
    "tensor": "torch's jit-only overload t=; data= is taken",
    "matrix_exp": "A= (autograd/linalg.py, outside this change)",
    "normal": "torch's normal(input, generator=) of a tensor of means is not taken",
    "isin": "torch's scalar overloads element=, test_element=",
    "select": "torch's jit-only list overload (list, idx)",
    "ldexp": "torch's jit-only overload (x, i)",
    "dsplit": "sections=/indices= (indices_or_sections taken)",
    "hsplit": "sections=/indices= (indices_or_sections taken)",
    "vsplit": "sections=/indices= (indices_or_sections taken)",
    "tensor_split": "tensor_indices_or_sections= (sections=, indices= taken)",
}
# options torch has that are no renaming (memory layout, pinned memory, output dtype)
UNSUPPORTED_OPTIONS = {"layout", "pin_memory", "memory_format", "out_dtype"}


def _torch_keyword_names(torch, name: str) -> list[str] | None:
    """torch.NAME's keyword names over its overloads; ``None`` where none are known."""
    function = getattr(torch, name)
    try:
        parameters = inspect.signature(function).parameters.values()
        return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    except (TypeError, ValueError):
        pass
    schemas = torch._C._jit_get_schemas_for_operator("aten::" + name)
    names: list[str] = []
    for schema in schemas:
        arguments = [a.name for a in schema.arguments]
        jit_only = {"a", "b", "l", "n"} & set(arguments) or "reverse" in arguments
        out_variant = schema.is_mutable and not name.endswith("_")
        if jit_only or out_variant:
            continue
        names += [n for n in ("input" if a == "self" else a for a in arguments)
                  if n not in names]
    return names or None


def _shared_functions(torch) -> list[str]:
    return sorted(name for name in ag.__all__
                  if not name.startswith("_") and hasattr(torch, name)
                  and inspect.isroutine(getattr(ag, name)))


def test_every_shared_function_takes_torch_keyword_names(torch):
    refused = {}
    for name in _shared_functions(torch):
        torch_names = _torch_keyword_names(torch, name)
        if torch_names is None or name in NOT_RENAMED:
            continue
        try:
            parameters = inspect.signature(getattr(ag, name)).parameters.values()
        except (TypeError, ValueError):
            continue
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            continue
        ours = {p.name for p in parameters
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        missing = [n for n in torch_names if n not in ours | UNSUPPORTED_OPTIONS | {"out"}]
        if missing:
            refused[name] = missing
    assert refused == {}


def _sample(shape=(2, 3), low=0.2, high=0.9, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def _assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
        return
    expected = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    np.testing.assert_allclose(np.asarray(ours, dtype=float), expected.astype(float),
                               rtol=1e-10, atol=1e-12, equal_nan=True)


def test_one_argument_functions_take_input_by_keyword(torch):
    """Every shared function whose only argument is ``input`` (elementwise math and
    more), called with ``input=`` as torch's."""
    skip = {"numel", "is_floating_point", "is_complex", "is_nonzero", "is_tensor",
            "is_storage", "is_conj", "is_neg", "resolve_conj", "resolve_neg",
            "nonzero"}  # nonzero(x) alone is ambiguous here by design (UsageError)
    matrix = np.array([[1.5, 0.25], [0.25, 1.2]])  # symmetric positive definite
    called = []
    for name in _shared_functions(torch):
        names = _torch_keyword_names(torch, name)
        if names is None or name in skip or name in NOT_RENAMED \
                or not set(names) <= {"input", "out"} \
                or "input" not in names or name.endswith("_"):
            continue
        try:
            expected = getattr(torch, name)(input=torch.tensor(matrix))
        except (RuntimeError, TypeError, ValueError, NotImplementedError):
            continue
        _assert_same(getattr(ag, name)(input=ag.tensor(matrix)), expected)
        called.append(name)
    assert {"exp", "log", "sqrt", "abs", "tanh", "sigmoid", "neg", "sin", "cos", "erf",
            "lgamma", "digamma", "floor", "det", "relu", "trace"} <= set(called)


def _cases(t):
    x, y = _sample(), _sample(seed=1)
    m, v = _sample((3, 3), seed=2), _sample((3,), seed=3)
    index = np.array([[0, 2, 1], [1, 0, 0]])
    return [
        ("add", dict(input=x, other=y, alpha=2)),
        ("sub", dict(input=x, other=y, alpha=2)),
        ("mul", dict(input=x, other=y)),
        ("div", dict(input=x, other=y, rounding_mode="floor")),
        ("true_divide", dict(input=x, other=y)),
        ("pow", dict(input=x, exponent=y)),
        ("matmul", dict(input=m, other=v)),
        ("maximum", dict(input=x, other=y)),
        ("minimum", dict(input=x, other=y)),
        ("arctan2", dict(input=x, other=y)),
        ("where", dict(condition=x > 0.5, input=x, other=y)),
        ("clamp", dict(input=x, min=0.4, max=0.6)),
        ("clip", dict(input=x, min=0.4, max=0.6)),
        ("sum", dict(input=x, dim=1, keepdim=True)),
        ("mean", dict(input=x, dim=0)),
        ("prod", dict(input=x, dim=1)),
        ("std", dict(input=x, dim=1, correction=0)),
        ("var", dict(input=x, dim=1, unbiased=False)),
        ("max", dict(input=x, dim=1)),
        ("min", dict(input=x, dim=0, keepdim=True)),
        ("argmax", dict(input=x, dim=1)),
        ("argmin", dict(input=x, dim=1)),
        ("argsort", dict(input=x, dim=1, descending=True)),
        ("sort", dict(input=x, dim=1)),
        ("cumsum", dict(input=x, dim=1)),
        ("cumprod", dict(input=x, dim=0)),
        ("logsumexp", dict(input=x, dim=1)),
        ("softmax", dict(input=x, dim=1)),
        ("log_softmax", dict(input=x, dim=0)),
        ("norm", dict(input=x.astype(np.float32), p=1, dim=1, dtype=t.float64)),
        ("round", dict(input=x, decimals=1)),
        ("reshape", dict(input=x, shape=(3, 2))),
        ("transpose", dict(input=x, dim0=0, dim1=1)),
        ("swapaxes", dict(input=x, axis0=0, axis1=1)),
        ("squeeze", dict(input=x[None], dim=0)),
        ("broadcast_to", dict(input=v, size=(2, 3))),
        ("flip", dict(input=x, dims=(1,))),
        ("roll", dict(input=x, shifts=1, dims=1)),
        ("tile", dict(input=v, dims=(2, 1))),
        ("diagonal", dict(input=m, offset=1, dim1=0, dim2=1)),
        ("tril", dict(input=m, diagonal=-1)),
        ("triu", dict(input=m, diagonal=1)),
        ("dot", dict(input=v, tensor=v)),
        ("outer", dict(input=v, vec2=v)),
        ("cholesky", dict(input=m @ m.T + np.eye(3), upper=True)),
        ("slogdet", dict(input=m)),
        ("gather", dict(input=x, dim=1, index=index, sparse_grad=False)),
        ("index_select", dict(input=x, dim=1, index=np.array([2, 0]))),
        ("index_add", dict(input=x, dim=1, index=np.array([2, 0]), source=y[:, :2], alpha=2)),
        ("index_put", dict(input=v, indices=(np.array([0, 2]),), values=np.array([5., 6.]),
                           accumulate=True)),
        ("addcmul", dict(input=x, tensor1=x, tensor2=y, value=0.5)),
        ("addcdiv", dict(input=x, tensor1=x, tensor2=y, value=0.5)),
        ("cat", dict(tensors=(x, y), dim=1)),
        ("stack", dict(tensors=(x, y), dim=2)),
    ]


def _as(library, value):
    if isinstance(value, np.ndarray):
        return library.tensor(value)
    if isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
        return tuple(library.tensor(v) for v in value)
    return value


@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
def test_torch_keyword_names_give_torch_results(torch):
    for name, kwargs in _cases(torch):
        expected = getattr(torch, name)(**{k: _as(torch, v) for k, v in kwargs.items()})
        ours_kwargs = {k: (ag.float64 if v is torch.float64 else _as(ag, v))
                       for k, v in kwargs.items()}
        ours = getattr(ag, name)(**ours_kwargs)
        try:
            _assert_same(ours, expected)
        except AssertionError as error:
            raise AssertionError(f"autograd.{name}(**{list(kwargs)})") from error


def test_earlier_keyword_names_still_work():
    x, y = ag.tensor(_sample()), ag.tensor(_sample(seed=1))
    v = ag.tensor(_sample((3,)))
    pairs = [
        (ag.exp(x=x), ag.exp(x)), (ag.sin(x=x), ag.sin(x)), (ag.sum(x=x), ag.sum(x)),
        (ag.add(a=x, b=y), x + y), (ag.pow(a=x, b=2), x ** 2), (ag.matmul(a=v, b=v), v @ v),
        (ag.where(x > 0.5, a=x, b=y), ag.where(x > 0.5, x, y)),
        (ag.swapaxes(x, axis1=0, axis2=1), x.T), (ag.swapaxes(x, 0, axis2=1), x.T),
        (ag.tile(v, reps=(2, 1)), ag.tile(v, (2, 1))),
        (ag.broadcast_to(v, shape=(2, 3)), ag.broadcast_to(v, (2, 3))),
        (ag.dot(a=v, b=v), ag.dot(v, v)), (ag.outer(a=v, b=v), ag.outer(v, v)),
        (ag.arctan2(y=x, x=y), ag.arctan2(x, y)), (ag.det(a=x[:, :2]), ag.det(x[:, :2])),
        (ag.index_put(v, index=ag.tensor([0]), v=ag.tensor(5.0)),
         ag.index_put(v, ag.tensor([0]), ag.tensor(5.0))),
        (ag.true_divide(dividend=x, divisor=y), x / y),
    ]
    for ours, expected in pairs:
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(expected))


def test_one_argument_given_under_both_names_is_a_usage_error():
    x = ag.tensor(_sample())
    with pytest.raises(UsageError, match="x= and input="):
        ag.exp(input=x, x=x)
    with pytest.raises(UsageError, match="swapaxes"):
        ag.swapaxes(x, axis0=0, axis1=1, axis2=0)
    with pytest.raises(UsageError, match="addcmul"):
        ag.addcmul(x, x, x, tensor1=x)


def test_norm_dtype_narrower_than_the_input_is_refused_as_torch(torch):
    x = _sample()
    with pytest.raises(RuntimeError):
        torch.norm(torch.tensor(x), dtype=torch.float32)
    with pytest.raises(ag.DTypeError, match="narrower"):
        ag.norm(ag.tensor(x), dtype=ag.float32)


def test_like_functions_and_triangular_solves_take_pytorchs_and_the_earlier_names(torch):
    a = np.array([[2.0, 0.0], [1.0, 3.0]])
    b = np.array([[1.0], [2.0]])
    for name in ("zeros_like", "ones_like", "empty_like"):
        assert getattr(ag, name)(input=ag.tensor(b)).shape == (2, 1)
        assert getattr(ag, name)(t=ag.tensor(b)).shape == (2, 1)
    assert ag.full_like(input=ag.tensor(b), fill_value=2.0).tolist() == [[2.0], [2.0]]
    ours = ag.cholesky_solve(input=ag.tensor(b), input2=ag.tensor(a))
    theirs = torch.cholesky_solve(input=torch.tensor(b), input2=torch.tensor(a))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ag.cholesky_solve(B=ag.tensor(b), L=ag.tensor(a)).numpy(),
                               theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ag.cholesky_inverse(input=ag.tensor(a)).numpy(),
                               torch.cholesky_inverse(input=torch.tensor(a)).numpy(), rtol=1e-12)
    solution = ag.triangular_solve(input=ag.tensor(b), A=ag.tensor(a), upper=False).solution
    expected = torch.triangular_solve(input=torch.tensor(b), A=torch.tensor(a), upper=False)
    np.testing.assert_allclose(solution.numpy(), expected.solution.numpy(), rtol=1e-12)
