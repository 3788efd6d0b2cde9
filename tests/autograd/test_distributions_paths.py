"""PyTorch's module paths of the distributions (``from torch.distributions.normal import
Normal``, older code's habit) work here too, naming the same classes as
``autograd.distributions``; each path exists in PyTorch under the same name."""

from __future__ import annotations

import importlib

import pytest

import autograd.distributions as D

PATHS = {"normal": "Normal", "uniform": "Uniform", "bernoulli": "Bernoulli",
         "categorical": "Categorical", "multivariate_normal": "MultivariateNormal",
         "independent": "Independent", "mixture_same_family": "MixtureSameFamily",
         "transformed_distribution": "TransformedDistribution", "log_normal": "LogNormal",
         "kl": "kl_divergence", "distribution": "Distribution", "transforms": "ExpTransform",
         "constraints": "real", "constraint_registry": "biject_to", "gumbel": "Gumbel",
         "half_normal": "HalfNormal", "geometric": "Geometric", "binomial": "Binomial",
         "multinomial": "Multinomial", "gamma": "Gamma", "beta": "Beta",
         "dirichlet": "Dirichlet", "exponential": "Exponential", "laplace": "Laplace",
         "poisson": "Poisson", "negative_binomial": "NegativeBinomial", "studentT": "StudentT",
         "one_hot_categorical": "OneHotCategoricalStraightThrough",
         "relaxed_categorical": "RelaxedOneHotCategorical",
         "relaxed_bernoulli": "RelaxedBernoulli", "cauchy": "Cauchy",
         "half_cauchy": "HalfCauchy", "pareto": "Pareto", "weibull": "Weibull", "chi2": "Chi2",
         "von_mises": "VonMises",
         "kumaraswamy": "Kumaraswamy", "fishersnedecor": "FisherSnedecor",
         "logistic_normal": "LogisticNormal",
         "lowrank_multivariate_normal": "LowRankMultivariateNormal",
         "continuous_bernoulli": "ContinuousBernoulli", "lkj_cholesky": "LKJCholesky",
         "wishart": "Wishart", "inverse_gamma": "InverseGamma",
         "generalized_pareto": "GeneralizedPareto", "exp_family": "ExponentialFamily"}


def test_every_implemented_class_has_its_pytorch_path(torch) -> None:
    """A class we implement is reachable at PyTorch's path (DreamerV2 ports write
    ``td.one_hot_categorical.OneHotCategoricalStraightThrough``): PyTorch's submodules
    whose public classes we all have are in PATHS."""
    import pkgutil
    for info in pkgutil.iter_modules(torch.distributions.__path__):
        theirs = importlib.import_module(f"torch.distributions.{info.name}")
        names = [n for n in getattr(theirs, "__all__", []) if isinstance(getattr(theirs, n), type)]
        if names and all(hasattr(D, n) for n in names):
            assert info.name in PATHS, info.name


@pytest.mark.parametrize("module", PATHS)
def test_path_as_pytorch(torch, module: str) -> None:
    name = PATHS[module]
    ours = importlib.import_module(f"autograd.distributions.{module}")
    theirs = importlib.import_module(f"torch.distributions.{module}")
    assert hasattr(theirs, name)
    expected = getattr(D, name, None) or getattr(D.constraints, name)
    assert getattr(ours, name) is expected


def test_paths_are_attributes_of_the_package(torch) -> None:
    """``import torch.distributions as pyd; pyd.transformed_distribution.TransformedDistribution``
    (a SAC's ``SquashedNormal`` subclasses it so) needs no import of the submodule: PyTorch's
    package imports them all. Checked in a fresh interpreter, where no test imported them."""
    import subprocess
    import sys
    code = ("import autograd.distributions as D, torch.distributions as T\n"
            f"paths = {sorted(PATHS)!r}\n"
            "print([p for p in paths if hasattr(T, p) and not hasattr(D, p)])")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found == "[]"
