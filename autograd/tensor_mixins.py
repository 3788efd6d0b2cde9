"""The method sets ``Tensor`` is assembled from, in one place. ``tensor.py`` holds the
core (data, gradient, flags, backward, shape and dtype, copy and pickle); everything else
a tensor can do comes from these classes, each a mixin in its own module with
``__slots__ = ()`` (a slot-less one would give every tensor a ``__dict__``):

- the operators and differentiable methods: ``tensor_math.TensorMath``, the reductions
  ``tensor_reductions.Reductions``, the second set of ops ``tensor_methods.OpMethods``,
  comparisons and logic ``tensor_logic.LogicOps``;
- PyTorch's names for them: ``torch_spellings``, ``torch_methods``, ``torch_shapes``,
  ``torch_short_names`` (``acos`` for NumPy's ``arccos``...);
- NumPy interop ``interop.NumpyInterop``, the in-place operators ``inplace.InplaceOps``,
  random fills ``random_methods``, set functions ``set_methods``, sorting ``order_methods``;
- the ways Python and NumPy read a tensor's values (``tensor_protocols.ValueProtocols``:
  ``item``, ``np.asarray``, ``len``, ``if t:``, ``float``, ``format``, ``repr``...);
- smaller families PyTorch programs reach for: ``index_fill``, ``index_copy``,
  ``masked_scatter``, ``put`` (``put_methods``), ``scatter_reductions``, ``renorm``,
  ``batch_products``, ``dist`` (``distance_methods``), triangular
  solves (``triangular_methods``), decompositions (``decomposition_methods``), the
  NaN-skipping reductions (``nan_reductions``), PyTorch's long names of the arithmetic
  (``arithmetic_aliases``: ``divide multiply subtract negative``), ``tensor_split``,
  PyTorch's elementwise math NumPy names otherwise or not at all (``elementwise_methods``:
  ``sinc hypot logaddexp trunc frac remainder copysign``...) and more of it
  (``elementwise_extra_methods``: ``float_power ldexp heaviside signbit gcd``...;
  ``elementwise_more_methods``: ``fmax fmin nextafter frexp floor_divide`` and in-place
  ``erf_ log1p_``...), memory layout (``tensor_layout``: ``stride data_ptr``...;
  ``storage``: ``storage() untyped_storage()``; ``view_methods``: ``view`` of a shape or
  a dtype), pieces (``split_methods``: ``select aminmax``...), ``logit xlogy`` and
  in-place forms (``special_methods``) and ``fliplr flipud rot90`` (``flip_methods``).

A new family of methods goes in a module of its own and joins ``TensorMixins`` here.
"""

from __future__ import annotations

from .arithmetic_aliases import ArithmeticAliasMethods
from .batch_products import BatchProductMethods
from .decomposition_methods import DecompositionMethods
from .distance_methods import DistanceMethods
from .elementwise_extra_methods import ElementwiseExtraMethods
from .elementwise_methods import ElementwiseMethods
from .elementwise_more_methods import ElementwiseMoreMethods
from .flip_methods import FlipMethods
from .index_copy import IndexCopyMethods
from .index_fill import IndexFillMethods
from .inplace import InplaceOps
from .interop import NumpyInterop
from .masked_scatter import MaskedScatterMethods
from .nan_reductions import NanReductionMethods
from .order_methods import OrderMethods
from .put_methods import PutMethods
from .random_methods import RandomMethods
from .renorm import RenormMethods
from .scatter_reductions import ScatterReduceMethods
from .set_methods import SetMethods
from .special_methods import SpecialMethods
from .split_methods import PieceMethods
from .storage import StorageViewMethods
from .tensor_layout import LayoutMethods
from .tensor_logic import LogicOps
from .tensor_math import TensorMath
from .tensor_methods import OpMethods
from .tensor_protocols import ValueProtocols
from .tensor_reductions import Reductions
from .tensor_split import TensorSplitMethods
from .torch_methods import TorchMethods
from .torch_shapes import TorchShapes
from .torch_short_names import TorchShortNames
from .torch_spellings import TorchSpellings
from .triangular_methods import TriangularMethods
from .view_methods import ViewMethods

__all__ = ["TensorMixins"]


class TensorMixins(TensorMath, Reductions, OpMethods, TorchSpellings, TorchMethods,
                   TorchShapes, LogicOps, NumpyInterop, InplaceOps, RandomMethods, SetMethods,
                   ValueProtocols, OrderMethods, IndexFillMethods, TriangularMethods,
                   RenormMethods, IndexCopyMethods, BatchProductMethods, DecompositionMethods,
                   ScatterReduceMethods, MaskedScatterMethods, NanReductionMethods,
                   ArithmeticAliasMethods, TensorSplitMethods, ElementwiseMethods,
                   TorchShortNames, LayoutMethods, PieceMethods, SpecialMethods, FlipMethods,
                   ElementwiseExtraMethods, PutMethods, DistanceMethods,
                   ElementwiseMoreMethods, StorageViewMethods, ViewMethods):
    """Every method of ``Tensor`` outside its core (Tensor is the only subclass)."""

    __slots__ = ()
