"""Layer habits of the LLM ports (loralib), each compared with PyTorch."""

import numpy as np
import pytest

import nn

CASES = [("Linear", (3, 2)), ("Embedding", (4, 3)), ("Conv2d", (1, 2, 3)),
         ("Conv1d", (2, 2, 3)), ("Bilinear", (2, 3, 2)), ("LSTM", (2, 3)),
         ("GRUCell", (2, 3)), ("LayerNorm", (3,)), ("PReLU", (2,)),
         ("MultiheadAttention", (4, 2)), ("Transformer", (4, 2, 1, 1, 8))]


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")  # PyTorch's Transformer
@pytest.mark.parametrize("name, args", CASES)
def test_reset_parameters_overridden_with_pytorchs_signature(torch, name, args) -> None:
    """loralib's ``class Linear(nn.Linear, LoRALayer)`` overrides ``reset_parameters(self)``
    and calls ``nn.Linear.reset_parameters(self)`` in it: the layers' constructors called
    ``self.reset_parameters(rng)``, so the override raised TypeError."""
    shapes = []
    for lib in (nn, torch.nn):
        base = getattr(lib, name)

        hidden = "_reset_parameters" if name in ("MultiheadAttention", "Transformer") \
            else "reset_parameters"  # PyTorch's private name for these two

        def reset(self):
            getattr(base, hidden)(self)  # the library's own start, then a count
            self.resets = getattr(self, "resets", 0) + 1

        Custom = type("Custom", (base,), {hidden: reset})

        layer = Custom(*args)
        assert layer.resets == 1, lib
        shapes.append([tuple(p.shape) for p in layer.parameters()])
    assert shapes[0] == shapes[1]


def test_an_rng_still_reaches_the_librarys_own_reset() -> None:
    """``rng=`` (this library's) is still passed to a ``reset_parameters`` taking it."""
    first, again = nn.Linear(3, 2, rng=7), nn.Linear(3, 2, rng=7)
    np.testing.assert_array_equal(first.weight.detach().numpy(), again.weight.detach().numpy())


def test_new_tensors_of_a_parameter_are_plain_tensors(torch) -> None:
    """loralib writes ``self.weight.new_zeros((out_features,), dtype=torch.bool)``: a
    Parameter's ``new_*`` gave a Parameter, which refused the bool dtype; PyTorch's give
    a plain tensor that does not require grad."""
    import autograd as ag

    for lib, tensor_type, parameter in ((ag, ag.Tensor, nn.Parameter(np.ones((2, 3)))),
                                        (torch, torch.Tensor,
                                         torch.nn.Parameter(torch.ones(2, 3)))):
        made = [parameter.new_zeros((4,), dtype=lib.bool), parameter.new_zeros((2, 2)),
                parameter.new_ones(3), parameter.new_full((2,), 7.0),
                parameter.new_tensor([1.0, 2.0]), parameter.new_empty(2)]
        assert [type(t) for t in made] == [tensor_type] * len(made), lib
        assert not any(t.requires_grad for t in made)
        assert made[0].dtype == lib.bool and made[1].dtype == lib.float64


def test_train_and_eval_call_each_childs_train_override(torch) -> None:
    """loralib merges ``B A`` into the weight in its layers' ``train(False)`` override,
    reached by ``model.eval()`` on the whole model: PyTorch's ``train(mode)`` calls every
    child's ``train(mode)``; here the flags were set directly and no override ran."""
    calls = []
    for lib in (nn, torch.nn):
        seen = []

        class Merging(lib.Linear):
            def train(self, mode: bool = True):
                lib.Linear.train(self, mode)
                seen.append(mode)
                return self

        class FrozenNorm(lib.Module):  # the "keep BatchNorm in eval mode" habit
            def __init__(self):
                super().__init__()
                self.norm = lib.BatchNorm1d(2)

            def train(self, mode: bool = True):
                super().train(mode)
                self.norm.eval()
                return self

        model = lib.Sequential(Merging(2, 2), lib.Sequential(Merging(2, 2)), FrozenNorm())
        assert model.eval() is model and model.train() is model
        model.train(False)
        calls.append((seen, [m.training for m in model.modules()]))
    assert calls[0] == calls[1]
    assert calls[0][0] == [False, False, True, True, False, False]
    with pytest.raises(TypeError):  # PyTorch: ValueError; here ArgumentTypeError
        nn.Linear(2, 2).train("yes")


def test_train_of_a_child_holding_its_parent_ends() -> None:
    parent = nn.Sequential(nn.Linear(1, 1))
    child = nn.Dropout(0.5)
    child.parent = parent  # discovered here, so the walk must not loop
    parent.append(child)
    parent.eval()
    assert not any(m.training for m in parent.modules())
    parent.train()
    assert all(m.training for m in parent.modules())
