"""``torch.cosine_similarity``, ``torch.pairwise_distance``, ``torch.triplet_margin_loss``,
``torch.conv2d``... are PyTorch's second spellings of ``torch.nn.functional``'s functions;
here they live in ``nn.functional`` only (``autograd`` does not import ``nn``), and
``autograd.cosine_similarity`` said just "autograd.__all__ lists what it has". The
``MissingNameError`` now names the function to call."""

import pytest

import autograd as ag
from autograd import MissingNameError

NAMES = ["cosine_similarity", "pairwise_distance", "triplet_margin_loss",
         "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "conv2d",
         "dropout", "layer_norm", "batch_norm", "embedding", "kl_div", "max_pool2d",
         "pixel_shuffle", "prelu", "selu", "bilinear", "binary_cross_entropy_with_logits",
         "ctc_loss"]


@pytest.mark.parametrize("name", NAMES)
def test_torch_spellings_of_functional_names_say_where_they_are(name) -> None:
    import nn.functional as F
    assert callable(getattr(F, name))
    with pytest.raises(MissingNameError, match=rf"nn\.functional\.{name} here"):
        getattr(ag, name)


def test_every_such_name_of_torch_is_covered(torch) -> None:
    """Each torch.<f> that torch.nn.functional also has, and nn.functional here, but not
    autograd (nor a Tensor method of that name), gets the hint."""
    import nn.functional as F
    for name in dir(torch):
        if (name.startswith("_") or not hasattr(torch.nn.functional, name)
                or not hasattr(F, name) or hasattr(ag.Tensor, name)):
            continue
        try:
            getattr(ag, name)
        except MissingNameError as error:
            assert f"nn.functional.{name} here" in str(error), name


@pytest.mark.parametrize("name", ["stft", "istft", "fft"])
def test_spectra_say_how_to_frame_and_transform_in_real_numbers(name) -> None:
    with pytest.raises(MissingNameError, match="no complex tensors.*unfold"):
        getattr(ag, name)
