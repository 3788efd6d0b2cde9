"""A loss's shape mismatch says how to fix it: Growing Neural CA's
``F.mse_loss(x[:, :, :, :4], target)`` with one (1, H, W, 4) target for the whole batch
(PyTorch warns and broadcasts) is told to write ``target.expand_as(input)``; the message
suggested ``target.reshape(<input shape>)``, which cannot work with fewer elements.
Same-size mismatches keep the reshape advice; the expanded target gives PyTorch's loss."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


def test_a_target_for_every_sample_is_told_to_expand(torch):
    rng = np.random.default_rng(0)
    x, target = rng.normal(size=(4, 3, 3, 4)), rng.normal(size=(1, 3, 3, 4))
    with pytest.raises(ag.ShapeError, match=r"target\.expand_as\(input\), i\.e\. "
                                            r"target\.expand\(4, 3, 3, 4\)"):
        F.mse_loss(ag.tensor(x), ag.tensor(target))
    with pytest.warns(UserWarning, match="different to the input size"):
        want = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(target))
    got = F.mse_loss(ag.tensor(x), ag.tensor(target).expand_as(ag.tensor(x)))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-14)


@pytest.mark.parametrize("input_shape, target_shape, advice", [
    ((6, 1), (6,), r"target\.reshape\(\(6, 1\)\)"),
    ((2, 3), (3, 2), r"target\.reshape\(\(2, 3\)\)"),
    ((2, 3), (4,), "Index or reshape the input or the target"),
    ((1, 3), (2, 3), "Index or reshape the input or the target")])
def test_other_mismatches_keep_their_advice(input_shape, target_shape, advice):
    with pytest.raises(ag.ShapeError, match=advice):
        F.mse_loss(ag.zeros(*input_shape), ag.zeros(*target_shape))
