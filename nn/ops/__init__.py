"""nn.ops: torchvision.ops' detection functions with torchvision's semantics, for code
that imports ``from torchvision.ops import box_iou, nms, sigmoid_focal_loss``: write
``from nn.ops import ...`` instead. Boxes (``boxes``) and the losses of RetinaNet and
of box regression (``losses``); stochastic depth (``stochastic_depth``) and the
``Permute``, ``MLP``, ``Conv2dNormActivation`` and ``SqueezeExcitation`` layers
(``misc``) of torchvision's ConvNeXt, Swin, EfficientNet and MobileNet."""

from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image,
                    generalized_box_iou, nms, remove_small_boxes)
from .losses import (complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss,
                     sigmoid_focal_loss)
from .misc import MLP, Conv2dNormActivation, Permute, SqueezeExcitation
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["box_area", "box_iou", "generalized_box_iou", "box_convert", "clip_boxes_to_image",
           "remove_small_boxes", "nms", "batched_nms", "sigmoid_focal_loss",
           "generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss",
           "stochastic_depth", "StochasticDepth", "Permute", "MLP",
           "Conv2dNormActivation", "SqueezeExcitation"]
