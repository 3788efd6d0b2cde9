"""``autograd._softmax_backward_data(grad_output, output, dim, input_dtype)``, PyTorch's
softmax VJP that Hugging Face's DeBERTa calls in its ``XSoftmax.backward`` (through
``transformers.pytorch_utils.softmax_backward_data``): it was missing here. Compared with
PyTorch's, alone and inside the ``autograd.Function`` as DeBERTa writes it."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4))
UPSTREAM = RNG.standard_normal((2, 3, 4))
MASK = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])[:, None, :]


@pytest.mark.parametrize("dim", [-1, 1, 0])
def test_softmax_backward_data_as_pytorch(torch, dim) -> None:
    want = torch._softmax_backward_data(torch.tensor(UPSTREAM),
                                        torch.softmax(torch.tensor(X), dim), dim, torch.float64)
    got = ag._softmax_backward_data(ag.tensor(UPSTREAM), ag.softmax(ag.tensor(X), dim), dim,
                                    ag.float64)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-15)
    assert got.dtype == np.float64


def x_softmax(library, function):
    """DeBERTa's ``XSoftmax`` (``modeling_deberta_v2.py``) for ``library``."""
    torch = library

    class XSoftmax(function):
        @staticmethod
        def forward(ctx, input, mask, dim):
            ctx.dim = dim
            rmask = ~(mask.to(torch.bool))
            output = input.masked_fill(rmask, torch.tensor(torch.finfo(input.dtype).min))
            output = torch.softmax(output, ctx.dim)
            output.masked_fill_(rmask, 0)
            ctx.save_for_backward(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            (output,) = ctx.saved_tensors
            inputGrad = torch._softmax_backward_data(grad_output, output, ctx.dim, output.dtype)
            return inputGrad, None, None

    return XSoftmax


def test_debertas_xsoftmax_function_as_pytorch(torch) -> None:
    results = []
    for library, function in ((torch, torch.autograd.Function), (ag, ag.Function)):
        x = library.tensor(X, requires_grad=True)
        y = x_softmax(library, function).apply(x, library.tensor(MASK), -1)
        (y * library.tensor(UPSTREAM)).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
