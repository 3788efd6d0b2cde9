"""The public functions of the second set of ops: ``autograd.sin(x)``,
``autograd.prod(x, dim=0)``, ``autograd.einsum("ij,jk->ik", a, b)``...

Each accepts Tensors, arrays and numbers and calls the Tensor method of the same name
(``tensor_methods``), or, for the linear-algebra functions of several operands, the
composition in ``autograd.ops.linalg_more``. Parameters have PyTorch's names
(``sin(input=t)``, ``tile(t, dims=(2,))``); the earlier ones (``x=``, ``a=``, ``reps=``)
still work (``keyword_aliases``).
"""

from __future__ import annotations

from typing import Any


from .function import apply
from .keyword_aliases import keyword_aliases
from .ops import linalg_more as linalg
from .ops.einsum import interleaved
from .ops.gamma import Digamma, Lgamma
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_reductions import refuse_bare_axis
from .torch_arguments import pick_one, widening_dtype

__all__ = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
           "arcsinh", "arccosh", "arctanh",
           "log1p", "expm1", "log2", "log10", "square", "reciprocal", "erf", "erfc", "erfinv",
           "softplus", "lgamma", "digamma", "sign", "floor", "ceil", "round",
           "prod", "cumsum", "cumprod", "norm", "argmax", "argmin", "sort", "argsort",
           "dot", "outer", "einsum", "tensordot", "trace", "diagonal", "det", "slogdet",
           "inv", "solve", "cholesky",
           "take_along_axis", "take", "put", "flip", "roll", "pad", "tile", "repeat", "tril",
           "triu", "index_put", "index_add"]


def _unary(name: str, doc: str) -> Any:
    def function(input: Any) -> Tensor:  # noqa: A002
        return getattr(as_tensor(input), name)()
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return keyword_aliases(x="input")(accepts_out(function))


sin = _unary("sin", "sin x (radians).")
cos = _unary("cos", "cos x (radians).")
tan = _unary("tan", "tan x (radians).")
arcsin = _unary("arcsin", "The inverse sine, in [-pi/2, pi/2].")
arccos = _unary("arccos", "The inverse cosine, in [0, pi].")
arctan = _unary("arctan", "The inverse tangent, in (-pi/2, pi/2).")
sinh = _unary("sinh", "sinh x = (e^x - e^-x) / 2.")
cosh = _unary("cosh", "cosh x = (e^x + e^-x) / 2.")
arcsinh = _unary("arcsinh", "The inverse hyperbolic sine, ln(x + sqrt(x^2 + 1)).")
arccosh = _unary("arccosh", "The inverse hyperbolic cosine, for x >= 1.")
arctanh = _unary("arctanh", "The inverse hyperbolic tangent, on (-1, 1).")
log1p = _unary("log1p", "ln(1 + x), accurate for small x.")
expm1 = _unary("expm1", "e^x - 1, accurate for small x.")
log2 = _unary("log2", "The base-2 logarithm.")
log10 = _unary("log10", "The base-10 logarithm.")
square = _unary("square", "x^2.")
reciprocal = _unary("reciprocal", "1 / x.")
erf = _unary("erf", "The error function 2/sqrt(pi) int_0^x e^{-t^2} dt.")
erfc = _unary("erfc", "1 - erf(x), accurate in relative terms for large x too.")
erfinv = _unary("erfinv", "The x with erf(x) = y, for y in [-1, 1] (+-inf at +-1).")
softplus = _unary("softplus", "ln(1 + e^x), without overflow; its derivative is sigmoid.")
sign = _unary("sign", "-1, 0 or 1 by the sign of x; the gradient is 0.")
floor = _unary("floor", "The largest integer <= x (same dtype); the gradient is 0.")
ceil = _unary("ceil", "The smallest integer >= x (same dtype); the gradient is 0.")


# functions only: the Tensor method files are full (t.lgamma() would be PyTorch's spelling)
@keyword_aliases(x="input")
@accepts_out
def lgamma(input: Any) -> Tensor:  # noqa: A002
    """ln|Gamma(x)| (PyTorch's lgamma, SciPy's gammaln); its derivative is digamma."""
    return apply(Lgamma(), as_tensor(input))


@keyword_aliases(x="input")
@accepts_out
def digamma(input: Any) -> Tensor:  # noqa: A002
    """psi(x) = d ln Gamma(x) / dx; its derivative is trigamma (then psi'')."""
    return apply(Digamma(), as_tensor(input))


@keyword_aliases(x="input")
@accepts_out
def round(input: Any, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """x rounded to ``decimals`` places (halves to even, as NumPy); the gradient is 0."""
    return as_tensor(input).round(decimals)


@keyword_aliases(y="input", x="other")
@accepts_out
def arctan2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The angle of the point (x, y) = (other, input) in (-pi, pi], elementwise, as
    ``np.arctan2(y, x)``."""
    if isinstance(other, Tensor) and not isinstance(input, Tensor):
        input = other._pair(input)[1]  # a number takes other's float dtype
    return as_tensor(input).arctan2(other)


# ------------------------------------------------------------------ reductions and scans
@keyword_aliases(x="input")
@accepts_out
def prod(input: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
         dim: Any = None, keepdim: bool | None = None, dtype: Any = None) -> Tensor:
    """Product over ``axis`` (NumPy semantics); exact gradients also with zeros."""
    return as_tensor(input).prod(axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)


@keyword_aliases(x="input")
@accepts_out
def cumsum(input: Any, *position: Any, axis: Any = None, dim: Any = None,  # noqa: A002
           dtype: Any = None) -> Tensor:
    """Running sum along ``axis`` (of the flattened tensor when None), as ``np.cumsum``
    (float16/float32 accumulated in float64, as PyTorch's). Of a 0-d tensor,
    ``cumsum(x, 0)`` is 0-d (PyTorch's), ``cumsum(x, axis=0)`` has shape (1,) (NumPy's)."""
    return as_tensor(input).cumsum(*position, axis=axis, dim=dim, dtype=dtype)


@keyword_aliases(x="input")
@accepts_out
def cumprod(input: Any, *position: Any, axis: Any = None, dim: Any = None,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """Running product along ``axis`` (flattened when None), as ``np.cumprod``
    (float16/float32 accumulated in float64, as PyTorch's); a 0-d tensor's shape as in
    ``cumsum``."""
    return as_tensor(input).cumprod(*position, axis=axis, dim=dim, dtype=dtype)


@keyword_aliases(x="input")
@accepts_out
def norm(input: Any, ord: Any = None, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
         dim: Any = None, keepdim: bool | None = None, p: Any = None,
         dtype: Any = None) -> Tensor:
    """The vector norm over ``axis`` (all elements when None), as
    ``torch.linalg.vector_norm``: ord 2 (None, "fro") sqrt(sum x^2), any real p
    (sum |x|^p)^(1/p) (p < 0: 0 if an entry is 0), 0: the count of nonzeros (gradient
    0), inf: max |x|, -inf: min |x|. PyTorch's ``p=`` is ``ord``; ``dtype`` (as wide as
    x's or wider, as ``torch.norm``'s): x cast to it first."""
    tensor = as_tensor(input)
    if dtype is not None:
        tensor = tensor.astype(widening_dtype("norm", tensor.dtype, dtype))
    return tensor.norm(ord, axis, keepdims, dim=dim, keepdim=keepdim, p=p)


@keyword_aliases(x="input")
@accepts_out
def argmax(input: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
           dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the largest element (flattened when ``axis`` is None): an integer tensor
    without gradient; ties give the first, as NumPy."""
    return as_tensor(input).argmax(axis, keepdims, dim=dim, keepdim=keepdim)


@keyword_aliases(x="input")
@accepts_out
def argmin(input: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
           dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Index of the smallest element: an integer tensor without gradient."""
    return as_tensor(input).argmin(axis, keepdims, dim=dim, keepdim=keepdim)


@keyword_aliases(x="input")
@accepts_out
def sort(input: Any, *position: Any, axis: Any = "last", dim: Any = None,  # noqa: A002
         descending: bool | None = None, stable: bool | None = None) -> Any:
    """``axis=`` (None flattens): the sorted values, as ``np.sort``; ``dim=`` or
    ``descending=``: PyTorch's pair (values, indices). ``sort(x)`` and ``sort(x, 1)`` mean
    both and raise ``UsageError`` (see ``Tensor.sort``)."""
    axis_given = not (isinstance(axis, str) and axis == "last")  # None is one: flattens
    refuse_bare_axis("sort", position, axis_given or dim is not None or descending is not None)
    return as_tensor(input).sort(*position, axis=axis, dim=dim, descending=descending,
                             stable=stable)


@keyword_aliases(x="input")
def argsort(input: Any, axis: Any = -1, descending: bool = False, *,  # noqa: A002
            dim: Any = None, stable: bool = False) -> Tensor:
    """The indices that sort x along ``axis`` (always stable; PyTorch's ``stable=`` is
    taken): integers, no gradient."""
    return as_tensor(input).argsort(axis, descending, dim=dim)


# ------------------------------------------------------------------ linear algebra
@keyword_aliases(a="input", b="tensor")
@accepts_out
def dot(input: Any, tensor: Any) -> Tensor:  # noqa: A002
    """``np.dot(a, b)``: inner product of vectors, matmul of matrices, sum over a's last
    and b's second-to-last axis otherwise (PyTorch's names: input, tensor)."""
    return as_tensor(input).dot(tensor)


@keyword_aliases(a="input", b="vec2")
@accepts_out
def outer(input: Any, vec2: Any) -> Tensor:  # noqa: A002
    """out[i, j] = a[i] b[j] (inputs flattened), as ``np.outer(a, b)`` (PyTorch's names:
    input, vec2; ``a.outer(b)`` takes vectors only, as PyTorch's)."""
    return as_tensor(input).reshape(-1).outer(as_tensor(vec2).reshape(-1))


def einsum(subscripts: str, *operands: Any, optimize: Any = False) -> Tensor:
    """Einstein summation, as ``np.einsum``: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``,
    ``einsum("ii", a)`` the trace, ``einsum("...ij,...jk", a, b)`` a batched product.
    PyTorch's list form ``einsum("ij,jk->ik", [a, b])`` works where the subscripts name
    two or more operands, or the list holds one Tensor (``einsum("ii", [A])``); else a
    list is an array, as NumPy's. The interleaved form of both, ``einsum(a, [0, 1], b,
    [1, 2], [0, 2])``, works too (see ``ops.einsum.interleaved``)."""
    if not isinstance(subscripts, str):  # einsum(a, [0, 1], b, [1, 2], [0, 2])
        subscripts, operands = interleaved((subscripts, *operands))
    listed = len(operands) == 1 and isinstance(operands[0], (list, tuple))
    if listed and isinstance(subscripts, str) and (
            "," in subscripts.split("->")[0]
            or len(operands[0]) == 1 and isinstance(operands[0][0], Tensor)):
        operands = tuple(operands[0])
    return linalg.einsum(subscripts, *[as_tensor(x) for x in operands], optimize=optimize)


@accepts_out
def tensordot(a: Any, b: Any, axes: Any = None, *, dims: Any = None) -> Tensor:
    """Sum of products over ``axes`` (2 by default; PyTorch's ``dims=``) of a and b, as
    ``np.tensordot``."""
    return linalg.tensordot(as_tensor(a), as_tensor(b),
                            pick_one("tensordot", 2, axes=axes, dims=dims))


@keyword_aliases(x="input")
def trace(input: Any, offset: int = 0, axis1: Any = None,  # noqa: A002
          axis2: Any = None) -> Tensor:
    """The sum of a diagonal: of a matrix, as ``torch.trace`` (another rank is a
    ``ShapeError``); of the axis1 x axis2 planes when one is given, as ``np.trace``."""
    return as_tensor(input).trace(offset, axis1, axis2)


@keyword_aliases(x="input")
def diagonal(input: Any, offset: int = 0, axis1: Any = None, axis2: Any = None, *,  # noqa: A002
             dim1: Any = None, dim2: Any = None) -> Tensor:
    """A diagonal of the axis1 x axis2 planes (0 and 1 by default; PyTorch's dim1=,
    dim2=) as the last axis, as ``np.diagonal``."""
    return as_tensor(input).diagonal(offset, axis1, axis2, dim1=dim1, dim2=dim2)


@keyword_aliases(a="input")
def det(input: Any) -> Tensor:  # noqa: A002
    """The determinant of each square matrix (last two axes)."""
    return as_tensor(input).det()


@keyword_aliases(a="input")
@accepts_out
def slogdet(input: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    """(sign, ln |det a|), as ``torch.slogdet`` the named pair ``.sign``, ``.logabsdet``
    (``linalg.SlogDet``): the sign is a constant, the log is differentiable
    (d ln|det A| = A^-T)."""
    return as_tensor(input).slogdet()


def inv(a: Any) -> Tensor:
    """The inverse of each square matrix."""
    return as_tensor(a).inv()


def solve(a: Any, b: Any) -> Tensor:
    """x with a x = b, as ``np.linalg.solve`` (b 1-d: one vector, else matrices)."""
    return linalg.solve(as_tensor(a), as_tensor(b))


@keyword_aliases(a="input")
@accepts_out
def cholesky(input: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """The lower-triangular L with a = L L^T (a symmetric positive definite; only its
    lower triangle is read, as NumPy). The gradient is symmetric. ``upper=True``: the
    upper-triangular U with a = U^T U, read from a's upper triangle, as PyTorch's older
    ``torch.cholesky(A, upper)``."""
    return as_tensor(input).cholesky(bool(upper))


# ------------------------------------------------------------------ shape and indexing
def take_along_axis(x: Any, indices: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """x[..., indices, ...] along ``axis``, as ``np.take_along_axis``."""
    return as_tensor(x).take_along_axis(indices, axis, dim=dim)


@accepts_out
def take(input: Any, index: Any) -> Tensor:  # noqa: A002
    """PyTorch's ``torch.take``: ``input.reshape(-1)[index]``, shaped as ``index`` (an
    integer tensor; negative entries count from the end)."""
    return as_tensor(input).take(index)


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """PyTorch's ``torch.put``: a copy of ``input`` with ``out.reshape(-1)[index] = source``
    (``accumulate=True``: ``+=``, repeated positions adding up); differentiable in both."""
    return as_tensor(input).put(index, source, accumulate)


@keyword_aliases(x="input")
def flip(input: Any, axis: Any = None, *, dim: Any = None,  # noqa: A002
         dims: Any = None) -> Tensor:
    """The order of elements reversed along ``axis`` (all axes when None; PyTorch's
    ``dims=``)."""
    return as_tensor(input).flip(axis, dim=dim, dims=dims)


@keyword_aliases(x="input")
def roll(input: Any, shift: Any = None, axis: Any = None, *, dim: Any = None,  # noqa: A002
         shifts: Any = None, dims: Any = None) -> Tensor:
    """Elements shifted along ``axis`` with wrap-around, as ``np.roll`` (also PyTorch's
    ``shifts=``, ``dims=``)."""
    return as_tensor(input).roll(shift, axis, dim=dim, shifts=shifts, dims=dims)


def pad(x: Any, pad_width: Any, constant_values: float = 0.0) -> Tensor:
    """Constant padding with NumPy's ``pad_width`` (an int, a pair, or a pair per axis)."""
    return as_tensor(x).pad(pad_width, constant_values)


@keyword_aliases(x="input", reps="dims")
def tile(input: Any, dims: Any) -> Tensor:  # noqa: A002
    """input repeated ``dims[k]`` times along axis k, as ``np.tile(x, reps)``."""
    return as_tensor(input).tile(dims)


def repeat(x: Any, repeats: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Each element repeated along ``axis`` (flattened when None), as ``np.repeat``."""
    return as_tensor(x).repeat(repeats=repeats, axis=axis, dim=dim)


@keyword_aliases(x="input")
@accepts_out
def tril(input: Any, k: int | None = None, *,  # noqa: A002
         diagonal: int | None = None) -> Tensor:
    """The lower triangle of the last two axes (on and below diagonal ``k``, PyTorch's
    ``diagonal=``), 0 above."""
    return as_tensor(input).tril(k, diagonal=diagonal)


@keyword_aliases(x="input")
@accepts_out
def triu(input: Any, k: int | None = None, *,  # noqa: A002
         diagonal: int | None = None) -> Tensor:
    """The upper triangle of the last two axes (on and above diagonal ``k``, PyTorch's
    ``diagonal=``), 0 below."""
    return as_tensor(input).triu(k, diagonal=diagonal)


@keyword_aliases(x="input", index="indices", v="values")
def index_put(input: Any, indices: Any, values: Any,  # noqa: A002
              accumulate: bool = False) -> Tensor:
    """A copy of input with ``[indices] = values``, differentiable in both (as
    ``x.at[index].set(v)``). With repeated indices the last write wins, as in NumPy;
    ``accumulate=True``: ``[indices] += values``, repeated indices adding up."""
    return as_tensor(input).index_put(indices, values, accumulate)


@keyword_aliases(x="input")
@accepts_out
def index_add(input: Any, index: Any, v: Any = None, source: Any = None, *,  # noqa: A002
              dim: Any = None, alpha: Any = 1) -> Tensor:
    """A copy of x with v added at ``index`` (repeated indices add up); PyTorch's
    ``torch.index_add(input, dim, index, source, alpha=1)`` too (``Tensor.index_add``)."""
    return as_tensor(input).index_add(index, v, source, dim=dim, alpha=alpha)
