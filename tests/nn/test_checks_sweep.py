"""Every public constructor and function of nn that takes a number follows nn._checks'
rule: a value of the wrong type is an ArgumentTypeError (TypeError), a number out of
range a ConfigError (ValueError), and either message names the argument."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn import init, optim
from nn.errors import ArgumentTypeError, ConfigError
from nn.models import MLP, VAE, Autoencoder
from nn.train import EarlyStopping, GradientClipping, KLAnnealing, ModelCheckpoint, fit

X = np.ones((4, 3))


def params() -> list[Tensor]:
    return [Tensor(np.ones(2), requires_grad=True)]


def sgd() -> optim.SGD:
    return optim.SGD(params(), lr=0.1, momentum=0.9)


def step_lr() -> optim.StepLR:
    """A StepLR whose optimizer has stepped (so step() does not warn)."""
    optimizer = sgd()
    scheduler = optim.StepLR(optimizer, 2)
    optimizer.step()
    return scheduler


def grads() -> list[Tensor]:
    p = params()
    p[0].grad = np.ones(2)
    return p


def weight() -> np.ndarray:
    return np.zeros((3, 2))


# (what is called, the argument's name in the message, a value out of range or None)
CASES: list[tuple[str, Callable[[Any], Any], str, Any]] = [
    # optimizers
    ("SGD.lr", lambda v: optim.SGD(params(), lr=v), "lr", -0.1),
    ("SGD.momentum", lambda v: optim.SGD(params(), momentum=v), "momentum", -0.5),
    ("SGD.dampening", lambda v: optim.SGD(params(), dampening=v), "dampening", math.nan),
    ("SGD.weight_decay", lambda v: optim.SGD(params(), weight_decay=v), "weight_decay", -1),
    ("SGD.nesterov", lambda v: optim.SGD(params(), momentum=0.9, nesterov=v), "nesterov", None),
    ("SGD.maximize", lambda v: optim.SGD(params(), maximize=v), "maximize", None),
    ("Adam.lr", lambda v: optim.Adam(params(), lr=v), "lr", math.inf),
    ("Adam.betas", lambda v: optim.Adam(params(), betas=(0.9, v)), "betas[1]", 1.0),
    ("Adam.eps", lambda v: optim.Adam(params(), eps=v), "eps", -1e-8),
    ("Adam.amsgrad", lambda v: optim.Adam(params(), amsgrad=v), "amsgrad", None),
    ("AdamW.weight_decay", lambda v: optim.AdamW(params(), weight_decay=v), "weight_decay",
     -0.01),
    ("Adagrad.lr_decay", lambda v: optim.Adagrad(params(), lr_decay=v), "lr_decay", -1),
    ("Adagrad.initial_accumulator_value",
     lambda v: optim.Adagrad(params(), initial_accumulator_value=v),
     "initial_accumulator_value", -1),
    ("RMSprop.alpha", lambda v: optim.RMSprop(params(), alpha=v), "alpha", 1.5),
    ("RMSprop.momentum", lambda v: optim.RMSprop(params(), momentum=v), "momentum", -0.1),
    ("RMSprop.centered", lambda v: optim.RMSprop(params(), centered=v), "centered", None),
    # schedulers
    ("StepLR.step_size", lambda v: optim.StepLR(sgd(), step_size=v), "step_size", 0),
    ("StepLR.gamma", lambda v: optim.StepLR(sgd(), 2, gamma=v), "gamma", -0.1),
    ("StepLR.last_epoch", lambda v: optim.StepLR(sgd(), 2, last_epoch=v), "last_epoch", -2),
    ("StepLR.step", lambda v: step_lr().step(v), "epoch", -1),
    ("MultiStepLR.milestones", lambda v: optim.MultiStepLR(sgd(), [2, v]), "milestone", -1),
    ("ExponentialLR.gamma", lambda v: optim.ExponentialLR(sgd(), v), "gamma", -0.5),
    ("LinearLR.start_factor", lambda v: optim.LinearLR(sgd(), start_factor=v),
     "start_factor", 1.5),
    ("LinearLR.end_factor", lambda v: optim.LinearLR(sgd(), end_factor=v), "end_factor", -1),
    ("LinearLR.total_iters", lambda v: optim.LinearLR(sgd(), total_iters=v), "total_iters", 0),
    ("LinearWarmup.warmup_steps", lambda v: optim.LinearWarmup(sgd(), v), "warmup_steps", 0),
    ("CosineAnnealingLR.T_max", lambda v: optim.CosineAnnealingLR(sgd(), v), "T_max", 0),
    ("CosineAnnealingLR.eta_min", lambda v: optim.CosineAnnealingLR(sgd(), 5, eta_min=v),
     "eta_min", -1e-3),
    ("CosineAnnealingWarmRestarts.T_0", lambda v: optim.CosineAnnealingWarmRestarts(sgd(), v),
     "T_0", 0),
    ("CosineAnnealingWarmRestarts.T_mult",
     lambda v: optim.CosineAnnealingWarmRestarts(sgd(), 2, T_mult=v), "T_mult", 0),
    ("CyclicLR.base_lr", lambda v: optim.CyclicLR(sgd(), v, 1.0), "base_lr", -0.1),
    ("CyclicLR.max_lr", lambda v: optim.CyclicLR(sgd(), 0.1, [v]), "max_lr[0]", -1),
    ("CyclicLR.step_size_up", lambda v: optim.CyclicLR(sgd(), 0.1, 1.0, step_size_up=v),
     "step_size_up", 0),
    ("CyclicLR.step_size_down", lambda v: optim.CyclicLR(sgd(), 0.1, 1.0, step_size_down=v),
     "step_size_down", -2),
    ("CyclicLR.gamma", lambda v: optim.CyclicLR(sgd(), 0.1, 1.0, gamma=v), "gamma", -1),
    ("CyclicLR.base_momentum", lambda v: optim.CyclicLR(sgd(), 0.1, 1.0, base_momentum=v),
     "base_momentum", -0.8),
    ("CyclicLR.cycle_momentum", lambda v: optim.CyclicLR(sgd(), 0.1, 1.0, cycle_momentum=v),
     "cycle_momentum", None),
    ("ReduceLROnPlateau.factor", lambda v: optim.ReduceLROnPlateau(sgd(), factor=v), "factor",
     1.0),
    ("ReduceLROnPlateau.patience", lambda v: optim.ReduceLROnPlateau(sgd(), patience=v),
     "patience", -1),
    ("ReduceLROnPlateau.cooldown", lambda v: optim.ReduceLROnPlateau(sgd(), cooldown=v),
     "cooldown", -1),
    ("ReduceLROnPlateau.threshold", lambda v: optim.ReduceLROnPlateau(sgd(), threshold=v),
     "threshold", -1e-4),
    ("ReduceLROnPlateau.eps", lambda v: optim.ReduceLROnPlateau(sgd(), eps=v), "eps", -1),
    ("ReduceLROnPlateau.min_lr", lambda v: optim.ReduceLROnPlateau(sgd(), min_lr=v), "min_lr",
     -1),
    # losses and penalties
    ("huber_loss.delta", lambda v: F.huber_loss(X, X, delta=v), "delta", 0),
    ("smooth_l1_loss.beta", lambda v: F.smooth_l1_loss(X, X, beta=v), "beta", -1),
    ("cross_entropy.label_smoothing",
     lambda v: F.cross_entropy(X, [0, 1, 2, 0], label_smoothing=v), "label_smoothing", 1.5),
    ("cross_entropy.ignore_index", lambda v: F.cross_entropy(X, [0, 1, 2, 0], ignore_index=v),
     "ignore_index", None),
    ("nll_loss.ignore_index", lambda v: F.nll_loss(X, [0, 1, 2, 0], ignore_index=v),
     "ignore_index", None),
    ("HuberLoss.delta", lambda v: nn.HuberLoss(delta=v), "delta", -1),
    ("SmoothL1Loss.beta", lambda v: nn.SmoothL1Loss(beta=v), "beta", -0.5),
    ("CrossEntropyLoss.label_smoothing", lambda v: nn.CrossEntropyLoss(label_smoothing=v),
     "label_smoothing", -0.1),
    ("CrossEntropyLoss.ignore_index", lambda v: nn.CrossEntropyLoss(ignore_index=v),
     "ignore_index", None),
    ("NLLLoss.ignore_index", lambda v: nn.NLLLoss(ignore_index=v), "ignore_index", None),
    ("BernoulliKLLoss.rho", lambda v: nn.BernoulliKLLoss(rho=v), "rho", 1.5),
    ("l1_penalty.lam", lambda v: F.l1_penalty(params(), v), "lam", -1),
    ("l2_penalty.lam", lambda v: F.l2_penalty(params(), v), "lam", math.inf),
    ("elastic_net_penalty.l1", lambda v: F.elastic_net_penalty(params(), v, 0.1), "l1", -1),
    ("elastic_net_penalty.l2", lambda v: F.elastic_net_penalty(params(), 0.1, v), "l2", -1),
    # layers and their functions
    ("Linear.in_features", lambda v: nn.Linear(v, 2), "in_features", -1),
    ("Linear.out_features", lambda v: nn.Linear(2, v), "out_features", -3),
    ("Flatten.start_dim", lambda v: nn.Flatten(start_dim=v), "start_dim", None),
    ("Dropout.p", lambda v: nn.Dropout(v), "p", 1.5),
    ("Dropout.inplace", lambda v: nn.Dropout(0.5, inplace=v), "inplace", None),
    ("dropout.p", lambda v: F.dropout(X, v), "p", -0.1),
    ("BatchNorm1d.num_features", lambda v: nn.BatchNorm1d(v), "num_features", 0),
    ("BatchNorm1d.eps", lambda v: nn.BatchNorm1d(3, eps=v), "eps", -1e-5),
    ("BatchNorm1d.momentum", lambda v: nn.BatchNorm1d(3, momentum=v), "momentum", math.nan),
    ("LayerNorm.eps", lambda v: nn.LayerNorm(3, eps=v), "eps", -1e-5),
    ("LayerNorm.normalized_shape", lambda v: nn.LayerNorm((3, v)), "normalized_shape", -1),
    ("layer_norm.eps", lambda v: F.layer_norm(X, 3, eps=v), "eps", -1e-5),
    ("batch_norm.momentum", lambda v: F.batch_norm(X, None, None, training=True, momentum=v),
     "momentum", math.inf),
    ("Heaviside.value_at_zero", lambda v: nn.Heaviside(v), "value_at_zero", None),
    ("heaviside.value_at_zero", lambda v: F.heaviside(X, v), "value_at_zero", None),
    ("LeakyReLU.negative_slope", lambda v: nn.LeakyReLU(v), "negative_slope", math.nan),
    ("leaky_relu.negative_slope", lambda v: F.leaky_relu(X, negative_slope=v),
     "negative_slope", math.inf),
    ("leaky_relu.alpha", lambda v: F.leaky_relu(X, v), "alpha", math.nan),
    ("ELU.alpha", lambda v: nn.ELU(v), "alpha", math.inf),
    ("elu.alpha", lambda v: F.elu(X, v), "alpha", math.nan),
    ("PReLU.num_parameters", lambda v: nn.PReLU(v), "num_parameters", 0),
    ("PReLU.init", lambda v: nn.PReLU(init=v), "init", math.nan),
    ("Swish.beta", lambda v: nn.Swish(v), "beta", math.inf),
    ("swish.beta", lambda v: F.swish(X, v), "beta", math.nan),
    ("Softmax.temperature", lambda v: nn.Softmax(temperature=v), "temperature", 0),
    ("softmax.temperature", lambda v: F.softmax(X, temperature=v), "temperature", -1),
    ("log_softmax.temperature", lambda v: F.log_softmax(X, temperature=v), "temperature",
     math.inf),
    ("Softplus.beta", lambda v: nn.Softplus(beta=v), "beta", 0),
    ("Softplus.threshold", lambda v: nn.Softplus(threshold=v), "threshold", None),
    ("softplus.beta", lambda v: F.softplus(X, beta=v), "beta", 0),
    ("Hardtanh.min_val", lambda v: nn.Hardtanh(min_val=v), "min_val", None),
    ("hardtanh.max_val", lambda v: F.hardtanh(X, max_val=v), "max_val", None),
    ("ReLU.inplace", lambda v: nn.ReLU(v), "inplace", None),
    ("one_hot.num_classes", lambda v: F.one_hot(np.array([0, 1]), v), "num_classes", -2),
    ("normalize.eps", lambda v: F.normalize(X, eps=v), "eps", -1),
    ("cosine_similarity.eps", lambda v: F.cosine_similarity(X, X, eps=v), "eps", -1),
    # gradient clipping
    ("clip_grad_norm_.max_norm", lambda v: nn.clip_grad_norm_(grads(), v), "max_norm", -1),
    ("clip_grad_norm_.norm_type", lambda v: nn.clip_grad_norm_(grads(), 1.0, v), "norm_type",
     math.nan),
    ("clip_grad_value_.clip_value", lambda v: nn.clip_grad_value_(grads(), v), "clip_value",
     -0.5),
    # init
    ("uniform_.a", lambda v: init.uniform_(weight(), v, 1.0), "a", -math.inf),
    ("uniform_.b", lambda v: init.uniform_(weight(), 0.0, v), "b", math.nan),
    ("normal_.mean", lambda v: init.normal_(weight(), v), "mean", math.inf),
    ("normal_.std", lambda v: init.normal_(weight(), 0.0, v), "std", -1),
    ("constant_.value", lambda v: init.constant_(weight(), v), "value", None),
    ("xavier_uniform_.gain", lambda v: init.xavier_uniform_(weight(), v), "gain", math.nan),
    ("xavier_normal_.gain", lambda v: init.xavier_normal_(weight(), v), "gain", math.inf),
    ("kaiming_uniform_.a", lambda v: init.kaiming_uniform_(weight(), v), "a", math.nan),
    ("kaiming_normal_.a", lambda v: init.kaiming_normal_(weight(), v), "a", math.inf),
    ("calculate_gain.param", lambda v: init.calculate_gain("leaky_relu", v), "param",
     math.nan),
    # callbacks and fit
    ("EarlyStopping.patience", lambda v: EarlyStopping(patience=v), "patience", -1),
    ("EarlyStopping.min_delta", lambda v: EarlyStopping(min_delta=v), "min_delta", -0.1),
    ("ModelCheckpoint.min_delta", lambda v: ModelCheckpoint("c.npz", min_delta=v),
     "min_delta", -1),
    ("KLAnnealing.warmup", lambda v: KLAnnealing(v), "warmup", 0),
    ("KLAnnealing.max_beta", lambda v: KLAnnealing(3, max_beta=v), "max_beta", -1),
    ("GradientClipping.max_norm", lambda v: GradientClipping(max_norm=v), "max_norm", -1),
    ("GradientClipping.clip_value", lambda v: GradientClipping(clip_value=v), "clip_value",
     math.nan),
    ("GradientClipping.norm_type", lambda v: GradientClipping(max_norm=1.0, norm_type=v),
     "norm_type", math.nan),
    ("fit.epochs", lambda v: fit(nn.Linear(3, 1), F.mse_loss, sgd(), (X, np.ones((4, 1))),
                                 epochs=v, progress=False), "epochs", -1),
    # models
    ("MLP.dropout", lambda v: MLP([3, 4, 1], dropout=v), "dropout", 1.0),
    ("Autoencoder.rho", lambda v: Autoencoder(4, [3], 2, rho=v), "rho", -0.05),
    ("Autoencoder.noise_level", lambda v: Autoencoder(4, [3], 2, noise_level=v),
     "noise_level", -1),
    ("VAE.beta", lambda v: VAE(4, 3, 2, beta=v), "beta", -1),
    ("VAE.sample", lambda v: VAE(4, 3, 2, rng=0).sample(v), "n", -1),
]

WRONG_TYPES = {"str": "1", "bool": True, "array": np.array([1.0, 2.0])}
FLAGS = {"nesterov", "maximize", "amsgrad", "centered", "cycle_momentum", "inplace"}


@pytest.mark.parametrize("kind", WRONG_TYPES)
@pytest.mark.parametrize("call, name", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_type_is_an_argument_type_error_naming_the_argument(call, name, kind):
    value = 1 if kind == "bool" and name in FLAGS else WRONG_TYPES[kind]  # an int for a flag
    with pytest.raises(ArgumentTypeError) as info:
        call(value)
    assert isinstance(info.value, TypeError)
    assert name in str(info.value)


OUT_OF_RANGE = [c for c in CASES if c[3] is not None]


@pytest.mark.parametrize("call, name, value", [c[1:] for c in OUT_OF_RANGE],
                         ids=[c[0] for c in OUT_OF_RANGE])
def test_a_number_out_of_range_is_a_config_error_naming_the_argument(call, name, value):
    with pytest.raises(ConfigError) as info:
        call(value)
    assert isinstance(info.value, ValueError)
    assert name in str(info.value) and "must be" in str(info.value)


def test_numpy_scalars_are_numbers_everywhere():
    """np.float32 / np.int64 values are accepted where floats / ints are (a sample)."""
    optim.SGD(params(), lr=np.float32(0.1), momentum=np.float64(0.9))
    optim.StepLR(sgd(), step_size=np.int64(2), gamma=np.float32(0.5))
    nn.Linear(np.int64(3), np.int32(2))
    nn.Dropout(np.float32(0.25))
    F.huber_loss(X, X, delta=np.float32(0.5))
    EarlyStopping(patience=np.int64(2), min_delta=np.float32(0.01))
    init.normal_(weight(), np.float32(0), np.float16(1))
