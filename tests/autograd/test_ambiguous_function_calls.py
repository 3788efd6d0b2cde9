"""``autograd.sort(x, -1)`` (nerf-pytorch's ``torch.sort(z_vals, -1)``), ``autograd.max(x, 1)``
(``_, predicted = torch.max(outputs, 1)``) and ``autograd.min(x, 1)`` mean NumPy's values
or PyTorch's pair: the error quotes the call as written, a function call, and names the
two function calls to write (it quoted ``x.sort(-1)``, a method call the user never
wrote). The method forms keep their messages."""

import pytest

import autograd as ag


@pytest.mark.parametrize("name", ["sort", "max", "min"])
def test_the_function_form_is_quoted_as_written(name: str) -> None:
    x = ag.ones(2, 3)
    function = getattr(ag, name)
    with pytest.raises(ag.UsageError) as caught:
        function(x, 1)
    message = str(caught.value)
    assert message.startswith(f"autograd.{name}(x, 1) means two things")
    assert f"autograd.{name}(x, axis=1) for the values" in message
    assert f"autograd.{name}(x, dim=1) for the pair" in message
    with pytest.raises(ag.UsageError, match=rf"^x\.{name}\(1\) means two things.*"
                                            rf"x\.{name}\(dim=1\)"):
        getattr(x, name)(1)
    assert isinstance(function(x, axis=1), ag.Tensor)  # NumPy's values
    assert len(function(x, dim=1)) == 2  # PyTorch's (values, indices)


def test_sort_without_an_axis_is_quoted_as_a_function_call() -> None:
    with pytest.raises(ag.UsageError, match=r"^autograd\.sort\(x\) means two things"):
        ag.sort(ag.ones(3))
