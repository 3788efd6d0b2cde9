"""N-BEATS as its authors wrote it in PyTorch (ServiceNow/N-BEATS' ``models/nbeats.py`` and
``common/torch/losses.py``): ``NBeatsBlock`` (a ReLU MLP, then ``basis_parameters``),
``GenericBasis`` (slices of theta), ``TrendBasis`` and ``SeasonalityBasis`` whose fixed
polynomial and Fourier templates are ``t.nn.Parameter(t.tensor(...), requires_grad=False)``
applied with ``t.einsum('bp,pt->bt', ...)``, ``NBeats`` reading the input backwards
(``x.flip(dims=(1,))``, residuals times the input mask, the forecast starting at the last
value), and the losses with ``divide_no_nan`` (``result[result != result] = .0`` and
``result[result == np.inf] = .0`` on a tensor in the graph): sMAPE (its denominators from
``forecast.data``), MAPE and MASE. The interpretable (trend + seasonality) and generic
models train step for step next to PyTorch from the same weights on generated positive
series (sines with trend and noise): losses, gradients and parameters agree to 1e-10
(float64).

Written differently: ``dtype=np.float32`` / ``t.float32`` are float64 (the comparison runs in
float64); ``t.abs(forecast.data)`` is unchanged (``.data`` is NumPy's array here, and
``abs`` takes it). Found and left alone: where ``divide_no_nan`` meets 0 / 0, PyTorch's
gradient is NaN and ours 0; the data here keep the denominators positive.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import assert_records


def nbeats_program(t):
    tnn = nn if t is ag else t.nn

    class NBeatsBlock(tnn.Module):
        def __init__(self, input_size, theta_size, basis_function, layers, layer_size):
            super().__init__()
            self.layers = tnn.ModuleList(
                [tnn.Linear(in_features=input_size, out_features=layer_size)]
                + [
                    tnn.Linear(in_features=layer_size, out_features=layer_size)
                    for _ in range(layers - 1)
                ]
            )
            self.basis_parameters = tnn.Linear(in_features=layer_size, out_features=theta_size)
            self.basis_function = basis_function

        def forward(self, x):
            block_input = x
            for layer in self.layers:
                block_input = t.relu(layer(block_input))
            basis_parameters = self.basis_parameters(block_input)
            return self.basis_function(basis_parameters)

    class NBeats(tnn.Module):
        def __init__(self, blocks):
            super().__init__()
            self.blocks = blocks

        def forward(self, x, input_mask):
            residuals = x.flip(dims=(1,))
            input_mask = input_mask.flip(dims=(1,))
            forecast = x[:, -1:]
            for i, block in enumerate(self.blocks):
                backcast, block_forecast = block(residuals)
                residuals = (residuals - backcast) * input_mask
                forecast = forecast + block_forecast
            return forecast

    class GenericBasis(tnn.Module):
        def __init__(self, backcast_size, forecast_size):
            super().__init__()
            self.backcast_size = backcast_size
            self.forecast_size = forecast_size

        def forward(self, theta):
            return theta[:, : self.backcast_size], theta[:, -self.forecast_size :]

    class TrendBasis(tnn.Module):
        def __init__(self, degree_of_polynomial, backcast_size, forecast_size):
            super().__init__()
            self.polynomial_size = (
                degree_of_polynomial + 1
            )  # degree of polynomial with constant term
            self.backcast_time = tnn.Parameter(
                t.tensor(
                    np.concatenate(
                        [
                            np.power(np.arange(backcast_size, dtype=np.float64) / backcast_size, i)[
                                None, :
                            ]
                            for i in range(self.polynomial_size)
                        ]
                    ),
                    dtype=t.float64,
                ),
                requires_grad=False,
            )
            self.forecast_time = tnn.Parameter(
                t.tensor(
                    np.concatenate(
                        [
                            np.power(np.arange(forecast_size, dtype=np.float64) / forecast_size, i)[
                                None, :
                            ]
                            for i in range(self.polynomial_size)
                        ]
                    ),
                    dtype=t.float64,
                ),
                requires_grad=False,
            )

        def forward(self, theta):
            backcast = t.einsum("bp,pt->bt", theta[:, self.polynomial_size :], self.backcast_time)
            forecast = t.einsum("bp,pt->bt", theta[:, : self.polynomial_size], self.forecast_time)
            return backcast, forecast

    class SeasonalityBasis(tnn.Module):
        def __init__(self, harmonics, backcast_size, forecast_size):
            super().__init__()
            self.frequency = np.append(
                np.zeros(1, dtype=np.float64),
                np.arange(harmonics, harmonics / 2 * forecast_size, dtype=np.float64) / harmonics,
            )[None, :]
            backcast_grid = (
                -2
                * np.pi
                * (np.arange(backcast_size, dtype=np.float64)[:, None] / forecast_size)
                * self.frequency
            )
            forecast_grid = (
                2
                * np.pi
                * (np.arange(forecast_size, dtype=np.float64)[:, None] / forecast_size)
                * self.frequency
            )
            self.backcast_cos_template = tnn.Parameter(
                t.tensor(np.transpose(np.cos(backcast_grid)), dtype=t.float64), requires_grad=False
            )
            self.backcast_sin_template = tnn.Parameter(
                t.tensor(np.transpose(np.sin(backcast_grid)), dtype=t.float64), requires_grad=False
            )
            self.forecast_cos_template = tnn.Parameter(
                t.tensor(np.transpose(np.cos(forecast_grid)), dtype=t.float64), requires_grad=False
            )
            self.forecast_sin_template = tnn.Parameter(
                t.tensor(np.transpose(np.sin(forecast_grid)), dtype=t.float64), requires_grad=False
            )

        def forward(self, theta):
            params_per_harmonic = theta.shape[1] // 4
            backcast_harmonics_cos = t.einsum(
                "bp,pt->bt",
                theta[:, 2 * params_per_harmonic : 3 * params_per_harmonic],
                self.backcast_cos_template,
            )
            backcast_harmonics_sin = t.einsum(
                "bp,pt->bt", theta[:, 3 * params_per_harmonic :], self.backcast_sin_template
            )
            backcast = backcast_harmonics_sin + backcast_harmonics_cos
            forecast_harmonics_cos = t.einsum(
                "bp,pt->bt", theta[:, :params_per_harmonic], self.forecast_cos_template
            )
            forecast_harmonics_sin = t.einsum(
                "bp,pt->bt",
                theta[:, params_per_harmonic : 2 * params_per_harmonic],
                self.forecast_sin_template,
            )
            forecast = forecast_harmonics_sin + forecast_harmonics_cos
            return backcast, forecast

    def divide_no_nan(a, b):
        result = a / b
        result[result != result] = 0.0
        result[result == np.inf] = 0.0
        return result

    def mape_loss(forecast, target, mask):
        weights = divide_no_nan(mask, target)
        return t.mean(t.abs((forecast - target) * weights))

    def smape_2_loss(forecast, target, mask):
        return 200 * t.mean(
            divide_no_nan(t.abs(forecast - target), t.abs(forecast.data) + t.abs(target.data))
            * mask
        )

    def mase_loss(insample, freq, forecast, target, mask):
        masep = t.mean(t.abs(insample[:, freq:] - insample[:, :-freq]), dim=1)
        masked_masep_inv = divide_no_nan(mask, masep[:, None])
        return t.mean(t.abs(target - forecast) * masked_masep_inv)

    def interpretable(
        input_size,
        output_size,
        trend_blocks,
        trend_layers,
        trend_layer_size,
        degree_of_polynomial,
        seasonality_blocks,
        seasonality_layers,
        seasonality_layer_size,
        num_of_harmonics,
    ):
        trend_block = NBeatsBlock(
            input_size=input_size,
            theta_size=2 * (degree_of_polynomial + 1),
            basis_function=TrendBasis(
                degree_of_polynomial=degree_of_polynomial,
                backcast_size=input_size,
                forecast_size=output_size,
            ),
            layers=trend_layers,
            layer_size=trend_layer_size,
        )
        seasonality_block = NBeatsBlock(
            input_size=input_size,
            theta_size=4
            * int(np.ceil(num_of_harmonics / 2 * output_size) - (num_of_harmonics - 1)),
            basis_function=SeasonalityBasis(
                harmonics=num_of_harmonics, backcast_size=input_size, forecast_size=output_size
            ),
            layers=seasonality_layers,
            layer_size=seasonality_layer_size,
        )
        return NBeats(
            tnn.ModuleList(
                [trend_block for _ in range(trend_blocks)]
                + [seasonality_block for _ in range(seasonality_blocks)]
            )
        )

    def generic(input_size, output_size, stacks, layers, layer_size):
        return NBeats(
            tnn.ModuleList(
                [
                    NBeatsBlock(
                        input_size=input_size,
                        theta_size=input_size + output_size,
                        basis_function=GenericBasis(
                            backcast_size=input_size, forecast_size=output_size
                        ),
                        layers=layers,
                        layer_size=layer_size,
                    )
                    for _ in range(stacks)
                ]
            )
        )

    return dict(
        interpretable=interpretable,
        generic=generic,
        smape_2_loss=smape_2_loss,
        mape_loss=mape_loss,
        mase_loss=mase_loss,
    )


def windows() -> tuple:
    rng = np.random.default_rng(19)
    t = np.arange(40)
    series = 5 + np.sin(2 * np.pi * t / 6) + 0.05 * t + 0.1 * rng.standard_normal((6, 40))
    return series[:, 20:32], series[:, 32:38]


def train(t, kind, loss_name, start=None) -> tuple:
    program = nbeats_program(t)
    t.manual_seed(0)
    if kind == "interpretable":
        model = program["interpretable"](12, 6, 2, 2, 16, 2, 2, 2, 16, 1)
    else:
        model = program["generic"](12, 6, 3, 2, 16)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    optim = (nn.optim if t is ag else t.optim).Adam(model.parameters(), lr=1e-3)
    x, y = windows()
    x, y = t.tensor(x), t.tensor(y)
    x_mask, y_mask = t.ones_like(x), t.ones_like(y)
    records = []
    for step in range(5):
        optim.zero_grad()
        forecast = model(x, x_mask)
        if loss_name == "MASE":
            loss = program["mase_loss"](x, 2, forecast, y, y_mask)
        else:
            loss = program[loss_name](forecast, y, y_mask)
        loss.backward()
        optim.step()
        records += [loss.item()] + [
            p.grad.numpy().copy() for p in model.parameters() if p.requires_grad
        ]
    return records + [p.detach().numpy().copy() for p in model.parameters()], state


@pytest.mark.parametrize(
    "kind, loss_name",
    [("interpretable", "smape_2_loss"), ("generic", "mape_loss"), ("generic", "MASE")],
)
def test_servicenow_nbeats_trains_like_pytorch(torch, kind, loss_name) -> None:
    want, start = train(torch, kind, loss_name)
    got, _ = train(ag, kind, loss_name, start=start)
    assert_records(got, want)
