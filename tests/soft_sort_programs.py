"""The differentiable sorting operators of the soft-sort ports
(``test_pytorch_ports_soft_sort.py``), as their authors' repositories write them for
PyTorch, each written once for a library ``T`` (``autograd`` here, ``torch`` there):

- ``NeuralSort`` (Grover et al., "Stochastic Optimization of Sorting Networks via
  Continuous Relaxations", ermongroup/neuralsort): the relaxed permutation matrix
  softmax(((n + 1 - 2i) s - |s_j - s_k| 1) / tau), hard by a straight-through estimator;
- ``SoftSort`` (Prillo and Eisenschlos, sprillo/softsort):
  softmax(-|sort(s)_i - s_j|^p / tau);
- ``soft_rank`` of Blondel et al., "Fast Differentiable Sorting and Ranking"
  (google-research/fast-soft-sort, ``pytorch_ops.py`` over ``numpy_ops.py``): the
  projection of s / eps onto the permutahedron, through isotonic regression (pool
  adjacent violators) in NumPy, wrapped in a ``torch.autograd.Function``.

Written differently here: the CPU spellings ``torch.FloatTensor`` of the repositories
(``torch.cuda.FloatTensor`` there) are ``DoubleTensor``, the float64 both runs use.
"""

import numpy as np


# ------------------------------------------------------------------ NeuralSort
def neural_sort_class(T, lib):
    class NeuralSort(lib.Module):
        def __init__(self, tau=1.0, hard=False):
            super(NeuralSort, self).__init__()
            self.hard = hard
            self.tau = tau

        def forward(self, scores):
            """
            scores: elements to be sorted. Typical shape: batch_size x n
            """
            scores = scores.unsqueeze(-1)
            bsize = scores.size()[0]
            dim = scores.size()[1]
            one = T.DoubleTensor(dim, 1).fill_(1)

            A_scores = T.abs(scores - scores.permute(0, 2, 1))
            B = T.matmul(A_scores, T.matmul(one, T.transpose(one, 0, 1)))
            scaling = (dim + 1 - 2 * (T.arange(dim) + 1)).type(T.DoubleTensor)
            C = T.matmul(scores, scaling.unsqueeze(0))

            P_max = (C - B).permute(0, 2, 1)
            sm = lib.Softmax(-1)
            P_hat = sm(P_max / self.tau)

            if self.hard:
                P = T.zeros_like(P_hat)
                b_idx = T.arange(bsize).repeat([1, dim]).view(dim, bsize).transpose(
                    dim0=1, dim1=0).flatten().type(T.LongTensor)
                r_idx = T.arange(dim).repeat(
                    [bsize, 1]).flatten().type(T.LongTensor)
                c_idx = T.argmax(P_hat, dim=-1).flatten()
                brc_idx = T.stack((b_idx, r_idx, c_idx))

                P[brc_idx[0], brc_idx[1], brc_idx[2]] = 1
                P_hat = (P - P_hat).detach() + P_hat
            return P_hat

    return NeuralSort


# ------------------------------------------------------------------ SoftSort
def soft_sort_class(T, lib):
    class SoftSort(lib.Module):
        def __init__(self, tau=1.0, hard=False, pow=1.0):
            super(SoftSort, self).__init__()
            self.hard = hard
            self.tau = tau
            self.pow = pow

        def forward(self, scores):
            """
            scores: elements to be sorted. Typical shape: batch_size x n
            """
            scores = scores.unsqueeze(-1)
            sorted = scores.sort(descending=True, dim=1)[0]
            pairwise_diff = (scores.transpose(1, 2) - sorted).abs().pow(self.pow).neg() / self.tau
            P_hat = pairwise_diff.softmax(-1)

            if self.hard:
                P = T.zeros_like(P_hat, device=P_hat.device)
                P.scatter_(-1, P_hat.topk(1, -1)[1], value=1)
                P_hat = (P - P_hat).detach() + P_hat
            return P_hat

    return SoftSort


# ------------------------------------------------------------------ fast soft rank
def isotonic_l2(y, sol):
    """Solves an isotonic regression problem using PAV.

    Formally, it solves argmin_{v_1 >= ... >= v_n} 0.5 ||v - y||^2.
    """
    n = y.shape[0]
    target = np.arange(n)
    c = np.ones(n)
    sums = np.zeros(n)
    for i in range(n):
        sol[i] = y[i]
        sums[i] = y[i]
    i = 0
    while i < n:
        k = target[i] + 1
        if k == n:
            break
        if sol[i] > sol[k]:
            i = k
            continue
        sum_y = sums[i]
        sum_c = c[i]
        while True:
            # We are within an increasing subsequence.
            prev_y = sol[k]
            sum_y += sums[k]
            sum_c += c[k]
            k = target[k] + 1
            if k == n or prev_y > sol[k]:
                # Non-singleton increasing subsequence is finished,
                # update first entry.
                sol[i] = sum_y / sum_c
                sums[i] = sum_y
                c[i] = sum_c
                target[i] = k - 1
                target[k - 1] = i
                if i > 0:
                    # Backtrack if we can.  This makes the algorithm
                    # single-pass and ensures O(n) complexity.
                    i = target[i - 1]
                # Otherwise, restart from the same point.
                break
    # Reconstruct the solution.
    i = 0
    while i < n:
        k = target[i] + 1
        sol[i + 1:k] = sol[i]
        i = k


def _partition(solution, eps=1e-9):
    """Returns partition corresponding to solution."""
    if len(solution) == 0:
        return []
    sizes = [1]
    for i in range(1, len(solution)):
        if abs(solution[i] - solution[i - 1]) > eps:
            sizes.append(0)
        sizes[-1] += 1
    return sizes


class Isotonic:
    """Isotonic optimization (l2): argmin_{v_1 >= ... >= v_n} 0.5 ||v - (s - w)||^2."""

    def __init__(self, input_s, input_w):
        self.input_s = input_s
        self.input_w = input_w

    def compute(self):
        y = self.input_s - self.input_w
        self.solution_ = np.zeros_like(y)
        isotonic_l2(y, self.solution_)
        return self.solution_

    def vjp(self, vector):
        start = 0
        return_value = np.zeros_like(self.solution_)
        for size in _partition(self.solution_):
            end = start + size
            return_value[start:end] = np.mean(vector[start:end])
            start = end
        return return_value


class Projection:
    """Projection of theta onto the permutahedron of w (l2)."""

    def __init__(self, input_theta, input_w):
        self.input_theta = np.asarray(input_theta)
        self.input_w = np.asarray(input_w)

    def compute(self):
        self.permutation = np.argsort(self.input_theta)[::-1]
        input_s = self.input_theta[self.permutation]
        self.isotonic_ = Isotonic(input_s, self.input_w)
        dual_sol = self.isotonic_.compute()
        primal_sol = input_s - dual_sol
        self.inv_permutation = np.argsort(self.permutation)
        return primal_sol[self.inv_permutation]

    def vjp(self, vector):
        ret = vector.copy()
        ret -= self.isotonic_.vjp(vector[self.permutation])[self.inv_permutation]
        return ret


class SoftRank:
    """Soft ranking: the projection of values / regularization_strength (l2)."""

    def __init__(self, values, direction="ASCENDING", regularization_strength=1.0):
        self.values = np.asarray(values)
        self.input_w = np.arange(len(values))[::-1] + 1
        sign = 1 if direction == "ASCENDING" else -1
        self.scale = sign / regularization_strength

    def compute(self):
        self.projection_ = Projection(self.values * self.scale, self.input_w)
        return self.projection_.compute()

    def vjp(self, vector):
        return self.projection_.vjp(vector) * self.scale


def soft_rank_function(T, Function):
    """``pytorch_ops.soft_rank``: a NumPy op wrapped in the library's ``Function``."""

    def wrap_class(cls, **kwargs):
        """Wraps the given NumpyOp in a torch Function."""

        class NumpyOpWrapper(Function):
            """A straight-through estimator."""

            @staticmethod
            def forward(ctx, values):
                obj = cls(values.detach().numpy(), **kwargs)
                ctx.numpy_obj = obj
                return T.from_numpy(obj.compute())

            @staticmethod
            def backward(ctx, grad_output):
                return T.from_numpy(ctx.numpy_obj.vjp(grad_output.numpy()))

        return NumpyOpWrapper

    def map_tensor(map_fn, tensor):
        return T.stack([map_fn(tensor_i) for tensor_i in T.unbind(tensor)])

    def soft_rank(values, direction="ASCENDING", regularization_strength=1.0):
        if len(values.shape) != 2:
            raise ValueError("'values' should be a 2d-tensor but got %r." % values.shape)
        wrapped_fn = wrap_class(SoftRank, regularization_strength=regularization_strength,
                                direction=direction)
        return map_tensor(wrapped_fn.apply, values)

    return soft_rank
