"""Edge cases of ``autograd.linalg`` that a fuzzing pass against torch 2.13 found, each
checked against PyTorch where PyTorch defines the answer: solve's batch of vectors with
left=False, NaN given to cholesky, LU pivots, cholesky(upper=True)'s triangle, the norms'
dim=() and dtype=, empty matrices, the largest of no sums in matrix_norm, matrix_power(A, 0)
in the graph, pinv's rcond and matrix_rank's tol, bool cross, slogdet's sign at NaN.
Gradients by ``autograd.gradcheck`` (central differences) or against PyTorch's."""

import numpy as np
import pytest

import autograd as ag

NAN, INF = np.nan, np.inf
SPD = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])


def _raises(call) -> bool:
    """Whether PyTorch's call raises (any error)."""
    try:
        call()
    except Exception:  # PyTorch's classes vary: RuntimeError, IndexError...
        return True
    return False


# ------------------------------------------------------------------ 1. solve, left=False
@pytest.mark.parametrize("shapes", [((2, 3, 3), (2, 3)), ((2, 1, 1), (2, 1))])
@pytest.mark.parametrize("name", ["solve", "solve_ex"])
def test_solve_left_false_refuses_a_batch_of_vectors_as_torch(torch, shapes, name) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shapes[0]) + 3 * np.eye(shapes[0][-1])
    b = rng.standard_normal(shapes[1])  # shape A.shape[:-1]: vectors, for PyTorch
    assert _raises(lambda: getattr(torch.linalg, name)(torch.tensor(a), torch.tensor(b),
                                                              left=False))
    with pytest.raises(ag.ShapeError, match=r"left=False.*batch of vectors"):
        getattr(ag.linalg, name)(ag.tensor(a), ag.tensor(b), left=False)


# ------------------------------------------------------------------ 2. cholesky of NaN
NAN_MATRICES = [  # (matrix, upper): NaN in the triangle read, or only in the other one
    ([[4.0, 1, 0], [1, 3, 0.5], [0, 0.5, NAN]], False),
    ([[4.0, 1, 0], [1, 3, 0.5], [NAN, 0.5, 2]], False),
    ([[NAN, 1, 0], [1, 3, 0.5], [0, 0.5, 2]], False),
    ([[4.0, 1, NAN], [1, 3, 0.5], [0, 0.5, 2]], False),   # upper triangle: not read
    ([[4.0, 1, NAN], [1, 3, 0.5], [0, 0.5, 2]], True),
    ([[4.0, 1, 0], [1, INF, 0.5], [0, 0.5, 2]], False),   # an inf pivot passes, as LAPACK
    ([[4.0, 1, 0], [INF, 3, 0.5], [0, 0.5, 2]], False),   # -inf pivot: fails
]


def test_cholesky_ex_info_with_nan_and_inf_as_torch(torch) -> None:
    for matrix, upper in NAN_MATRICES:
        a = np.array(matrix)
        want = torch.linalg.cholesky_ex(torch.tensor(a), upper=upper)
        got = ag.linalg.cholesky_ex(ag.tensor(a), upper=upper)
        assert got.info.dtype == np.int32
        assert got.info.item() == want.info.item(), (matrix, upper)
        if want.info.item() == 0:
            np.testing.assert_allclose(got.L.data, want.L.numpy(), rtol=1e-12)


def test_cholesky_raises_where_nan_is_read_as_torch(torch) -> None:
    for matrix, upper in [m for m in NAN_MATRICES if np.isnan(np.array(m[0])).any()]:
        a = np.array(matrix)
        fails = _raises(lambda: torch.linalg.cholesky(torch.tensor(a), upper=upper))
        assert fails == bool(np.isnan(np.triu(a) if upper else np.tril(a)).any())
        if not fails:  # the NaN is in the triangle not read
            want = torch.linalg.cholesky(torch.tensor(a), upper=upper).numpy()
            np.testing.assert_allclose(ag.linalg.cholesky(ag.tensor(a), upper=upper).data,
                                       want, rtol=1e-12)
            continue
        with pytest.raises(ag.NaNMatrixError, match=r"cholesky: the triangle read .* NaN"):
            ag.linalg.cholesky(ag.tensor(a), upper=upper)
        with pytest.raises(ag.linalg.LinAlgError, match=r"cholesky_ex: .*NaN"):
            ag.linalg.cholesky_ex(ag.tensor(a), upper=upper, check_errors=True)


# ------------------------------------------------------------------ 3. LU pivots
@pytest.mark.parametrize("pivots", [[0, 2, 3, 4], [-1, 2, 3, 4], [5, 2, 3, 4]])
def test_lu_pivots_out_of_range_are_named_errors_as_torch(torch, pivots) -> None:
    rng = np.random.default_rng(2)
    LU, _ = torch.linalg.lu_factor(torch.tensor(rng.standard_normal((4, 4))))
    piv, b = np.array(pivots, np.int32), rng.standard_normal((4, 2))
    assert _raises(lambda: torch.linalg.lu_solve(LU, torch.tensor(piv), torch.tensor(b)))
    assert _raises(lambda: torch.lu_unpack(LU, torch.tensor(piv)))
    with pytest.raises(ag.TensorIndexError, match=r"lu_solve: pivots must be row numbers "
                                                  r"from 1 to 4"):
        ag.linalg.lu_solve(ag.tensor(LU.numpy()), piv, ag.tensor(b))
    with pytest.raises(ag.TensorIndexError, match=r"lu_unpack: pivots must be row numbers"):
        ag.lu_unpack(ag.tensor(LU.numpy()), ag.tensor(piv))


def test_lu_pivots_must_be_integers_of_the_right_length() -> None:
    LU = ag.tensor(np.eye(2))
    with pytest.raises(ag.DTypeError, match=r"lu_solve: pivots must be integers.*float64"):
        ag.linalg.lu_solve(LU, ag.tensor(np.array([1.0, 2.0])), ag.ones(2, 1))
    with pytest.raises(ag.ShapeError, match=r"lu_unpack: pivots must hold min\(m, n\) = 2"):
        ag.lu_unpack(LU, ag.tensor(np.array([1, 2, 2], np.int32)))


# ------------------------------------------------------------------ 4. cholesky(upper=True)
LOPSIDED = np.array([[4.0, 1, 0], [9, 3, 0.5], [0, -7, 2]])  # upper triangle SPD; lower not

UPPER_SPELLINGS = {
    "linalg.cholesky": lambda a: ag.linalg.cholesky(a, upper=True),
    "Tensor.cholesky": lambda a: a.cholesky(upper=True),
    "autograd.cholesky": lambda a: ag.cholesky(a, upper=True),
    "linalg.cholesky_ex": lambda a: ag.linalg.cholesky_ex(a, upper=True).L,
    "np.linalg.cholesky": lambda a: np.linalg.cholesky(a, upper=True),
}


def test_cholesky_upper_reads_the_upper_triangle_as_torch(torch) -> None:
    upstream = np.triu(np.random.default_rng(3).standard_normal((3, 3)))
    for name, spelling in UPPER_SPELLINGS.items():
        A = ag.tensor(LOPSIDED, requires_grad=True)
        At = torch.tensor(LOPSIDED, requires_grad=True)
        got, want = spelling(A), torch.linalg.cholesky(At, upper=True)
        np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12, err_msg=name)
        (got * ag.tensor(upstream)).sum().backward()
        (want * torch.tensor(upstream)).sum().backward()
        np.testing.assert_allclose(A.grad.data, At.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)


def test_cholesky_upper_gradient_by_finite_differences() -> None:
    """A symmetric matrix with garbage below the diagonal: upper=True never reads it."""
    X = ag.tensor(SPD + 0.1 * np.random.default_rng(4).standard_normal((3, 3)),
                  requires_grad=True)
    garbage = ag.tensor(np.tril(np.full((3, 3), -50.0), -1))
    assert ag.gradcheck(lambda x: ag.linalg.cholesky((x + x.mT) / 2 + garbage, upper=True),
                        [X])


def test_cholesky_upper_refuses_a_matrix_whose_upper_triangle_is_not_spd(torch) -> None:
    a = LOPSIDED.T.copy()  # lower triangle SPD, upper not
    assert _raises(lambda: torch.linalg.cholesky(torch.tensor(a), upper=True))
    with pytest.raises(ag.SingularMatrixError, match=r"positive definite"):
        ag.linalg.cholesky(ag.tensor(a), upper=True)
    info = torch.linalg.cholesky_ex(torch.tensor(a), upper=True).info.item()
    assert ag.linalg.cholesky_ex(ag.tensor(a), upper=True).info.item() == info > 0


# ------------------------------------------------------------------ 5. vector_norm(dim=())
@pytest.mark.parametrize("dim", [(), []])
@pytest.mark.parametrize("ord", [2, 1, 3.5, np.inf, 0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_vector_norm_empty_dim_reduces_every_axis_as_torch(torch, dim, ord, keepdim) -> None:
    x = np.array([[3.0, -4.0, 0.5], [0.0, 1.0, -2.0]])
    want = torch.linalg.vector_norm(torch.tensor(x), ord, dim=dim, keepdim=keepdim)
    got = ag.linalg.vector_norm(ag.tensor(x), ord, dim=dim, keepdim=keepdim)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12)


def test_vector_norm_empty_dim_gradient() -> None:
    X = ag.tensor(np.random.default_rng(5).standard_normal((2, 3)), requires_grad=True)
    assert ag.linalg.vector_norm(X, 3, dim=()).shape == ()
    assert ag.gradcheck(lambda x: ag.linalg.vector_norm(x, 3, dim=()), [X])


# ------------------------------------------------------------------ 6. empty matrices
EMPTY_SQUARE = {
    "inv_ex": lambda L, a: L.inv_ex(a),
    "cholesky_ex": lambda L, a: L.cholesky_ex(a),
    "solve_ex": lambda L, a: L.solve_ex(a, a),
    "lu_factor": lambda L, a: L.lu_factor(a),
    "lu_factor_ex": lambda L, a: L.lu_factor_ex(a),
    "lu": lambda L, a: L.lu(a),
    "lu_solve": lambda L, a: L.lu_solve(*L.lu_factor(a), a),
}


def _compare_results(got, want) -> None:
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for ours, theirs in zip(got, want):
        assert ours.shape == tuple(theirs.shape)
        assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
        np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", EMPTY_SQUARE)
def test_empty_square_matrices_give_torchs_empty_results(torch, name) -> None:
    for shape in [(0, 0), (2, 0, 0), (0, 3, 3)]:  # (the last: no matrix, n = 3)
        a = np.zeros(shape)
        _compare_results(EMPTY_SQUARE[name](ag.linalg, ag.tensor(a)),
                         EMPTY_SQUARE[name](torch.linalg, torch.tensor(a)))


@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (2, 3, 0)])
def test_empty_rectangular_lu_gives_torchs_results(torch, shape) -> None:
    a = np.zeros(shape)
    for call in (lambda L, x: L.lu_factor(x), lambda L, x: L.lu_factor_ex(x),
                 lambda L, x: L.lu(x)):
        _compare_results(call(ag.linalg, ag.tensor(a)), call(torch.linalg, torch.tensor(a)))
    _compare_results(tuple(ag.lu_unpack(*ag.linalg.lu_factor(ag.tensor(a)))),
                     tuple(torch.lu_unpack(*torch.linalg.lu_factor(torch.tensor(a)))))


def test_empty_matrices_backward_gives_empty_gradients() -> None:
    A = ag.zeros(2, 0, 0, requires_grad=True)
    (ag.linalg.lu_factor(A).LU.sum() + ag.linalg.inv_ex(A).inverse.sum()).backward()
    assert A.grad.shape == (2, 0, 0)


# ------------------------------------------------------------------ 7. the norms' dtype=
NORMS = {
    "vector_norm": lambda L, x, **k: L.vector_norm(x, **k),
    "matrix_norm": lambda L, x, **k: L.matrix_norm(x, **k),
    "matrix_norm nuc": lambda L, x, **k: L.matrix_norm(x, "nuc", **k),
    "norm": lambda L, x, **k: L.norm(x, **k),
    "norm ord 1": lambda L, x, **k: L.norm(x, 1, **k),
}


@pytest.mark.parametrize("name", NORMS)
def test_norms_take_dtype_as_torch(torch, name) -> None:
    x = np.array([[3.0, -4.0], [1.0, 2.0]], dtype=np.float32)
    X, Xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = NORMS[name](ag.linalg, X, dtype=np.float64)
    want = NORMS[name](torch.linalg, Xt, dtype=torch.float64)
    assert got.dtype == np.float64 and want.dtype == torch.float64
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12)
    got.backward()
    want.backward()
    assert X.grad.dtype == np.float32
    np.testing.assert_allclose(X.grad.data, Xt.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", NORMS)
def test_norms_refuse_a_narrowing_or_integer_dtype_as_torch(torch, name) -> None:
    x = np.array([[3.0, -4.0], [1.0, 2.0]])
    assert _raises(lambda: NORMS[name](torch.linalg, torch.tensor(x),
                                              dtype=torch.float32))
    with pytest.raises(ag.DTypeError, match=r"dtype=float32 would narrow the input's float64"):
        NORMS[name](ag.linalg, ag.tensor(x), dtype=np.float32)
    with pytest.raises(ag.DTypeError, match=r"dtype must be a float dtype"):
        NORMS[name](ag.linalg, ag.tensor(x), dtype=np.int64)


def test_norm_dtype_gradient_by_finite_differences() -> None:
    X = ag.tensor(np.random.default_rng(6).standard_normal((3, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x: ag.linalg.norm(x, "nuc", dtype=np.float64), [X])


# ------------------------------------------------------------------ 8. max of no sums
@pytest.mark.parametrize("shape, ord", [((3, 0), 1), ((0, 3), np.inf), ((2, 0, 3), np.inf),
                                        ((2, 3, 0), 1), ((0, 0), 1), ((0, 0), np.inf)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_max_over_an_empty_axis_is_zero_as_torch(torch, shape, ord,
                                                             keepdim) -> None:
    want = torch.linalg.matrix_norm(torch.zeros(shape), abs(ord), keepdim=keepdim)
    A = ag.zeros(*shape, requires_grad=True)
    got = ag.linalg.matrix_norm(A, abs(ord), keepdim=keepdim)
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.data, want.numpy())
    got.sum().backward()
    assert A.grad.shape == shape
    # the smallest of no sums (ord -1 / -inf) has no value: PyTorch raises, and so do we
    assert _raises(lambda: torch.linalg.matrix_norm(torch.zeros(shape), -abs(ord)))
    with pytest.raises(ag.ShapeError, match=r"empty axis"):
        ag.linalg.matrix_norm(A, -abs(ord))


# ------------------------------------------------------------------ 9. matrix_power(A, 0)
def test_matrix_power_zero_stays_in_the_graph_as_torch(torch) -> None:
    a = np.random.default_rng(7).standard_normal((2, 3, 3))
    A, At = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, want = ag.linalg.matrix_power(A, 0), torch.linalg.matrix_power(At, 0)
    assert got.requires_grad
    np.testing.assert_array_equal(got.data, want.detach().numpy())
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_array_equal(A.grad.data, At.grad.numpy())
    assert ag.gradcheck(lambda x: ag.linalg.matrix_power(x, 0), [ag.tensor(a,
                                                                           requires_grad=True)])


# ------------------------------------------------------------------ 10. rcond= and tol=
def _rank_two_with_small_values() -> np.ndarray:
    rng = np.random.default_rng(8)
    u, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    v, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    return u[:, :4] @ np.diag([10.0, 1.0, 0.05, 0.001]) @ v.T


@pytest.mark.parametrize("rcond", [0.2, 0.01, 1e-5, 0.0])
def test_pinv_rcond_is_rtol_as_torch(torch, rcond) -> None:
    a = _rank_two_with_small_values()
    want = torch.linalg.pinv(torch.tensor(a), rcond=rcond).numpy()
    np.testing.assert_allclose(ag.linalg.pinv(ag.tensor(a), rcond=rcond).data, want,
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ag.linalg.pinv(ag.tensor(a), rcond).data, want, rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("tol", [0.5, 0.01, 1e-4, 0.0])
def test_matrix_rank_tol_is_atol_with_rtol_zero_as_torch(torch, tol) -> None:
    a = _rank_two_with_small_values()
    want = torch.linalg.matrix_rank(torch.tensor(a), tol=tol).item()
    assert ag.linalg.matrix_rank(ag.tensor(a), tol=tol).item() == want
    assert ag.linalg.matrix_rank(ag.tensor(a), tol).item() == want


def test_numpy_style_tolerances_do_not_mix_with_atol_rtol(torch) -> None:
    a = _rank_two_with_small_values()
    assert _raises(lambda: torch.linalg.pinv(torch.tensor(a), rcond=0.1, rtol=0.1))
    with pytest.raises(ag.UsageError, match=r"pinv: rcond= .* cannot be given with atol"):
        ag.linalg.pinv(ag.tensor(a), rcond=0.1, rtol=0.1)
    with pytest.raises(ag.UsageError, match=r"matrix_rank: tol= .* cannot be given"):
        ag.linalg.matrix_rank(ag.tensor(a), tol=0.1, atol=0.1)


def test_pinv_rcond_gradient_by_finite_differences() -> None:
    A = ag.tensor(np.random.default_rng(9).standard_normal((3, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x: ag.linalg.pinv(x, rcond=1e-3), [A])


# ------------------------------------------------------------------ 11. bool cross
@pytest.mark.parametrize("call", [lambda a, b: ag.linalg.cross(a, b),
                                  lambda a, b: ag.cross(a, b, dim=-1),
                                  lambda a, b: a.cross(b, dim=0)])
def test_cross_of_bool_vectors_is_a_dtype_error(torch, call) -> None:
    a = np.array([True, False, True])
    assert _raises(lambda: torch.linalg.cross(torch.tensor(a), torch.tensor(a)))
    with pytest.raises(ag.DTypeError, match=r"cross: bool vectors have no cross product"):
        call(ag.tensor(a), ag.tensor(a))


# ------------------------------------------------------------------ 12. slogdet of NaN
@pytest.mark.parametrize("matrix", [[[4.0, 1], [1, NAN]], [[NAN, 1], [1, 2.0]],
                                    [[INF, INF], [INF, INF]]])
def test_slogdet_sign_is_zero_where_logabsdet_is_nan_as_torch(torch, matrix) -> None:
    a = np.stack([np.array(matrix), [[INF, 1], [1, 2.0]]])  # (the second: sign 1, inf)
    want = torch.linalg.slogdet(torch.tensor(a))
    with np.errstate(invalid="ignore"):
        got = ag.linalg.slogdet(ag.tensor(a))
    np.testing.assert_array_equal(got.sign.data, want.sign.numpy())
    np.testing.assert_array_equal(got.logabsdet.data, want.logabsdet.numpy())
