"""``interpolate(..., antialias=True)``: PyTorch's antialiased "bilinear" and "bicubic"
resize (the filters of PIL's ``resize``, which torchvision's ``Resize`` uses by default).

Each axis of n entries resized to m is one matrix W (m x n) applied along it: output i is
sum_j W[i, j] x[j]. With ``scale`` the source step per output entry (n / m, 1 / the
user's ``scale_factor`` when given, or (n - 1)/(m - 1) with ``align_corners``), output i
centres at c = scale (i + 0.5); the filter is stretched by s = max(scale, 1) (so a
downsample averages every entry it covers), with support r = s (bilinear) or 2 s
(bicubic); the entries j from max(int(c - r + 0.5), 0) to min(int(c + r + 0.5), n) - 1
get the weights f((j - c + 0.5) / s), divided by their sum. f is the triangle
1 - |t| (bilinear) or Keys' cubic with a = -0.5 (bicubic; PIL's, not the -0.75 of the
plain bicubic mode). The matrices are constants, so the resize is two matmuls and its
gradients are those of matmul, to every order.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor

__all__ = ["antialiased_resize", "antialias_weights"]

ANTIALIAS_CUBIC_A = -0.5  # PIL's (and PyTorch's antialiased) cubic filter parameter


def _triangle(t: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - np.abs(t), 0.0)


def _cubic(t: np.ndarray) -> np.ndarray:
    a, d = ANTIALIAS_CUBIC_A, np.abs(t)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = (((d - 5) * d + 8) * d - 4) * a
    return np.where(d < 1, near, np.where(d < 2, far, 0.0))


def _scale(size: int, out: int, scale: float | None, align_corners: bool) -> float:
    """PyTorch's ``area_pixel_compute_scale``: source entries per output entry."""
    if align_corners:
        return (size - 1) / (out - 1) if out > 1 else 0.0
    return 1.0 / scale if scale else size / out


def antialias_weights(size: int, out: int, scale: float | None, mode: str,
                      align_corners: bool) -> np.ndarray:
    """The (out, size) matrix of an antialiased resize along one axis (module docstring);
    ``mode`` "bilinear" or "bicubic". An axis whose size does not change is copied (the
    identity), whatever the scale factor that kept it, as without antialiasing and as
    PyTorch."""
    if out == size:
        return np.eye(size)
    step = _scale(size, out, scale, align_corners)
    stretch = max(step, 1.0)
    half_width = (1.0 if mode == "bilinear" else 2.0) * stretch
    kernel = _triangle if mode == "bilinear" else _cubic
    weights = np.zeros((out, size))
    for i in range(out):
        centre = step * (i + 0.5)
        low = max(int(centre - half_width + 0.5), 0)  # int() truncates, as C's cast
        high = min(int(centre + half_width + 0.5), size)
        w = kernel((np.arange(low, high) - centre + 0.5) / stretch)
        total = w.sum()
        weights[i, low:high] = w / total if total != 0 else w
    return weights


def antialiased_resize(x: Tensor, sizes: tuple[int, int], scales: tuple, mode: str,
                       align_corners: bool) -> Tensor:
    """x (N, C, H, W) resized to ``sizes`` with the antialiasing filter of ``mode``:
    W_h x W_w^T for each image and channel."""
    (height, width), (scale_h, scale_w) = x.shape[2:], scales
    rows = antialias_weights(height, sizes[0], scale_h, mode, align_corners)
    cols = antialias_weights(width, sizes[1], scale_w, mode, align_corners)
    return Tensor(rows.astype(x.dtype)) @ (x @ Tensor(cols.T.astype(x.dtype)))
