"""Categoricals over masked actions: logits set to ``-inf`` where an action is invalid
(reinforcement learning's invalid-action masking, ``logits.masked_fill(~valid, -inf)``).
``kl_divergence`` gives PyTorch's values without a NumPy ``RuntimeWarning`` from inside
the library (0 * -inf and -inf - -inf in the formula), and its gradient with respect to the
unmasked logits is the gradient of the KL over the valid actions alone (PyTorch's own is
NaN there, so the test asks PyTorch for the KL over the valid actions)."""

from __future__ import annotations

import warnings

import numpy as np

import autograd as ag

LOGITS = np.array([[1.0, 2.0, -0.5, 0.3], [0.5, -1.0, 0.7, 1.5]])
VALID = np.array([[True, True, False, True], [True, False, False, True]])
OTHER = np.array([[0.2, -0.4, 1.1, 0.0], [1.0, 0.3, -0.2, 0.8]])


def masked_kl(T, logits, other, q_masked: bool):
    """KL(p || q) of the masked policy ``p`` against ``q`` (masked alike or not)."""
    D = T.distributions
    invalid = T.tensor(~VALID)
    p = D.Categorical(logits=logits.masked_fill(invalid, float('-inf')))
    q_logits = other.masked_fill(invalid, float('-inf')) if q_masked else other
    return D.kl_divergence(p, D.Categorical(logits=q_logits))


def kl_over_valid_actions(torch, q_masked: bool) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's KL row by row over the valid actions only, and its gradient (w = 1)."""
    D, values, grad = torch.distributions, [], np.zeros_like(LOGITS)
    for row in range(len(LOGITS)):
        logits = torch.tensor(LOGITS[row, VALID[row]], requires_grad=True)
        other = torch.tensor(OTHER[row] if not q_masked else OTHER[row, VALID[row]])
        if q_masked:
            kl = D.kl_divergence(D.Categorical(logits=logits), D.Categorical(logits=other))
        else:  # q keeps mass on the invalid actions: log q over all of them
            log_q = torch.log_softmax(other, 0)[torch.tensor(VALID[row])]
            p = torch.softmax(logits, 0)
            kl = (p * (torch.log_softmax(logits, 0) - log_q)).sum()
        kl.backward()
        values.append(kl.item())
        grad[row, VALID[row]] = logits.grad.numpy()
    return np.array(values), grad


def test_masked_kl_has_pytorch_values_and_no_numpy_warning(torch) -> None:
    for q_masked in (False, True):
        expected = masked_kl(torch, torch.tensor(LOGITS), torch.tensor(OTHER), q_masked)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ours = masked_kl(ag, ag.tensor(LOGITS), ag.tensor(OTHER), q_masked)
        np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.numpy(), kl_over_valid_actions(torch, q_masked)[0],
                                   rtol=1e-12)


def test_masked_kl_gradient_is_the_kl_gradient_over_the_valid_actions(torch) -> None:
    for q_masked in (False, True):
        logits = ag.tensor(LOGITS, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            masked_kl(ag, logits, ag.tensor(OTHER), q_masked).sum().backward()
        expected = kl_over_valid_actions(torch, q_masked)[1]
        np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-10, atol=1e-15)
