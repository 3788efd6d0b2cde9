"""``torch.max(x, axis=-2).values``: PyTorch takes ``axis=`` as another name of ``dim=``
and gives the pair (values, indices); here ``axis=`` is NumPy's and gives the values alone
(Hugging Face's Switch Transformers load-balancing loss writes ``torch.max(expert_mask,
axis=-2).values``). Reading ``.values`` or ``.indices`` of a Tensor now says so, instead of
a bare AttributeError; it stays an AttributeError, so ``hasattr`` keeps working."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("field", ["values", "indices"])
def test_values_of_a_tensor_name_the_pair_spelling(torch, field: str) -> None:
    x = ag.tensor([[0.0, 2.0], [1.0, 0.0]])
    with pytest.raises(ag.MissingNameError, match=rf"no attribute '{field}'.*dim=-2"):
        getattr(ag.max(x, axis=-2), field)
    assert not hasattr(x, field) and getattr(x, field, 7) == 7
    ours = getattr(ag.max(x, dim=-2), field)  # the pair, as PyTorch's max(axis=-2)
    np.testing.assert_array_equal(ours.numpy(), getattr(torch.max(torch.tensor(x.numpy()),
                                                                   axis=-2), field).numpy())
