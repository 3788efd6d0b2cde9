"""``autograd.profiler.record_function``: PyTorch's phase label (``torch.autograd.profiler``
and ``torch.profiler``), as StyleGAN2-ADA's ``loss.py`` wraps its phases in it; the code
inside runs unchanged, gradients included, as PyTorch's outside a profiler run."""

import numpy as np
import pytest

import autograd as ag


def r1_phase(torch, autograd, profiler, x):
    """StyleGAN2-ADA's Dreg phase, small: the R1 penalty under labels."""
    with profiler.record_function('Dreg_forward'):
        real_img_tmp = torch.tensor(x).detach().requires_grad_(True)
        real_logits = (real_img_tmp.tanh() * 2).sum([1, 2])
    with profiler.record_function('r1_grads'):
        r1_grads = autograd.grad(outputs=[real_logits.sum()], inputs=[real_img_tmp],
                                 create_graph=True, only_inputs=True)[0]
    return r1_grads.square().sum([1, 2]).mean()


def test_record_function_labels_and_runs_the_code_as_torch(torch):
    x = np.random.default_rng(0).standard_normal((3, 2, 2))
    want = r1_phase(torch, torch.autograd, torch.autograd.profiler, x).item()
    assert r1_phase(ag, ag, ag.profiler, x).item() == pytest.approx(want, rel=1e-12)
    assert r1_phase(torch, torch.autograd, torch.profiler, x).item() == want  # newer path

    @ag.profiler.record_function("step")
    def step(a, b=1):
        return a + b
    assert step(2, b=3) == 5 and step.__name__ == "step"
    with ag.profiler.record_function("data_fetch", args="x") as label:
        assert (label.name, label.args) == ("data_fetch", "x")


def test_profiler_refuses_what_it_does_not_have():
    with pytest.raises(ag.MissingNameError, match="perf_counter"):
        ag.profiler.profile
    with pytest.raises(ag.UsageError, match="must be a str"):
        ag.profiler.record_function(3)
