"""autograd.func and autograd.functional where fuzzing their arguments against torch.func
found them wrong: gradients under no_grad() came back as zeros, vmap ran an in-place
write into an unbatched argument once per sample, and integer outputs gave zero
Jacobians."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.func as func
import autograd.functional as functional
from autograd.errors import UsageError

X = np.array([1.0, 2.0])


def cube(x):
    return (x ** 3).sum()


TRANSFORMS = {
    "grad": lambda lib, x: lib.func.grad(cube)(x),
    "grad_and_value": lambda lib, x: lib.func.grad_and_value(cube)(x)[0],
    "jacrev": lambda lib, x: lib.func.jacrev(lambda x: x ** 3)(x),
    "jacfwd": lambda lib, x: lib.func.jacfwd(lambda x: x ** 3)(x),
    "hessian": lambda lib, x: lib.func.hessian(cube)(x),
    "vjp": lambda lib, x: lib.func.vjp(lambda x: x ** 3, x)[1](x * 0 + 1)[0],
}


class _Ours:  # spelled as torch: lib.func.grad, lib.no_grad, lib.tensor
    func, no_grad, tensor = func, ag.no_grad, ag.tensor


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS)
def test_transforms_under_no_grad_differentiate_as_torch_func(transform, torch) -> None:
    """The leaf was connected through an unrecorded reshape: zeros came back (hessian
    raised); torch.func's transforms turn grad on inside."""
    results = []
    for lib in (_Ours, torch):
        x = lib.tensor(X, requires_grad=True)
        with lib.no_grad():
            out = transform(lib, x)
        results.append(np.asarray(out.detach().numpy()))
        assert not out.requires_grad  # no graph is kept under no_grad(), as torch's
    np.testing.assert_allclose(results[0], results[1])
    assert np.any(results[0] != 0)


def test_functional_with_create_graph_under_no_grad_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        x = lib.tensor(X, requires_grad=True)
        with lib.no_grad():
            jac = lib.autograd.functional.jacobian(lambda x: x ** 3, x, create_graph=True) \
                if lib is torch else functional.jacobian(lambda x: x ** 3, x, create_graph=True)
        np.testing.assert_allclose(np.diag(jac.detach().numpy()), 3 * X ** 2)


@pytest.mark.parametrize("write", [lambda x, y: y.add_(x), lambda x, y: y.copy_(x) * 1,
                                   lambda x, y: y.__setitem__(0, x[0]) or y * 1])
def test_vmap_refuses_an_in_place_write_into_an_unbatched_argument(write, torch) -> None:
    """Every sample shares it: rows came out equal to x0 + x1 (the outputs aliased y)."""
    batch = np.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError):
        torch.func.vmap(write, in_dims=(0, None))(torch.tensor(batch), torch.zeros(3))
    with pytest.raises(UsageError, match="not batched"):
        func.vmap(write, in_dims=(0, None))(ag.tensor(batch), ag.zeros(3))
    added = func.vmap(lambda x, y: y + x, in_dims=(0, None))(ag.tensor(batch), ag.zeros(3))
    np.testing.assert_array_equal(added.numpy(), batch)


@pytest.mark.parametrize("transform", [
    lambda f: func.jacrev(f), lambda f: func.jacfwd(f), lambda f: (lambda x: func.vjp(f, x)),
])
def test_integer_outputs_are_refused_not_differentiated_to_zeros(transform, torch) -> None:
    with pytest.raises(RuntimeError, match="floating"):
        torch.func.jacrev(lambda x: x.long())(torch.tensor(X))
    for f in (lambda x: x.long(), lambda x: x > 1, lambda x: (2 * x, x.argmax())):
        with pytest.raises(UsageError, match="floating point"):
            transform(f)(ag.tensor(X))



def test_grad_of_an_integer_output_is_zero_as_torch_func(torch) -> None:
    """torch.func.grad gives zeros there (its vjp and jacrev refuse it), and so do we."""
    theirs = torch.func.grad(lambda x: x.sum().long())(torch.tensor(X))
    ours = func.grad(lambda x: x.sum().long())(ag.tensor(X))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
