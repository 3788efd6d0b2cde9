"""PyTorch's sparse spellings, as pytorch/examples' GCN writes them (``torch.spmm(adj_mat,
support)``, ``torch.sparse_coo_tensor(edges.T, ...)``, ``.to_sparse()``). Every tensor is
dense here: ``spmm`` (which PyTorch also runs on two dense matrices) is the matrix product,
checked against PyTorch's; the sparse constructors and conversions are named errors that
say to build the dense matrix."""

import re

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(17)


def test_spmm_of_dense_matrices_is_pytorch_s(torch) -> None:
    a, b, g = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal((4, 2))
    ours = [ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    out, want = ag.spmm(*ours), torch.spmm(*theirs)
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    out.backward(ag.tensor(g)), want.backward(torch.tensor(g))
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shapes", [((2, 2, 2), (2, 2)), ((2, 3), (2, 2)), ((3,), (3, 2))])
def test_spmm_refuses_what_pytorch_s_refuses(torch, shapes) -> None:
    a, b = (np.ones(s) for s in shapes)
    with pytest.raises(RuntimeError):
        torch.spmm(torch.tensor(a), torch.tensor(b))
    with pytest.raises(ag.ShapeError):
        ag.spmm(ag.tensor(a), ag.tensor(b))


@pytest.mark.parametrize("name", ["sparse_coo_tensor", "sparse_csr_tensor", "sparse"])
def test_sparse_constructors_are_named_errors_saying_to_build_the_dense_matrix(
        torch, name) -> None:
    assert hasattr(torch, name)
    with pytest.raises(ag.MissingNameError, match="dense") as caught:
        getattr(ag, name)
    assert "index_put_" in str(caught.value) or "a @ b" in str(caught.value)


def test_to_sparse_is_a_named_error(torch) -> None:
    assert torch.eye(2).to_sparse().is_sparse
    with pytest.raises(ag.UnsupportedError, match=re.escape("drop .to_sparse()")):
        ag.eye(2).to_sparse()
    assert not ag.eye(2).is_sparse and not torch.eye(2).is_sparse


def test_to_dense_of_a_dense_tensor_is_itself_as_pytorch(torch) -> None:
    """``grad.to_dense()`` (word2vec's sparse embedding gradients): PyTorch's returns a
    strided tensor itself, or cast with ``dtype=``; every tensor here is dense."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.to_dense() is x
    assert x.to_dense(dtype=np.float32).dtype == np.float32
    t = torch.ones(2)
    assert t.to_dense() is t and t.to_dense(dtype=torch.float32).dtype == torch.float32
    y = x.to_dense(masked_grad=True) * 3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


SPARSE_ONLY = ["coalesce", "is_coalesced", "_indices", "_values", "_nnz"]


@pytest.mark.parametrize("name", SPARSE_ONLY)
def test_sparse_gradient_methods_are_named_errors(torch, name) -> None:
    """What code written for ``Embedding(..., sparse=True)`` calls on the gradient
    (``grad = grad.coalesce(); grad._indices(), grad._values()``, as PyTorch's SparseAdam):
    PyTorch refuses these on a dense tensor, and every gradient here is dense; the error
    says how to read the looked-up rows."""
    emb = torch.nn.Embedding(5, 2, sparse=True)
    emb(torch.tensor([1, 3, 1])).sum().backward()
    getattr(emb.weight.grad, name)()  # PyTorch's sparse gradient has them
    with pytest.raises(RuntimeError):
        getattr(torch.ones(2, 2), name)()  # a dense tensor does not
    weight = ag.zeros(5, 2, requires_grad=True)  # nn.Embedding's weight, looked up
    weight[ag.tensor([1, 3, 1])].sum().backward()
    with pytest.raises(ag.UnsupportedError, match=re.escape(f"{name}()") + ".*dense.*nonzero"):
        getattr(weight.grad, name)()
    rows = weight.grad.abs().sum(1).nonzero(as_tuple=True)[0]  # what the error advises
    np.testing.assert_array_equal(rows.numpy(), [1, 3])


def test_sparse_and_dense_dim_of_a_dense_tensor_are_pytorch_s(torch) -> None:
    for shape in [(), (3,), (2, 3, 4)]:
        t, x = torch.ones(shape), ag.ones(shape)
        assert (x.sparse_dim(), x.dense_dim()) == (t.sparse_dim(), t.dense_dim())
