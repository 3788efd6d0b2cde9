"""What ``autograd.<name>`` says for a name it does not have. PyTorch's module-level
functions often exist here in another form: a Tensor method (``x.unsqueeze(0)``), NumPy's
name (``asin`` is ``arcsin``), or a NumPy function that runs the differentiable op on
Tensors (``np.hypot(a, b)``)."""

from __future__ import annotations

import numpy as np

from .differentiate import HIPS_GRAD, HIPS_TRANSFORMS
from .errors import MissingNameError
from .interop import FUNCTIONS, INSPECTING, UFUNCS
from .tensor import Tensor
from .torch_storage import AS_STRIDED, ONE_PROCESS

__all__ = ["missing_name", "hips_module_error", "HIPS_MODULES"]

# torch's own namespaces and module-level objects a PyTorch script reaches for first
_CPU = ("this engine computes with NumPy on the CPU: write device = 'cpu' (model.to('cpu') "
        "and t.to('cpu') take it)")
_DENSE = ("there are no sparse tensors here, every tensor is dense: build the dense matrix, "
          "e.g. for sparse_coo_tensor(indices, values, size) write zeros(size, dtype=...)"
          ".index_put_(tuple(indices), values, accumulate=True) (repeated indices add up, "
          "as coalescing sums them)")
_COMPLEX = ("there are no complex tensors here (differentiable tensors are float16/32/64): "
            "rotate pairs in real numbers, as llama2.c's apply_rotary_emb: x_r, x_i = "
            "x.reshape(x.shape[:-1] + (-1, 2)).unbind(-1); cos, sin = torch.cos(freqs), "
            "torch.sin(freqs); torch.stack([x_r * cos - x_i * sin, x_r * sin + x_i * cos], "
            "dim=-1).flatten(3)")
_QUANTIZED = ("there are no quantized tensors (qint8, quint8) here: train with fake "
              "quantization, autograd.fake_quantize_per_tensor_affine(x, scale, zero_point, "
              "quant_min, quant_max) or autograd.fake_quantize_per_channel_affine, and keep "
              "the integers as an int tensor yourself: q = autograd.clamp(autograd.round(x "
              "/ scale) + zero_point, quant_min, quant_max).to(autograd.int8)")
_SPECTRA = ("there are no complex tensors, so no FFT here: frame the signal with "
            "frames = x.unfold(-1, n_fft, hop_length) * hann_window(n_fft), then multiply by "
            "the real DFT matrices (k = arange(n_fft // 2 + 1)[:, None] * arange(n_fft) / "
            "n_fft; re = frames @ cos(2 pi k).T, im = -frames @ sin(2 pi k).T): the power "
            "spectrogram re ** 2 + im ** 2 is differentiable, torch.stft(..., center=False)'s "
            "(|.| ** 2) transposed; center=True first pads n_fft // 2 by reflection)")
# torch's removed or older linear-algebra functions, and the torch.linalg call for each
_REMOVED = "was removed from PyTorch (it raises there too): "
LINALG_NAMES = {
    "symeig": "torch.symeig " + _REMOVED + "write autograd.linalg.eigh(A, UPLO='U' if "
              "upper else 'L') (eigenvalues ascending, eigenvectors as columns)",
    "eig": "torch.eig " + _REMOVED + "its results are complex, which this engine has not; "
           "for a symmetric matrix use autograd.linalg.eigh",
    "lstsq": "torch.lstsq(B, A) " + _REMOVED + "write autograd.linalg.lstsq(A, B).solution "
             "(note the order: A first)",
    "matrix_rank": "torch.matrix_rank " + _REMOVED + "write autograd.linalg.matrix_rank(A)",
    "lu_solve": "torch.lu_solve(B, LU, pivots) is torch.linalg.lu_solve(LU, pivots, B) "
                "here: autograd.linalg.lu_solve",
    "geqrf": "LAPACK's packed QR is not exposed: autograd.linalg.qr(A) gives Q and R "
             "(np.linalg.qr(a, mode='raw') gives the packed form of an array)",
    "orgqr": "autograd.linalg.householder_product(A, tau) is torch.orgqr",
    "ormqr": "multiply by the Q of autograd.linalg.householder_product(A, tau): Q @ C",
    "frobenius_norm": "write autograd.linalg.matrix_norm(A, 'fro') (or x.norm())",
    "nuclear_norm": "write autograd.linalg.matrix_norm(A, 'nuc')"}
TORCH_NAMES = {
    **dict.fromkeys(("polar", "view_as_complex", "view_as_real", "complex", "complex64",
                     "complex128", "cfloat", "cdouble"), _COMPLEX),
    "distributed": "torch.distributed (process groups, DDP) has no equivalent here: training "
                   "runs in one process, so write rank = 0 and world_size = 1 where a script "
                   "asks dist.get_rank() if dist.is_initialized() else 0",
    "autograd": "torch.autograd's names are autograd's own here: autograd.Function, "
                "autograd.grad, autograd.backward, autograd.gradcheck",
    "xpu": _CPU, "mps": _CPU,
    "cpu": "torch.cpu's names are elsewhere here: torch.cpu.amp.autocast(...) (deprecated in "
           "PyTorch) is autograd.autocast('cpu', ...), torch.cpu.amp.GradScaler(...) is "
           "autograd.amp.GradScaler('cpu', ...); t.cpu() is a Tensor method",
    "nn": "torch.nn is a package of its own here: import nn (nn.Linear, "
          "import nn.functional as F)",
    "optim": "torch.optim is nn.optim here: import nn, then nn.optim.SGD(model.parameters(), "
             "lr=0.1)",
    "utils": "torch.utils.data is nn.data here (nn.data.DataLoader, nn.data.TensorDataset); "
             "torch.utils.checkpoint is nn.checkpoint (nn.checkpoint.checkpoint(block, x, "
             "use_reentrant=False), checkpoint_sequential); torch.nn.utils is nn.utils",
    "save": "torch.save is nn.save here: nn.save(model.state_dict(), 'model.pth') as in "
            "PyTorch, or named, nn.save('ckpt.npz', model=model, epoch=3) (NumPy's format, "
            "never pickle)",
    "load": "torch.load is nn.load(path) here (never unpickles)",
    "dtype": "dtypes are NumPy's here: np.float32 or autograd.float32; x.dtype is a "
             "numpy.dtype",
    "bfloat16": "NumPy has no bfloat16: compute in autograd.float32 (or float16, "
                "autograd.half); nanoGPT's dtype = 'float32'",
    "sparse_coo_tensor": _DENSE, "sparse_csr_tensor": _DENSE, "sparse_csc_tensor": _DENSE,
    "sparse_compressed_tensor": _DENSE,
    "sparse": "there are no sparse tensors here, every tensor is dense: torch.sparse.mm(a, "
              "b) is a @ b (autograd.spmm(a, b) too), torch.sparse.sum(t) is t.sum()",
    "hub": "torch.hub downloads models and weights, and nothing is fetched here: build the "
           "model with nn and load saved weights with nn.load_into(path, model=model)",
    "fx": "torch.fx (symbolic tracing and graph rewriting) has no equivalent here, nothing "
          "is traced: delete torchvision's module-level torch.fx.wrap('name') lines (they "
          "only keep a function whole in a traced graph) and call the module directly",
    "onnx": "there is no ONNX exporter here: save the weights with nn.save(model."
            "state_dict(), 'model.npz') (NumPy's format) and rebuild the model to load them",
    "multiprocessing": "torch.multiprocessing (processes sharing a model's parameters) has "
                       "no equivalent here: " + ONE_PROCESS,
    **dict.fromkeys(("quantize_per_tensor", "quantize_per_channel", "dequantize", "qint8",
                     "quint8", "qint32", "ao", "quantization"), _QUANTIZED),
    **dict.fromkeys(("stft", "istft", "fft"), _SPECTRA),
    "as_strided": AS_STRIDED,
    **LINALG_NAMES}

# torch functions training scripts call that have another spelling here, or nothing to do
_DROP = "it has no counterpart here: drop the line"
_DROPOUT = ("write x = nn.functional.{0}(x, p, training) (the result is a new tensor: "
            "in-place dropout is computed out of place here)")
EVERYDAY_NAMES = {
    "set_default_tensor_type": "torch.set_default_tensor_type(torch.DoubleTensor) is "
                               "autograd.set_default_dtype(autograd.float64) here (PyTorch "
                               "deprecates it for set_default_dtype too)",
    **dict.fromkeys(("set_num_interop_threads", "get_num_interop_threads"),
                    "NumPy runs one operation at a time, so there is no inter-op thread "
                    "pool: drop the line (autograd.set_num_threads(n) sets NumPy's BLAS "
                    "threads)"),
    "scalar_tensor": "write autograd.tensor(float(v)) (a 0-d tensor of the default float, "
                     "as torch.scalar_tensor(v))",
    "rsub": "torch.rsub(x, y, alpha=a) is y - a * x: write it so",
    "is_nonzero": "bool(x) of a one-element tensor is torch.is_nonzero(x)",
    "is_signed": "x.dtype is a NumPy dtype: x.dtype.kind in 'if' (signed integers and "
                 "floats; uint8 and bool are not signed)",
    "split_with_sizes": "x.split(sizes, dim) splits into pieces of those sizes "
                        "(autograd.split(x, sizes, dim=d))",
    "unsafe_split": "write x.split(split_size, dim): there are no unsafe views here",
    "unsafe_chunk": "write x.chunk(chunks, dim): there are no unsafe views here",
    "histogramdd": "np.histogramdd(x.numpy(), bins, range) gives the counts and edges "
                   "(a histogram has no gradient); autograd.histogram is the 1-d one",
    "binomial": "torch.binomial(count, prob) is autograd.distributions.Binomial(count, "
                "prob).sample()",
    "angle": "there are no complex tensors here; of a real x, torch.angle(x) is "
             "autograd.where(x < 0, math.pi, 0.0) (gradient 0)",
    "fill": "torch.fill(x, v) is autograd.full_like(x, v) (x.fill_(v) fills in place)",
    "empty_strided": "tensors here have no strides to choose: autograd.empty(size, "
                     "dtype=...)",
    "frombuffer": "write autograd.tensor(np.frombuffer(buffer, dtype=np.uint8)) (a copy of "
                  "the bytes)",
    "set_warn_always": _DROP + " (warnings.simplefilter('always') shows every warning)",
    "is_warn_always_enabled": _DROP + " (warnings.simplefilter sets what Python shows)",
    "set_flush_denormal": _DROP + " (NumPy keeps denormal numbers)",
    "typename": "x.type() names a tensor's type ('torch.DoubleTensor'); type(obj).__name__ "
                "any object's",
    "range": "torch.range (deprecated in PyTorch) includes end: write autograd.arange("
             "start, end + step, step)",
    "dropout_": _DROPOUT.format("dropout"),
    "alpha_dropout_": _DROPOUT.format("alpha_dropout"),
    "feature_alpha_dropout_": _DROPOUT.format("feature_alpha_dropout"),
    **dict.fromkeys(("feature_dropout", "feature_dropout_"),
                    "it drops whole channels: write x = nn.functional.dropout2d(x, p, "
                    "training) (dropout1d, dropout3d for other ranks)"),
    "cond": "nothing is compiled here, so Python's if does it: true_fn(*operands) if pred "
            "else false_fn(*operands) (bool(pred) of a one-element tensor)"}
TORCH_NAMES.update(EVERYDAY_NAMES)

# HIPS autograd's transforms (``from autograd import elementwise_grad``): one hint for all
HIPS_NAMES = dict.fromkeys(
    ("elementwise_grad", "value_and_grad", "grad_and_aux", "jacobian", "hessian",
     "hessian_tensor_product", "hessian_vector_product", "make_vjp", "make_jvp", "make_hvp",
     "make_ggnvp", "holomorphic_grad", "tensor_jacobian_product", "vector_jacobian_product",
     "deriv", "multigrad_dict", "grad_named", "primitive", "defvjp"),
    HIPS_GRAD)
TORCH_NAMES.update(HIPS_NAMES)

# HIPS autograd's subpackages: ``autograd/numpy.py``, ``scipy.py`` and ``misc.py`` raise
# ImportError with these (``import autograd.numpy as np`` is a HIPS program's first line)
_SCIPY_CUTS = ("SciPy's own functions turn a Tensor into a plain array, cutting it out of "
               "the graph")
HIPS_MODULES = {
    "numpy": "autograd.numpy is HIPS autograd's wrapped NumPy; here plain NumPy works: write "
             "import numpy as np (and import numpy.random as npr). NumPy's functions on "
             "Tensors run the differentiable ops (np.tanh(t), np.dot(W, t), np.linalg."
             "solve(K, t)...), and name the alternative where none exists. "
             + HIPS_TRANSFORMS + " (autograd.grad is PyTorch's grad(outputs, inputs).)",
    "scipy": "autograd.scipy is HIPS autograd's; " + _SCIPY_CUTS + ". Write "
             "scipy.special.logsumexp(t, axis) as autograd.logsumexp(t, axis, keepdims), "
             "expit(t) as t.sigmoid(), gammaln(t) as autograd.lgamma(t) (and "
             "autograd.digamma), "
             "scipy.stats.norm.logpdf(x, loc, scale) as autograd.distributions.Normal(loc, "
             "scale).log_prob(x), and a multivariate normal's logpdf with "
             "np.linalg.cholesky/solve/slogdet; for scipy.integrate.odeint write the "
             "integrator's steps (Euler, RK4) on Tensors: the gradient flows through them; "
             "scipy.signal.convolve of images is nn.functional.conv2d.",
    "misc": "autograd.misc is HIPS autograd's: its optimizers (adam, sgd, rmsprop) are "
            "nn.optim.Adam/SGD/RMSprop on Tensors that require grad (optimizer.zero_grad(); "
            "loss.backward(); optimizer.step()), and flatten(params) is np.concatenate("
            "[np.ravel(p) for p in params]) (nn.utils.parameters_to_vector for a model's).",
    "builtins": "autograd.builtins is HIPS autograd's (boxed tuple, list, dict): use Python's "
                "own; the Tensors inside them are differentiated as they are.",
    "test_util": "autograd.test_util is HIPS autograd's: check_grads(f, modes=['rev'])(x) is "
                 "autograd.gradcheck(f, [x]) (and autograd.gradgradcheck for second order), "
                 "with x a Tensor that requires grad.",
}
TORCH_NAMES.update({name: f"import autograd.{name} fails: {hint}"
                    for name, hint in HIPS_MODULES.items()})


# torch.<f> that are PyTorch's second spellings of torch.nn.functional.<f>: nn.functional's here
FUNCTIONAL_NAMES = frozenset({
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "avg_pool1d", "batch_norm",
    "bilinear", "binary_cross_entropy_with_logits", "celu", "channel_shuffle", "conv1d",
    "conv2d", "conv3d", "ctc_loss", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_embedding_loss", "cosine_similarity", "dropout", "embedding", "embedding_bag",
    "feature_alpha_dropout", "group_norm", "hardshrink", "hinge_embedding_loss",
    "instance_norm", "kl_div", "layer_norm", "margin_ranking_loss", "max_pool1d",
    "max_pool2d", "max_pool3d", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle",
    "poisson_nll_loss", "prelu", "rms_norm", "rrelu", "selu", "threshold",
    "triplet_margin_loss", "celu_", "rrelu_", "selu_", "threshold_",
    "max_pool1d_with_indices"})


def hips_module_error(module: str) -> ImportError:
    """The ImportError of ``import autograd.numpy`` (``scipy``, ``misc``): what to write."""
    name = module.rsplit(".", 1)[-1]
    return ImportError(f"No module named {module!r}: {HIPS_MODULES[name]}", name=module)


def missing_name(name: str) -> AttributeError:
    """The error for ``autograd.<name>``, with the alternative when there is one."""
    if name.startswith("_"):  # Python's own look-ups (__path__, __wrapped__...)
        return AttributeError(f"module 'autograd' has no attribute {name!r}")
    numpy_function = getattr(np, name, None)
    if not callable(numpy_function):  # np.typecodes is a dict
        numpy_function = None
    if name in TORCH_NAMES:
        hint = TORCH_NAMES[name]
    elif callable(getattr(Tensor, name, None)):
        hint = f"it is a Tensor method here: t.{name}(...)"
    elif name in FUNCTIONAL_NAMES:
        hint = (f"torch.{name} is nn.functional.{name} here (import nn.functional as F; "
                f"F.{name}(...)): PyTorch has both spellings")
    elif numpy_function in UFUNCS or numpy_function in FUNCTIONS:
        hint = f"np.{name}(t) runs the differentiable op on Tensors"
    elif numpy_function in INSPECTING:
        hint = f"np.{name} takes Tensors (its result is plain NumPy)"
    else:
        hint = "autograd.__all__ lists what it has"
    return MissingNameError(f"module 'autograd' has no attribute {name!r}: {hint}")
