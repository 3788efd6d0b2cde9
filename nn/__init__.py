"""nn: modules, layers, activations, losses, optimizers, schedulers and checkpoints on
top of ``autograd``, with PyTorch's names, defaults and semantics where they fit.

Parameters are float64 by default (what gradient checks need); cast a model with
``model.astype(np.float32)`` for speed. ``import nn.functional as F`` for the functions.
"""

from . import _engine_check  # noqa: F401  (first: a clear error if another autograd is found)
from . import errors, functional, init, ops, optim, utils
from ._random import manual_seed
from .activations import (ELU, GELU, Hardtanh, Heaviside, LeakyReLU, LogSigmoid, LogSoftmax,
                          PReLU, ReLU, Sigmoid, SiLU, Softmax, Softplus, Step, Swish, Tanh)
from .more_activations import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Mish,
                               ReLU6, RReLU, Softmax2d, Softmin, Softshrink, Softsign,
                               Tanhshrink, Threshold)
from .attention import MultiheadAttention
from .checkpoint import CheckpointError, load, load_into, save
from .embedding import Embedding, EmbeddingBag
from .adaptive_softmax import AdaptiveLogSoftmaxWithLoss
from .containers import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .layers import (AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d,
                     FeatureAlphaDropout, Flatten, Identity, Linear, Residual, Unflatten)
from .losses import (BCELoss, BCEWithLogitsLoss, BernoulliKLLoss, CosineEmbeddingLoss,
                     CrossEntropyLoss, GaussianKLDivLoss, GaussianKLLoss, GaussianNLLLoss,
                     HingeEmbeddingLoss, HuberLoss, L1Loss, MarginRankingLoss, MSELoss,
                     MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss,
                     SmoothL1Loss, SoftMarginLoss, TripletMarginLoss)
from .more_losses import (CTCLoss, KLDivLoss, MultiLabelMarginLoss,
                          TripletMarginWithDistanceLoss)
from .lazy import LazyLinear
from .lazy_layers import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d,
                          LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d,
                          LazyConvTranspose3d, LazyInstanceNorm1d, LazyInstanceNorm2d,
                          LazyInstanceNorm3d)
from .module import LoadResult, Module, Parameter, StateDictError
from .parameter import Buffer
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d, LayerNorm, LocalResponseNorm,
                            RMSNorm)
from .cross_map_lrn import CrossMapLRN2d
from .more_layers import Bilinear, CosineSimilarity, PairwiseDistance
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,
                      ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                      ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .recurrent import GRU, LSTM, RNN, RNNBase
from .transformer import (TransformerEncoder, TransformerEncoderLayer,
                          generate_square_subsequent_mask)
from .transformer_decoder import Transformer, TransformerDecoder, TransformerDecoderLayer
from .recurrent_cells import GRUCell, LSTMCell, RNNCell
from .recurrent_cells import RNNCellBase
from .sync_batchnorm import SyncBatchNorm
from .parameter_containers import ParameterDict, ParameterList
from . import parallel
from .parallel import DataParallel
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
                      AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d,
                      AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d,
                      MaxUnpool2d, MaxUnpool3d, LPPool1d, LPPool2d, LPPool3d,
                      FractionalMaxPool2d, FractionalMaxPool3d)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .shuffle import ChannelShuffle, PixelShuffle, PixelUnshuffle
from .fold import Fold, Unfold
from .utils import clip_grad_norm_, clip_grad_value_, grad_norms

from . import data, models, train  # noqa: E402  (after the layers they build on)
from . import modules  # noqa: E402  (PyTorch's nn.modules.<sub> paths of the classes above)

__all__ = [
    # sub-modules
    "errors", "functional", "init", "ops", "optim", "utils", "data", "models", "train", "parallel",
    "modules",
    # modules and containers
    "Module", "Parameter", "Buffer", "StateDictError", "LoadResult", "Sequential", "ModuleList",
    "ModuleDict", "ParameterList", "ParameterDict", "DataParallel",
    # layers
    "Linear", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d", "Residual", "Dropout", "Flatten", "Unflatten", "Identity",
    "BatchNorm1d", "LayerNorm", "Embedding", "EmbeddingBag", "AdaptiveLogSoftmaxWithLoss",
    "BatchNorm2d", "InstanceNorm1d", "GroupNorm", "RMSNorm", "BatchNorm3d", "InstanceNorm2d",
    "InstanceNorm3d", "LocalResponseNorm", "CrossMapLRN2d", "PairwiseDistance",
    "CosineSimilarity", "Bilinear", "AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d",
    "FeatureAlphaDropout",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNNCellBase",
    "SyncBatchNorm", "MultiheadAttention",
    "TransformerEncoderLayer", "TransformerEncoder", "generate_square_subsequent_mask",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
    # convolution and pooling layers
    "Conv1d", "Conv2d", "Conv3d", "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d",
    "AvgPool2d", "AvgPool3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "ChannelShuffle", "Unfold", "Fold",
    # padding layers
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    # activations
    "Step", "Heaviside", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU",
    "SiLU", "Swish", "Softmax", "LogSoftmax", "Softplus", "LogSigmoid", "Hardtanh",
    "ReLU6", "SELU", "CELU", "Mish", "Hardsigmoid", "Hardswish", "Softsign", "Softmin", "GLU",
    "Hardshrink", "Softshrink", "Tanhshrink", "Threshold", "RReLU", "Softmax2d",
    # losses
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
    "CrossEntropyLoss", "NLLLoss", "GaussianKLLoss", "GaussianKLDivLoss", "BernoulliKLLoss",
    "GaussianNLLLoss", "PoissonNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "MultiMarginLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss",
    "TripletMarginLoss", "KLDivLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss",
    "CTCLoss",
    # training utilities
    "clip_grad_norm_", "clip_grad_value_", "grad_norms", "manual_seed",
    "save", "load", "load_into", "CheckpointError",
]
