"""torchaudio's ``models.Conformer`` (the plain-attention Conformer most readers import),
ported as its readers write it: ``_lengths_to_padding_mask`` (``torch.arange(...).expand``
against ``lengths.unsqueeze(1)``), ``_ConvolutionModule`` (pointwise ``Conv1d``,
``torch.nn.GLU(dim=1)``, depthwise ``Conv1d(groups=num_channels)``, ``BatchNorm1d`` or
``GroupNorm(num_groups=1)``, ``SiLU``), ``_FeedForwardModule``, ``ConformerLayer``
(half-step feed-forwards, ``torch.nn.MultiheadAttention`` on time-first inputs with
``key_padding_mask`` and ``need_weights=False``, convolution first or after) and
``Conformer``; trained with a masked MSE on generated features. Written once for a
library ``torch`` and run step for step next to PyTorch's from the same weights
(float64): outputs, losses, gradients and parameters agree to 1e-10, for both norms and
both orders; a padded frame changes only its own example with ``GroupNorm``.

Line written differently: ``torch.nn.X`` is ``nn.X`` (``nn`` is a package of its own
here); the dropouts are 0 (random masks cannot agree between libraries).
"""

import numpy as np
import pytest

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)


def torchaudio_conformer(library):
    """``torchaudio/models/conformer.py``."""
    torch, nn, F, _ = libraries(library)

    def _lengths_to_padding_mask(lengths):
        batch_size = lengths.shape[0]
        max_length = int(torch.max(lengths).item())
        padding_mask = torch.arange(max_length, device=lengths.device,
                                    dtype=lengths.dtype).expand(
            batch_size, max_length) >= lengths.unsqueeze(1)
        return padding_mask

    class _ConvolutionModule(nn.Module):
        def __init__(self, input_dim, num_channels, depthwise_kernel_size, dropout=0.0,
                     bias=False, use_group_norm=False):
            super().__init__()
            if (depthwise_kernel_size - 1) % 2 != 0:
                raise ValueError("depthwise_kernel_size must be odd to achieve 'SAME' padding.")
            self.layer_norm = nn.LayerNorm(input_dim)
            self.sequential = nn.Sequential(
                nn.Conv1d(input_dim, 2 * num_channels, 1, stride=1, padding=0, bias=bias),
                nn.GLU(dim=1),
                nn.Conv1d(num_channels, num_channels, depthwise_kernel_size, stride=1,
                          padding=(depthwise_kernel_size - 1) // 2, groups=num_channels,
                          bias=bias),
                nn.GroupNorm(num_groups=1, num_channels=num_channels)
                if use_group_norm else nn.BatchNorm1d(num_channels),
                nn.SiLU(),
                nn.Conv1d(num_channels, input_dim, kernel_size=1, stride=1, padding=0,
                          bias=bias),
                nn.Dropout(dropout),
            )

        def forward(self, input):
            x = self.layer_norm(input)
            x = x.transpose(1, 2)
            x = self.sequential(x)
            return x.transpose(1, 2)

    class _FeedForwardModule(nn.Module):
        def __init__(self, input_dim, hidden_dim, dropout=0.0):
            super().__init__()
            self.sequential = nn.Sequential(
                nn.LayerNorm(input_dim),
                nn.Linear(input_dim, hidden_dim, bias=True),
                nn.SiLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden_dim, input_dim, bias=True),
                nn.Dropout(dropout),
            )

        def forward(self, input):
            return self.sequential(input)

    class ConformerLayer(nn.Module):
        def __init__(self, input_dim, ffn_dim, num_attention_heads,
                     depthwise_conv_kernel_size, dropout=0.0, use_group_norm=False,
                     convolution_first=False):
            super().__init__()
            self.ffn1 = _FeedForwardModule(input_dim, ffn_dim, dropout=dropout)
            self.self_attn_layer_norm = nn.LayerNorm(input_dim)
            self.self_attn = nn.MultiheadAttention(input_dim, num_attention_heads,
                                                   dropout=dropout)
            self.self_attn_dropout = nn.Dropout(dropout)
            self.conv_module = _ConvolutionModule(
                input_dim=input_dim, num_channels=input_dim,
                depthwise_kernel_size=depthwise_conv_kernel_size, dropout=dropout,
                bias=True, use_group_norm=use_group_norm)
            self.ffn2 = _FeedForwardModule(input_dim, ffn_dim, dropout=dropout)
            self.final_layer_norm = nn.LayerNorm(input_dim)
            self.convolution_first = convolution_first

        def _apply_convolution(self, input):
            residual = input
            input = input.transpose(0, 1)
            input = self.conv_module(input)
            input = input.transpose(0, 1)
            input = residual + input
            return input

        def forward(self, input, key_padding_mask):
            residual = input
            x = self.ffn1(input)
            x = x * 0.5 + residual
            if self.convolution_first:
                x = self._apply_convolution(x)
            residual = x
            x = self.self_attn_layer_norm(x)
            x, _ = self.self_attn(query=x, key=x, value=x, key_padding_mask=key_padding_mask,
                                  need_weights=False)
            x = self.self_attn_dropout(x)
            x = x + residual
            if not self.convolution_first:
                x = self._apply_convolution(x)
            residual = x
            x = self.ffn2(x)
            x = x * 0.5 + residual
            x = self.final_layer_norm(x)
            return x

    class Conformer(nn.Module):
        def __init__(self, input_dim, num_heads, ffn_dim, num_layers,
                     depthwise_conv_kernel_size, dropout=0.0, use_group_norm=False,
                     convolution_first=False):
            super().__init__()
            self.conformer_layers = nn.ModuleList([
                ConformerLayer(input_dim, ffn_dim, num_heads, depthwise_conv_kernel_size,
                               dropout=dropout, use_group_norm=use_group_norm,
                               convolution_first=convolution_first)
                for _ in range(num_layers)])

        def forward(self, input, lengths):
            encoder_padding_mask = _lengths_to_padding_mask(lengths)
            x = input.transpose(0, 1)
            for layer in self.conformer_layers:
                x = layer(x, encoder_padding_mask)
            return x.transpose(0, 1), lengths

    return Conformer


def features(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3, 10, 8)), np.array([10, 7, 4]), rng.normal(size=(3, 10, 8))


def train_steps(library, model, steps=3):
    """A masked MSE towards generated targets, Adam."""
    torch, nn, F, optim = libraries(library)
    x, lengths, target = (torch.tensor(a) for a in features())
    valid = (torch.arange(10)[None, :] < lengths[:, None]).unsqueeze(-1)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        output, output_lengths = model(x, lengths)
        loss = (((output - target) ** 2) * valid).sum() / valid.sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, to_numpy(output)


@pytest.mark.parametrize("use_group_norm, convolution_first", [(False, False), (True, True)])
def test_torchaudio_conformer_trains_step_for_step_as_pytorch(torch, use_group_norm,
                                                              convolution_first):
    models = []
    for library in (torch, None):
        libraries(library)[0].manual_seed(0)
        models.append(torchaudio_conformer(library)(
            input_dim=8, num_heads=2, ffn_dim=16, num_layers=2,
            depthwise_conv_kernel_size=3, use_group_norm=use_group_norm,
            convolution_first=convolution_first))
    theirs, ours = models
    copy_weights(ours, theirs)
    (got, got_out), (want, want_out) = train_steps(None, ours), train_steps(torch, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(got_out, want_out, atol=1e-10)
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)


def test_a_padded_frame_stays_in_its_own_example_with_group_norm(torch):
    """Changing a padded frame: the attention masks it out, but the depthwise convolution
    and GroupNorm's statistics over time carry it into its own example's valid frames
    (torchaudio masks no padding there); the other examples stay as they were (with
    BatchNorm they would not). The same changes in both libraries."""
    x, lengths, _ = features()
    changed = x.copy()
    changed[2, 9] += np.random.default_rng(3).normal(size=8)  # example 2: 4 valid frames
    differences, models = [], []
    for library in (torch, None):
        T = libraries(library)[0]
        models.append(torchaudio_conformer(library)(8, 2, 16, 1, 3, use_group_norm=True))
        model = models[-1]
        if library is None:
            copy_weights(model, models[0])
        a = to_numpy(model(T.tensor(x), T.tensor(lengths))[0])
        b = to_numpy(model(T.tensor(changed), T.tensor(lengths))[0])
        np.testing.assert_array_equal(a[:2], b[:2])
        assert np.abs(a[2, :4] - b[2, :4]).max() > 1e-6
        differences.append(b - a)
    np.testing.assert_allclose(differences[0], differences[1], atol=1e-10)
