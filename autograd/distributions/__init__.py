"""Probability distributions with PyTorch's ``torch.distributions`` API, on the engine's
differentiable ops: ``Normal``, ``Uniform``, ``MultivariateNormal``,
``LowRankMultivariateNormal`` (covariance W W^T + diag D), ``Exponential``,
``Laplace``, ``Gamma``, ``Beta``, ``Dirichlet`` (reparameterised ``rsample``, the last three
implicitly), ``Bernoulli``, ``ContinuousBernoulli`` (its density on [0, 1]),
``Categorical`` (``probs`` or ``logits``), ``Poisson``,
``NegativeBinomial`` (``total_count`` with ``probs`` or ``logits``), ``StudentT``,
``Gumbel``, ``HalfNormal``, ``Cauchy``, ``HalfCauchy``, ``Pareto``, ``Weibull``
(reparameterised), ``Chi2``, ``VonMises``, ``FisherSnedecor``, ``LogisticNormal`` (the
stick-breaking image of a Normal), ``LKJCholesky`` (correlation matrices' Cholesky
factors), ``Wishart`` (positive definite matrices), ``InverseGamma``,
``GeneralizedPareto``, ``Geometric``, ``Binomial``, ``Multinomial``,
``OneHotCategorical`` (and ``...StraightThrough``), ``RelaxedOneHotCategorical`` and
``RelaxedBernoulli`` (the Gumbel-softmax relaxations; ``ExpRelaxedCategorical`` and
``LogitRelaxedBernoulli`` their logs), ``ExponentialFamily`` (a base for a user's family),
each with ``sample``,
``log_prob``, ``entropy``, ``mean``/``variance``/``stddev``, ``batch_shape``/``event_shape`` and
``validate_args``; ``Independent(base, n)`` (batch axes read as event axes) and
``MixtureSameFamily(Categorical, components)``; ``TransformedDistribution(base,
transforms)`` with the invertible maps of ``transforms`` (and ``LogNormal``);
``biject_to``/``transform_to`` (a constraint's map from the reals);
``kl_divergence(p, q)`` and ``register_kl``.

PyTorch's module paths work too: ``from autograd.distributions.normal import Normal``
(``normal``, ``uniform``, ``bernoulli``, ``categorical``, ``multivariate_normal``,
``independent``, ``mixture_same_family``, ``transformed_distribution``, ``log_normal``,
``gumbel``, ``half_normal``, ``geometric``, ``binomial``, ``multinomial``, ``beta``,
``dirichlet``, ``exponential``, ``laplace``, ``poisson``, ``negative_binomial``, ``studentT``,
``one_hot_categorical``, ``relaxed_categorical``, ``relaxed_bernoulli``, ``cauchy``,
``half_cauchy``, ``pareto``, ``weibull``, ``chi2``, ``von_mises``, ``fishersnedecor``,
``logistic_normal``, ``lowrank_multivariate_normal``, ``continuous_bernoulli``,
``lkj_cholesky``, ``wishart``, ``inverse_gamma``, ``generalized_pareto``),
and as attributes of the package without importing them, as PyTorch's package imports
them all (``pyd.transformed_distribution.TransformedDistribution``), and ``utils``
(``logits_to_probs``, ``probs_to_logits``, ``clamp_probs``...) as PyTorch's.

Draws come from ``generator=`` (``autograd.default_generator`` if None, as
``autograd.randn``), so ``autograd.manual_seed(0)`` repeats them.
"""

from ..errors import MissingNameError, module_attribute_error
from . import constraints, transforms
from .composite import Independent, MixtureSameFamily
from .constraint_registry import biject_to, transform_to
from .continuous import Normal, Uniform
from .counts import NegativeBinomial, Poisson
from .student_t import StudentT
from .discrete import Bernoulli, Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Beta, Dirichlet, Gamma
from .geometric_binomial import Binomial, Geometric
from .gumbel_half_normal import Gumbel, HalfNormal
from .heavy_tailed import Cauchy, Chi2, HalfCauchy, Pareto
from .von_mises import VonMises
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .continuous_bernoulli import ContinuousBernoulli
from .fishersnedecor import FisherSnedecor
from .generalized_pareto import GeneralizedPareto
from .inverse_gamma import InverseGamma
from .lkj_cholesky import LKJCholesky
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .laplace_exponential import Exponential, Laplace
from .multinomial import Multinomial
from .multivariate import MultivariateNormal
from .relaxed import (OneHotCategorical, OneHotCategoricalStraightThrough, RelaxedBernoulli,
                      RelaxedOneHotCategorical)
from .relaxed_logit import ExpRelaxedCategorical, LogitRelaxedBernoulli
from .transformed import LogNormal, TransformedDistribution
from .weibull import Weibull
from .wishart import Wishart
# PyTorch's module paths, as attributes (``D.normal.Normal``); names of modules, not in __all__
from . import (bernoulli, beta, binomial, categorical, dirichlet,  # noqa: F401
               exponential, geometric, gumbel, half_normal, independent, laplace,
               log_normal, mixture_same_family, multinomial, multivariate_normal,
               negative_binomial, normal, one_hot_categorical, poisson, relaxed_bernoulli,
               relaxed_categorical, studentT, transformed_distribution, uniform, utils)
from . import cauchy, chi2, half_cauchy, pareto, von_mises, weibull  # noqa: F401
from . import (continuous_bernoulli, exp_family, fishersnedecor,  # noqa: F401
               generalized_pareto, inverse_gamma, lkj_cholesky, logistic_normal,
               lowrank_multivariate_normal, wishart)
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform,
                         CorrCholeskyTransform, CumulativeDistributionTransform, ExpTransform,
                         IndependentTransform, LowerCholeskyTransform,
                         PositiveDefiniteTransform, PowerTransform, ReshapeTransform,
                         SigmoidTransform, SoftmaxTransform, SoftplusTransform,
                         StackTransform, StickBreakingTransform, TanhTransform, Transform)

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical", "Gamma", "Beta",
           "Dirichlet", "Exponential", "Laplace", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "RelaxedOneHotCategorical", "RelaxedBernoulli",
           "MultivariateNormal", "Independent", "MixtureSameFamily", "LogNormal",
           "TransformedDistribution", "kl_divergence", "register_kl", "constraints",
           "transforms", "Transform", "ComposeTransform", "ExpTransform", "AffineTransform",
           "SigmoidTransform", "TanhTransform", "SoftplusTransform", "IndependentTransform",
           "PowerTransform", "StickBreakingTransform", "SoftmaxTransform",
           "LowerCholeskyTransform", "CorrCholeskyTransform", "AbsTransform", "CatTransform",
           "StackTransform", "ReshapeTransform", "CumulativeDistributionTransform",
           "PositiveDefiniteTransform", "biject_to", "transform_to",
           "Poisson", "NegativeBinomial",
           "StudentT", "Gumbel", "HalfNormal", "Geometric", "Binomial", "Multinomial",
           "Cauchy", "HalfCauchy", "Pareto", "Weibull", "Chi2", "Kumaraswamy", "VonMises",
           "FisherSnedecor", "LogisticNormal", "LowRankMultivariateNormal", "ContinuousBernoulli",
           "LKJCholesky", "Wishart", "InverseGamma", "GeneralizedPareto",
           "LogitRelaxedBernoulli", "ExpRelaxedCategorical", "ExponentialFamily"]

# torch.distributions' classes that are not here (none now; a newer PyTorch's go here): a
# named error says what to write instead
_NOT_HERE: frozenset[str] = frozenset()


_HERE = [n for n in __all__ if n[0].isupper() and not n.endswith("Transform")
         and n != "Distribution"]


def __getattr__(name: str) -> object:
    """A PyTorch distribution that is not here raises ``MissingNameError`` (an
    AttributeError) saying how to write it; any other missing name too, naming what is
    here (a private or dunder name: Python's own AttributeError)."""
    if name in _NOT_HERE:
        raise MissingNameError(
            f"torch.distributions.{name} is not in autograd.distributions. Write it as a "
            f"Distribution subclass (its log_prob from autograd's ops: lgamma, digamma, "
            f"log1p, softplus... are differentiable), or as a TransformedDistribution of one "
            f"that is here: {', '.join(_HERE)}")
    raise module_attribute_error(__name__, name, f"the names here: {', '.join(__all__)}")
