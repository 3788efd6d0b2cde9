"""``autograd.jit``: torch.jit's annotations as TorchScript-ready models carry them (timm's
``VisionTransformer``: ``@torch.jit.ignore`` on ``no_weight_decay``, ``torch.jit.Final[bool]``
on ``fused_attn``, ``if torch.jit.is_scripting():``), behaving as PyTorch's do when nothing
is scripted; compiling (``script``, ``trace``) is a named error, as are other names."""

import pytest

import autograd as ag


def vision_transformer_bits(torch):
    """The torch.jit lines of timm's vision_transformer.py, for the library ``torch``."""

    class Attention:
        fused_attn: torch.jit.Final[bool]

        def __init__(self):
            self.fused_attn = True

    class VisionTransformer:
        @torch.jit.ignore
        def no_weight_decay(self):
            return {'pos_embed', 'cls_token', 'dist_token'}

        @torch.jit.ignore()
        def group_matcher(self, coarse=False):
            return dict(stem=r'^cls_token|pos_embed|patch_embed', blocks=r'^blocks\.(\d+)')

        @torch.jit.unused
        def set_grad_checkpointing(self, enable=True):
            return enable

        @torch.jit.export
        def exported(self):
            return 1

        def forward(self):
            return "eager" if not torch.jit.is_scripting() and not torch.jit.is_tracing() \
                else "compiled"

    vit = VisionTransformer()
    return (Attention().fused_attn, sorted(vit.no_weight_decay()), vit.group_matcher(),
            vit.set_grad_checkpointing(False), vit.exported(), vit.forward(),
            VisionTransformer.no_weight_decay.__name__)


def test_timm_annotations_behave_as_in_pytorch(torch):
    assert vision_transformer_bits(ag) == vision_transformer_bits(torch)


def test_compiling_is_a_named_error():
    with pytest.raises(ag.UnsupportedError, match="jit.script.*no compiler.*call the model"):
        ag.jit.script(object())
    with pytest.raises(ag.UnsupportedError, match="jit.trace.*no compiler"):
        ag.jit.trace(lambda x: x, (ag.ones(2),))
    with pytest.raises(ag.MissingNameError, match="'autograd.jit' has no attribute 'freeze'"):
        ag.jit.freeze


def densenet_layer_overloads(torch):
    """torchvision's ``_DenseLayer.forward``: two ``@torch.jit._overload_method`` stubs,
    then the method (they were a MissingNameError here)."""

    class DenseLayer:
        @torch.jit._overload_method  # noqa: F811
        def forward(self, input):
            pass

        @torch.jit._overload_method  # noqa: F811
        def forward(self, input):  # noqa: F811
            pass

        def forward(self, input):  # noqa: F811
            return [2 * x for x in input] if isinstance(input, list) else 3 * input

    @torch.jit._overload
    def double(x):
        pass

    def double(x):  # noqa: F811
        return 2 * x

    return DenseLayer().forward([1, 2]), DenseLayer().forward(5), double(4)


def test_overload_stubs_behave_as_in_pytorch(torch):
    assert densenet_layer_overloads(ag) == densenet_layer_overloads(torch) == ([2, 4], 15, 8)
