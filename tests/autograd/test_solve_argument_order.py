"""PyTorch's removed ``torch.solve(B, A)`` took the right-hand side first (the implicit-
layers tutorial writes ``torch.solve(g[:,:,None], J)[0]``); ``autograd.solve(a, b)``
takes a first (NumPy's order, also ``torch.linalg.solve(A, B)``'s). Given the reversed
pair, the error says so and names the call to write, as PyTorch's own error does."""

import numpy as np
import pytest

import autograd as ag


def test_solve_with_the_right_hand_side_first_names_the_order(torch) -> None:
    g, J = ag.ones(3, 10), ag.tensor(np.eye(10) * 2 + np.zeros((3, 1, 1)))
    with pytest.raises(RuntimeError, match=r"torch.linalg.solve\(A, B\)"):
        torch.solve(torch.ones(3, 10, 1), torch.tensor(J.numpy()))  # PyTorch's own line
    for solve in (ag.solve, ag.linalg.solve):
        with pytest.raises(ag.ShapeError, match=r"right-hand side first.*linalg\.solve\(A, B\)"):
            solve(g[:, :, None], J)
    assert ag.linalg.solve(J, g[:, :, None]).shape == (3, 10, 1)


def test_a_non_square_a_without_a_square_b_keeps_the_plain_message() -> None:
    with pytest.raises(ag.ShapeError, match=r"solve: needs square matrices") as caught:
        ag.solve(ag.ones(3, 2), ag.ones(3, 2))
    assert "right-hand side first" not in str(caught.value)
