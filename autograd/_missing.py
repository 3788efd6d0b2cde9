"""What ``autograd.<name>`` says for a name it does not have. PyTorch's module-level
functions often exist here in another form: a Tensor method (``x.unsqueeze(0)``), NumPy's
name (``asin`` is ``arcsin``), or a NumPy function that runs the differentiable op on
Tensors (``np.hypot(a, b)``)."""

from __future__ import annotations

import numpy as np

from .errors import MissingNameError
from .interop import FUNCTIONS, INSPECTING, UFUNCS
from .tensor import Tensor
from .torch_storage import ONE_PROCESS

__all__ = ["missing_name"]

NUMPY_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2",
               "absolute": "abs", "take_along_dim": "take_along_axis",
               "true_divide": "div", "concat": "cat"}
# torch's own namespaces and module-level objects a PyTorch script reaches for first
_CPU = ("this engine computes with NumPy on the CPU: write device = 'cpu' (model.to('cpu') "
        "and t.to('cpu') take it)")
_DTYPE = ("there is no global default dtype: nn's layers are float64 unless given dtype= "
          "(or model.float()), a Tensor keeps its data's dtype; pass dtype= where it matters")
_EAGER = "there is no compiler here: the engine runs each op eagerly with NumPy"
_DENSE = ("there are no sparse tensors here, every tensor is dense: build the dense matrix, "
          "e.g. for sparse_coo_tensor(indices, values, size) write zeros(size, dtype=...)"
          ".index_put_(tuple(indices), values, accumulate=True) (repeated indices add up, "
          "as coalescing sums them)")
TORCH_NAMES = {
    "autograd": "torch.autograd's names are autograd's own here: autograd.Function, "
                "autograd.grad, autograd.backward, autograd.gradcheck",
    "xpu": _CPU, "mps": _CPU,
    "nn": "torch.nn is a package of its own here: import nn (nn.Linear, "
          "import nn.functional as F)",
    "optim": "torch.optim is nn.optim here: import nn, then nn.optim.SGD(model.parameters(), "
             "lr=0.1)",
    "utils": "torch.utils.data is nn.data here (nn.data.DataLoader, nn.data.TensorDataset); "
             "torch.nn.utils is nn.utils",
    "save": "torch.save is nn.save here: nn.save(model.state_dict(), 'model.pth') as in "
            "PyTorch, or named, nn.save('ckpt.npz', model=model, epoch=3) (NumPy's format, "
            "never pickle)",
    "load": "torch.load is nn.load(path) here (never unpickles)",
    "is_tensor": "write isinstance(x, autograd.Tensor)",
    "set_default_dtype": _DTYPE, "get_default_dtype": _DTYPE,
    "Size": "a shape here is a plain tuple of ints: x.shape, x.size()",
    "dtype": "dtypes are NumPy's here: np.float32 or autograd.float32; x.dtype is a "
             "numpy.dtype",
    "jit": _EAGER, "compile": _EAGER,
    "bfloat16": "NumPy has no bfloat16: compute in autograd.float32 (or float16, "
                "autograd.half); nanoGPT's dtype = 'float32'",
    "backends": "torch.backends' switches (TF32 matmuls, cuDNN) are GPU settings with no "
                "meaning here: drop the line",
    "set_float32_matmul_precision": "NumPy's float32 matmul is float32 throughout (TF32 "
                                    "is a GPU setting): drop the line",
    "sparse_coo_tensor": _DENSE, "sparse_csr_tensor": _DENSE, "sparse_csc_tensor": _DENSE,
    "sparse_compressed_tensor": _DENSE,
    "sparse": "there are no sparse tensors here, every tensor is dense: torch.sparse.mm(a, "
              "b) is a @ b (autograd.spmm(a, b) too), torch.sparse.sum(t) is t.sum()",
    "multiprocessing": "torch.multiprocessing (processes sharing a model's parameters) has "
                       "no equivalent here: " + ONE_PROCESS,
    "vmap": "torch.vmap is autograd.func.vmap here (from autograd.func import vmap)",
    "Variable": "Variable is PyTorch's pre-0.4 wrapper, which a Tensor is now: drop "
                "Variable(...); Variable(x, requires_grad=True) is "
                "autograd.tensor(x, requires_grad=True)"}


def missing_name(name: str) -> AttributeError:
    """The error for ``autograd.<name>``, with the alternative when there is one."""
    if name.startswith("_"):  # Python's own look-ups (__path__, __wrapped__...)
        return AttributeError(f"module 'autograd' has no attribute {name!r}")
    numpy_function = getattr(np, name, None)
    if not callable(numpy_function):  # np.typecodes is a dict
        numpy_function = None
    if name in TORCH_NAMES:
        hint = TORCH_NAMES[name]
    elif name in NUMPY_NAMES:
        hint = f"it is autograd.{NUMPY_NAMES[name]} here (NumPy's name)"
    elif callable(getattr(Tensor, name, None)):
        hint = f"it is a Tensor method here: t.{name}(...)"
    elif numpy_function in UFUNCS or numpy_function in FUNCTIONS:
        hint = f"np.{name}(t) runs the differentiable op on Tensors"
    elif numpy_function in INSPECTING:
        hint = f"np.{name} takes Tensors (its result is plain NumPy)"
    else:
        hint = "autograd.__all__ lists what it has"
    return MissingNameError(f"module 'autograd' has no attribute {name!r}: {hint}")
