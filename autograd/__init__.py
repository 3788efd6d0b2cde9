"""autograd: a small, readable automatic-differentiation engine on NumPy.

``Tensor`` records the operations applied to it; ``backward()`` applies one
vector-Jacobian product per op in reverse order. Addition distributes the gradient,
matmul switches it. See README.md for a tour; ``autograd.extend`` defines new ops.
"""

from . import _numpy_version  # noqa: F401  (first: refuses NumPy 1.x)
from . import errors, extend
from .differentiate import backward, grad
from .errors import (AnomalyError, AutogradError, AxisError, BackwardError, DataError,
                     DTypeError, EinsumError, GeneratorError, GradcheckError,
                     GraphFreedError, GraphvizNotFoundError, IndependentError, InplaceError,
                     IntegerDivisionError, MissingDependencyError, MissingNameError, NaNMatrixError,
                     NormOrderError, NotCloseError, ShapeError, UnsupportedError,
                     SingularMatrixError, SizeOrDataWarning, NonLeafGradWarning,
                     TensorIndexError, UnknownOpError, UsageError, VJPError,
                     ZeroWeightsError)
from .extend import Function
from .functions import (abs, add, astype, broadcast_to, cat, clamp, clip, concatenate, div,
                        exp, expand_dims, log, log_softmax, logsumexp, matmul, max, maximum,
                        mean, min, minimum, mul, neg, pow, relu, reshape, sigmoid, softmax,
                        sqrt, squeeze, stack, std, sub, sum, swapaxes, tanh, transpose, var,
                        where)
from .grad_mode import (detect_anomaly, enable_grad, inference_mode,
                        is_anomaly_check_nan_enabled, is_anomaly_enabled, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_detect_anomaly,
                        set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck, numerical_grad
from .tensor import Tensor, as_tensor, from_numpy, tensor
from .more_functions import (arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                             argmax, argmin, argsort, ceil,
                             cholesky, cos, cosh, cumprod, cumsum, det, diagonal, digamma,
                             dot, einsum, lgamma,
                             erf, erfc, erfinv, expm1, flip, floor, index_add, index_put, inv,
                             log1p, log2,
                             log10, norm, outer, pad, prod, reciprocal, repeat, roll, round,
                             sign, sin, sinh, slogdet, softplus, solve, sort, square,
                             take, take_along_axis, tan, tensordot, tile, trace, tril, triu,
                             put)
from .creation import (arange, asarray, empty, empty_like, eye, full, full_like, linspace,
                       logspace, ones, ones_like, rand, rand_like, randint, randint_like, randn,
                       randn_like, randperm, zeros, zeros_like)
from .sampling import bernoulli, multinomial, normal, poisson
from .windows import (bartlett_window, blackman_window, hamming_window, hann_window,
                      kaiser_window)
from .combinations import cartesian_prod, combinations, isin
from ._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                      seed, set_rng_state)
from .dtypes import (can_cast, double, finfo, float16, float32, float64, get_default_dtype,
                     half, iinfo, int8, int16, int32, int64, long, promote_types, result_type,
                     short, uint8)
from .printing import set_printoptions
from .determinism import (are_deterministic_algorithms_enabled,
                          is_deterministic_algorithms_warn_only_enabled,
                          use_deterministic_algorithms)
from .storage import TypedStorage, UntypedStorage
from .layouts import (layout, sparse_bsc, sparse_bsr, sparse_coo, sparse_csc, sparse_csr,
                      strided)
from .memory_formats import (channels_last, channels_last_3d, contiguous_format,
                             memory_format, preserve_format)
from .torch_functions import (addcdiv, addcmul, addmm, allclose, amax, amin, bmm, chunk,
                              clamp_max, clamp_min, clone, diag, diag_embed, dist, eq, flatten,
                              gather, ge, gt, index_select, inverse, lu_unpack, isclose, le,
                              lerp, lt, masked_fill,
                              masked_select, meshgrid, mm, moveaxis, movedim, mv, nan_to_num,
                              narrow, ne, numel, permute, repeat_interleave, rsqrt, scatter,
                              scatter_add, spmm, std_mean, topk, unbind, unflatten, unsqueeze,
                              var_mean)
from .torch_linalg_spellings import logdet, lu, pinverse
from .torch_decompositions import corrcoef, cov, pca_lowrank, qr, svd, svd_lowrank
from .torch_matrix_products import (addmv, addr, chain_matmul, diagflat, ger, matrix_power,
                                    vander)
from .torch_lobpcg import lobpcg
from .scatter_functions import index_reduce, scatter_reduce
from .segment_reduce import segment_reduce
from .triangle_indices import tril_indices, triu_indices
from .linalg_triangular import cholesky_inverse, cholesky_solve, triangular_solve
from .legacy_types import (BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor,
                           LongTensor)
from .size_tuple import Size
from .stacking import block_diag, column_stack, dstack, hstack, row_stack, vstack
from .asserts import _assert
from .foreach import (_foreach_add_, _foreach_copy_, _foreach_div_, _foreach_lerp_,
                      _foreach_mul_, _foreach_sub_, _foreach_zero_)
from .foreach_more import (_foreach_abs, _foreach_abs_, _foreach_add, _foreach_addcdiv_,
                           _foreach_addcmul_, _foreach_clamp_min_, _foreach_div,
                           _foreach_lerp, _foreach_maximum_, _foreach_mul, _foreach_neg,
                           _foreach_neg_, _foreach_norm, _foreach_sign, _foreach_sign_,
                           _foreach_sqrt, _foreach_sqrt_, _foreach_sub)
from .torch_functions_more import (addbmm, adjoint, baddbmm, bitwise_and,
                                   bitwise_left_shift, bitwise_not, bitwise_or,
                                   bitwise_right_shift, bitwise_xor, conj, divide, dsplit, fliplr,
                                   flipud, fmod, hsplit, imag, index_copy, inner,
                                   is_floating_point, isfinite, isinf, isnan, isreal,
                                   logical_and, logical_not, logical_or,
                                   logical_xor, multiply, narrow_copy, negative, positive,
                                   ravel, real, renorm, resolve_conj, resolve_neg, rot90, select,
                                   select_scatter, slice_scatter, diagonal_scatter,
                                   subtract, swapdims,
                                   tensor_split, vdot, vsplit)
from .split_function import split
from .torch_inplace_functions import (abs_, ceil_, clamp_, clamp_max_, clamp_min_, cos_, exp_,
                                      floor_, log_, neg_, negative_, reciprocal_, relu_,
                                      round_, rsqrt_, sigmoid_, sin_, sqrt_, square_, tanh_)
from .elementwise_functions import (copysign, deg2rad, exp2, fix, frac, hypot, logaddexp,
                                    logaddexp2, rad2deg, remainder, sgn, sinc, trunc)
from .elementwise_extras import (float_power, gcd, heaviside, isneginf, isposinf, lcm, ldexp,
                                 signbit)
from .elementwise_more import floor_divide, fmax, fmin, frexp, nextafter
from .finite_differences import gradient
from .broadcasting import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes,
                           broadcast_tensors)
from .threads import get_num_threads, set_num_threads
from .torch_runtime import (Variable, get_float32_matmul_precision, is_tensor,
                            set_default_dtype, set_float32_matmul_precision)
from .comparison_aliases import greater, greater_equal, less, less_equal, not_equal
from .torch_short_functions import (absolute, acos, acosh, asin, asinh, atan, atan2, atanh,
                                    concat, take_along_dim, true_divide)
from .masked_scatter import masked_scatter
from .index_fill import index_fill  # (the function: the module's name was taken)
from .softmax_backward import _softmax_backward_data
from .nan_functions import nanmean, nansum
from .set_functions import (argwhere, bincount, bucketize, cdist, count_nonzero, cross,
                            cumulative_trapezoid, diff, histc, histogram, kron, nonzero, pdist,
                            searchsorted, trapezoid, trapz, unique, unique_consecutive,
                            unravel_index)
from .order_functions import (cummax, cummin, kthvalue, logcumsumexp, median, mode, msort,
                              nanmedian, nanquantile, quantile)
from .devices import device
from .constants import e, inf, nan, pi
from .default_device import get_default_device, set_default_device
from . import accelerator, amp, backends, cuda, functional, jit, linalg, profiler
from . import distributions
from .linalg import matrix_exp  # torch.matrix_exp, as torch.linalg.matrix_exp
from .amp import autocast, get_autocast_dtype, is_autocast_enabled
from . import func
from .func import vmap  # torch.vmap, PyTorch's alias of torch.func.vmap
from . import forward_ad
from . import special
from . import random  # torch.random: fork_rng and the seeding functions
from .special import i0, igamma, igammac, logit, mvlgamma, polygamma, xlogy
from .fake_quantization import (aminmax, fake_quantize_per_channel_affine,
                                fake_quantize_per_tensor_affine)

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """PyTorch's ``autograd.float``/``int``/``bool`` dtypes (not globals: see ``dtypes``)
    and ``autograd.all``/``any`` (``torch_functions``: star imports keep Python's own);
    ``autograd.t`` (``torch_functions_more``: star imports keep a script's own ``t``);
    ``autograd.compile`` (``torch_runtime``: star imports keep Python's ``compile``);
    ``autograd.testing``, imported on first use;
    ``autograd.unsqueeze`` and other missing names: an AttributeError
    (``MissingNameError``) naming the method or function that does it here."""
    from .dtypes import BUILTIN_NAMES
    if name in BUILTIN_NAMES:
        return BUILTIN_NAMES[name]
    if name == "testing":  # as torch.testing: imported on first use (it is not light)
        import importlib  # not "from . import testing": its hasattr() would come back here
        return importlib.import_module(".testing", __name__)
    if name in ("all", "any"):  # torch.all/torch.any, kept out of the star import
        from . import torch_functions
        return getattr(torch_functions, name)
    if name == "t":  # torch.t, kept out of the star import (a script's own t)
        from . import torch_functions_more
        return torch_functions_more.t
    if name == "compile":  # torch.compile, kept out of the star import (Python's compile)
        from . import torch_runtime
        return torch_runtime.compile
    from ._missing import missing_name
    raise missing_name(name)


__all__ = [
    # tensors and differentiation
    "Tensor", "tensor", "as_tensor", "from_numpy", "backward", "grad", "Function", "extend",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "is_inference_mode_enabled",
    "gradcheck", "gradgradcheck", "numerical_grad",
    # ops
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "tanh",
    "sigmoid", "relu", "maximum", "minimum", "where", "clip", "astype", "matmul",
    "sum", "mean", "var", "std", "max", "min", "logsumexp", "softmax", "log_softmax",
    "reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to",
    "concatenate", "stack", "cat", "clamp",
    # more elementwise ops
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
    "arcsinh", "arccosh", "arctanh", "log1p", "expm1", "log2", "log10", "square",
    "reciprocal", "erf", "erfc", "erfinv",
    "softplus", "lgamma", "digamma",
    "sign", "floor", "ceil", "round",
    # reductions and scans
    "prod", "cumsum", "cumprod", "norm", "argmax", "argmin", "sort", "argsort",
    # linear algebra
    "dot", "outer", "einsum", "tensordot", "trace", "diagonal", "det", "slogdet", "inv",
    "solve", "cholesky",
    # shape and indexing
    "take_along_axis", "take", "flip", "roll", "pad", "tile", "repeat", "tril", "triu",
    "index_put", "index_add", "put",
    # creation
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "empty", "empty_like",
    "eye", "arange", "linspace", "rand", "randn", "rand_like", "randn_like", "randint",
    "randint_like", "randperm",
    "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
    "combinations", "cartesian_prod", "isin",
    # PyTorch's dtype names (NumPy's types: long is np.int64)
    "float16", "float32", "float64", "half", "double", "int8", "int16", "int32", "int64",
    "short", "long", "uint8", "finfo", "iinfo", "get_default_dtype", "set_printoptions",
    # PyTorch's constants (Python floats)
    "pi", "e", "inf", "nan",
    # PyTorch's memory formats (memory_format=: the C order every Tensor has here)
    "memory_format", "preserve_format", "contiguous_format", "channels_last",
    "channels_last_3d",
    # PyTorch's layouts (layout=, x.layout: strided, the dense layout every Tensor has here)
    "layout", "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc",
    # what t.storage() and t.untyped_storage() return: the memory a tensor's views share
    "TypedStorage", "UntypedStorage",
    # PyTorch's legacy typed constructors (torch.LongTensor([label]))
    "LongTensor", "IntTensor", "FloatTensor", "DoubleTensor", "BoolTensor", "ByteTensor",
    # PyTorch's torch.Size (what x.size() returns): a tuple of ints with numel()
    "Size",
    # sampling
    "multinomial", "normal", "bernoulli", "poisson",
    # the default random generator (generator=None draws from it), as torch's
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state",
    # PyTorch's determinism switch (every op here is deterministic: kept and read back)
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    # PyTorch's functions for its Tensor methods (torch.flatten(x, 1)...)
    "flatten", "unflatten", "unsqueeze", "permute", "movedim", "moveaxis", "narrow",
    "index_select", "masked_fill", "masked_select", "dist", "std_mean", "var_mean",
    "matrix_exp",
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_reduce", "segment_reduce",
    "unbind", "chunk",
    "topk", "repeat_interleave",
    "amax", "amin", "aminmax",
    # quantization-aware training: fake quantization with the straight-through gradient
    "fake_quantize_per_tensor_affine", "fake_quantize_per_channel_affine",
    "clamp_min", "clamp_max", "mm", "spmm", "mv", "bmm", "addmm", "lerp", "isclose", "allclose",
    "diag", "diag_embed", "triu_indices", "tril_indices", "inverse", "pinverse", "lu_unpack",
    "cholesky_solve", "cholesky_inverse", "triangular_solve", "logdet", "lu",
    "svd", "qr", "cov", "corrcoef", "svd_lowrank", "pca_lowrank",
    "vander", "addmv", "addr", "ger", "chain_matmul", "lobpcg",
    "matrix_power", "diagflat",
    "nan_to_num", "clone", "numel", "eq", "ne", "lt", "le", "gt", "ge", "meshgrid",
    "addcmul", "addcdiv", "rsqrt", "hstack", "vstack", "row_stack", "column_stack", "block_diag",
    "_assert",  # torch._assert(condition, message), as torchvision's models check sizes
    # torch._foreach_lerp_(ema_params, params, 1 - decay)...: EMA updates of target nets
    "_foreach_add_", "_foreach_sub_", "_foreach_mul_", "_foreach_div_", "_foreach_lerp_",
    "_foreach_copy_", "_foreach_zero_",
    # hand-written multi-tensor optimizers: _foreach_addcdiv_(params, exp_avgs, denom, ...)
    "_foreach_addcmul_", "_foreach_addcdiv_", "_foreach_sqrt_", "_foreach_abs_",
    "_foreach_neg_", "_foreach_sign_", "_foreach_maximum_", "_foreach_clamp_min_",
    "_foreach_add", "_foreach_sub", "_foreach_mul", "_foreach_div", "_foreach_lerp",
    "_foreach_sqrt", "_foreach_abs", "_foreach_neg", "_foreach_sign", "_foreach_norm",
    "logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf", "isfinite",
    "is_floating_point", "ravel", "renorm", "baddbmm", "index_copy", "fmod", "tensor_split",
    "split",
    "abs_", "ceil_", "clamp_", "clamp_min_", "clamp_max_", "cos_", "exp_", "floor_", "log_",
    "neg_", "negative_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_",
    "sqrt_", "square_", "tanh_",
    # elementwise math under PyTorch's names: torch.sinc(w * x), torch.logaddexp(a, b)...
    "sinc", "hypot", "logaddexp", "logaddexp2", "exp2", "trunc", "fix", "frac", "remainder",
    "copysign", "deg2rad", "rad2deg", "sgn",
    "float_power", "ldexp", "heaviside", "signbit", "isposinf", "isneginf", "gcd", "lcm",
    "floor_divide", "fmax", "fmin", "nextafter", "frexp",
    "gradient",  # torch.gradient: finite differences of sampled values
    "masked_scatter", "index_fill", "_softmax_backward_data",
    "nansum", "nanmean",
    "divide", "multiply", "subtract", "negative", "positive",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
    "hsplit", "vsplit", "dsplit", "select", "swapdims",
    "select_scatter", "slice_scatter", "diagonal_scatter", "fliplr", "flipud", "rot90",
    "inner", "vdot", "addbmm",
    "conj", "real", "imag", "isreal", "resolve_conj", "resolve_neg", "adjoint", "narrow_copy",
    "logspace", "asarray",
    "dstack", "unravel_index",
    # PyTorch's process-level calls (autograd.compile(model) is the model: see __getattr__)
    "is_tensor", "set_default_dtype", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "Variable", "set_num_threads", "get_num_threads",
    "promote_types", "result_type", "can_cast",
    "broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d",
    # PyTorch's short names of NumPy's arccos... (both spellings work, as in PyTorch)
    "acos", "asin", "atan", "atan2", "acosh", "asinh", "atanh", "absolute", "true_divide",
    "take_along_dim", "concat",
    # PyTorch's long names of gt ge lt le ne
    "greater", "greater_equal", "less", "less_equal", "not_equal",
    # positions, distinct values, counts (integer results) and small geometry
    "nonzero", "argwhere", "count_nonzero", "unique", "unique_consecutive", "searchsorted",
    "bucketize", "bincount", "histc", "histogram", "diff", "cross", "kron", "cdist", "pdist",
    "trapezoid", "trapz",
    "cumulative_trapezoid",
    # order statistics (NumPy's or PyTorch's median as spelled; the others PyTorch's)
    "median", "nanmedian", "quantile", "nanquantile", "kthvalue", "mode", "cummax", "cummin",
    "logcumsumexp", "msort",
    # derivatives of whole functions
    "functional",
    "func", "vmap",
    "forward_ad",
    # torch.distributions: Normal, Bernoulli, Categorical, Uniform, kl_divergence
    "distributions",
    # torch.special (xlogy, logit, expit, gammaln, polygamma, ndtr, log_ndtr...), and
    # PyTorch's top-level spellings of some of them
    "special", "xlogy", "logit", "mvlgamma", "i0", "polygamma", "igamma", "igammac",
    # PyTorch's torch.linalg spellings; torch.cuda's, torch.backends.mps's and
    # torch.accelerator's device tests (is_available() is False)
    # torch.random (fork_rng, and the seeding functions above)
    "random",
    "linalg", "cuda", "backends", "accelerator", "device", "set_default_device",
    "get_default_device",
    # torch.jit's annotations (ignore, unused, Final, is_scripting...: nothing compiles)
    "jit",
    # torch.autograd.profiler's / torch.profiler's record_function (a no-op label)
    "profiler",
    # torch.amp's loss scaling (real on the CPU) and autocast (disabled: no mixed precision)
    "amp", "autocast", "is_autocast_enabled", "get_autocast_dtype",
    # errors
    "errors", "AutogradError", "DataError", "DTypeError", "ShapeError", "AxisError",
    "BackwardError", "GraphFreedError", "InplaceError", "VJPError", "AnomalyError",
    "GradcheckError", "NotCloseError", "UsageError", "TensorIndexError", "UnknownOpError",
    "EinsumError", "NormOrderError", "GeneratorError", "SingularMatrixError", "NaNMatrixError",
    "IndependentError", "IntegerDivisionError", "ZeroWeightsError",
    "GraphvizNotFoundError", "MissingDependencyError", "MissingNameError", "UnsupportedError",
    "SizeOrDataWarning",
    "NonLeafGradWarning",
]
