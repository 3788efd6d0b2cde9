"""The example of PyTorch's ``nn.CTCLoss`` documentation, its three cases (padded
targets, un-padded concatenated targets, one unbatched sequence) as its readers type them,
run here; PyTorch then scores the same arrays. The losses agree; the gradients differ by
exactly PyTorch's extra exp(log_probs) term (pytorch/pytorch issues 52241 and 82545):
ours is the derivative in ``log_probs``, which central differences confirm.

Lines written differently here: none. (``torch.randn``/``torch.randint`` draw from each
library's own generator, so PyTorch is given our arrays instead of running the lines.)
"""

import numpy as np

import autograd
import nn
from autograd import gradcheck


def docs_example(torch, nn):
    """The documentation's code; returns what each case computed."""
    cases = []
    # Target are to be padded
    T = 50      # Input sequence length
    C = 20      # Number of classes (including blank)
    N = 16      # Batch size
    S = 30      # Target sequence length of longest target in batch (padding length)
    S_min = 10  # Minimum target length, for demonstration purposes
    # Initialize random batch of input vectors, for *size = (T,N,C)
    input = torch.randn(T, N, C).log_softmax(2).detach().requires_grad_()
    # Initialize random batch of targets (0 = blank, 1:C = classes)
    target = torch.randint(low=1, high=C, size=(N, S), dtype=torch.long)
    input_lengths = torch.full(size=(N,), fill_value=T, dtype=torch.long)
    target_lengths = torch.randint(low=S_min, high=S, size=(N,), dtype=torch.long)
    ctc_loss = nn.CTCLoss()
    loss = ctc_loss(input, target, input_lengths, target_lengths)
    loss.backward()
    cases.append((input, target, input_lengths, target_lengths, loss))

    # Target are to be un-padded
    T = 50      # Input sequence length
    C = 20      # Number of classes (including blank)
    N = 16      # Batch size
    # Initialize random batch of input vectors, for *size = (T,N,C)
    input = torch.randn(T, N, C).log_softmax(2).detach().requires_grad_()
    input_lengths = torch.full(size=(N,), fill_value=T, dtype=torch.long)
    # Initialize random batch of targets (0 = blank, 1:C = classes)
    target_lengths = torch.randint(low=1, high=T, size=(N,), dtype=torch.long)
    target = torch.randint(low=1, high=C, size=(sum(target_lengths),), dtype=torch.long)
    ctc_loss = nn.CTCLoss()
    loss = ctc_loss(input, target, input_lengths, target_lengths)
    loss.backward()
    cases.append((input, target, input_lengths, target_lengths, loss))

    # Target are to be un-padded and unbatched (effectively N=1)
    T = 50      # Input sequence length
    C = 20      # Number of classes (including blank)
    # Initialize random batch of input vectors, for *size = (T,C)
    input = torch.randn(T, C).log_softmax(1).detach().requires_grad_()
    input_lengths = torch.tensor(T, dtype=torch.long)
    # Initialize random batch of targets (0 = blank, 1:C = classes)
    target_lengths = torch.randint(low=1, high=T, size=(), dtype=torch.long)
    target = torch.randint(low=1, high=C, size=(target_lengths,), dtype=torch.long)
    ctc_loss = nn.CTCLoss()
    loss = ctc_loss(input, target, input_lengths, target_lengths)
    loss.backward()
    cases.append((input, target, input_lengths, target_lengths, loss))
    return cases


def test_documentation_example_scores_as_pytorch(torch):
    autograd.manual_seed(0)
    for input, target, input_lengths, target_lengths, loss in docs_example(autograd, nn):
        theirs_input = torch.tensor(input.detach().numpy(), requires_grad=True)
        lengths = torch.tensor(target_lengths.numpy())
        theirs = torch.nn.CTCLoss()(theirs_input, torch.tensor(target.numpy()),
                                    torch.tensor(input_lengths.numpy()), lengths)
        theirs.backward()
        np.testing.assert_allclose(loss.item(), theirs.item(), rtol=1e-12)
        # "mean": sample n's loss has weight g_n = 1 / (N * target_length_n); PyTorch's
        # gradient adds exp(log_probs) g_n on each of the sample's steps
        weights = 1.0 / (np.size(lengths.numpy()) * np.maximum(lengths.numpy(), 1))
        extra = np.exp(input.data) * (weights[..., None] if input.ndim == 3 else weights)
        np.testing.assert_allclose(input.grad.numpy(), theirs_input.grad.numpy() - extra,
                                   atol=1e-12)


def test_documentation_gradient_is_the_derivative():
    """The unbatched case, shrunk to T = 6, C = 4: central differences agree."""
    autograd.manual_seed(1)
    input = autograd.randn(6, 4).log_softmax(1).detach().requires_grad_()
    target = autograd.randint(low=1, high=4, size=(3,), dtype=autograd.long)
    criterion = nn.CTCLoss()
    assert gradcheck(lambda x: criterion(x, target, autograd.tensor(6), autograd.tensor(3)),
                     [input])
