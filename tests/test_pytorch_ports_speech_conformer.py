"""sooftware/conformer (Gulati et al., "Conformer: Convolution-augmented Transformer for
Speech Recognition"), ported as its readers write it (the blocks are in
``speech_conformer_modules.py``): the macaron feed-forward modules with half-step
residuals, ``Swish``, the convolution module (pointwise conv, ``GLU`` by ``chunk``,
depthwise ``Conv1d(groups=in_channels)``, ``BatchNorm1d``), relative-position multi-head
self-attention with Transformer-XL's ``u``/``v`` biases and its ``_relative_shift``
(``torch.cat`` of ``new_zeros``, ``view`` to the other shape, slice, ``view_as``),
``Conv2dSubampling`` (``input_lengths >> 2`` then ``-= 1``), and the ``Conformer``
model's ``log_softmax`` output trained with ``CTCLoss``. On generated log-spectrograms,
shrunk (dim 8, 2 heads, kernel 3, one block). Written once for a library ``torch`` and
run step for step next to PyTorch's from the same weights (float64): losses, gradients
and parameters (with BatchNorm's running statistics) agree to 1e-10.

Lines written differently here, and why:
- the dropouts are built with ``p=0.0`` (random masks cannot agree between libraries);
- ``torch.nn.init.xavier_uniform_`` is ``nn.init.xavier_uniform_`` (``nn`` is a package
  of its own here; ``autograd.nn`` raises ``MissingNameError`` saying so);
- ``nn.Parameter(torch.Tensor(num_heads, d_head))`` is ``torch.empty(...)``: ``Tensor``
  takes data here, and its error says so;
- the positional table is 64 rows long (the original's 10,000 rows only cost time).
"""

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)
from speech_conformer_modules import conformer_modules


def conformer_program(library):
    """``ConformerBlock``, ``ConformerEncoder`` and ``Conformer`` of ``conformer/``."""
    torch, nn, F, _ = libraries(library)
    (FeedForwardModule, MultiHeadedSelfAttentionModule, ConformerConvModule,
     ResidualConnectionModule, Conv2dSubampling, Linear, _) = conformer_modules(library)

    class ConformerBlock(nn.Module):
        def __init__(self, encoder_dim=512, num_attention_heads=8,
                     feed_forward_expansion_factor=4, conv_expansion_factor=2,
                     feed_forward_dropout_p=0.1, attention_dropout_p=0.1,
                     conv_dropout_p=0.1, conv_kernel_size=31, half_step_residual=True):
            super(ConformerBlock, self).__init__()
            if half_step_residual:
                self.feed_forward_residual_factor = 0.5
            else:
                self.feed_forward_residual_factor = 1

            self.sequential = nn.Sequential(
                ResidualConnectionModule(
                    module=FeedForwardModule(encoder_dim=encoder_dim,
                                             expansion_factor=feed_forward_expansion_factor,
                                             dropout_p=feed_forward_dropout_p),
                    module_factor=self.feed_forward_residual_factor,
                ),
                ResidualConnectionModule(
                    module=MultiHeadedSelfAttentionModule(d_model=encoder_dim,
                                                          num_heads=num_attention_heads,
                                                          dropout_p=attention_dropout_p),
                ),
                ResidualConnectionModule(
                    module=ConformerConvModule(in_channels=encoder_dim,
                                               kernel_size=conv_kernel_size,
                                               expansion_factor=conv_expansion_factor,
                                               dropout_p=conv_dropout_p),
                ),
                ResidualConnectionModule(
                    module=FeedForwardModule(encoder_dim=encoder_dim,
                                             expansion_factor=feed_forward_expansion_factor,
                                             dropout_p=feed_forward_dropout_p),
                    module_factor=self.feed_forward_residual_factor,
                ),
                nn.LayerNorm(encoder_dim),
            )

        def forward(self, inputs):
            return self.sequential(inputs)

    class ConformerEncoder(nn.Module):
        def __init__(self, input_dim=80, encoder_dim=512, num_layers=17,
                     num_attention_heads=8, feed_forward_expansion_factor=4,
                     conv_expansion_factor=2, input_dropout_p=0.1,
                     feed_forward_dropout_p=0.1, attention_dropout_p=0.1,
                     conv_dropout_p=0.1, conv_kernel_size=31, half_step_residual=True):
            super(ConformerEncoder, self).__init__()
            self.conv_subsample = Conv2dSubampling(in_channels=1, out_channels=encoder_dim)
            self.input_projection = nn.Sequential(
                Linear(encoder_dim * (((input_dim - 1) // 2 - 1) // 2), encoder_dim),
                nn.Dropout(p=input_dropout_p),
            )
            self.layers = nn.ModuleList([ConformerBlock(
                encoder_dim=encoder_dim,
                num_attention_heads=num_attention_heads,
                feed_forward_expansion_factor=feed_forward_expansion_factor,
                conv_expansion_factor=conv_expansion_factor,
                feed_forward_dropout_p=feed_forward_dropout_p,
                attention_dropout_p=attention_dropout_p,
                conv_dropout_p=conv_dropout_p,
                conv_kernel_size=conv_kernel_size,
                half_step_residual=half_step_residual,
            ) for _ in range(num_layers)])

        def count_parameters(self) -> int:
            return sum([p.numel() for p in self.parameters()])

        def update_dropout(self, dropout_p: float) -> None:
            for name, child in self.named_children():
                if isinstance(child, nn.Dropout):
                    child.p = dropout_p

        def forward(self, inputs, input_lengths):
            outputs, output_lengths = self.conv_subsample(inputs, input_lengths)
            outputs = self.input_projection(outputs)

            for layer in self.layers:
                outputs = layer(outputs)

            return outputs, output_lengths

    class Conformer(nn.Module):
        def __init__(self, num_classes, input_dim=80, encoder_dim=512, num_encoder_layers=17,
                     num_attention_heads=8, feed_forward_expansion_factor=4,
                     conv_expansion_factor=2, input_dropout_p=0.1,
                     feed_forward_dropout_p=0.1, attention_dropout_p=0.1,
                     conv_dropout_p=0.1, conv_kernel_size=31, half_step_residual=True):
            super(Conformer, self).__init__()
            self.encoder = ConformerEncoder(
                input_dim=input_dim, encoder_dim=encoder_dim, num_layers=num_encoder_layers,
                num_attention_heads=num_attention_heads,
                feed_forward_expansion_factor=feed_forward_expansion_factor,
                conv_expansion_factor=conv_expansion_factor, input_dropout_p=input_dropout_p,
                feed_forward_dropout_p=feed_forward_dropout_p,
                attention_dropout_p=attention_dropout_p, conv_dropout_p=conv_dropout_p,
                conv_kernel_size=conv_kernel_size, half_step_residual=half_step_residual,
            )
            self.fc = Linear(encoder_dim, num_classes, bias=False)

        def count_parameters(self) -> int:
            return self.encoder.count_parameters()

        def update_dropout(self, dropout_p) -> None:
            self.encoder.update_dropout(dropout_p)

        def forward(self, inputs, input_lengths):
            encoder_outputs, encoder_output_lengths = self.encoder(inputs, input_lengths)
            outputs = self.fc(encoder_outputs)
            outputs = nn.functional.log_softmax(outputs, dim=-1)
            return outputs, encoder_output_lengths

    return Conformer


def generated_batch(seed=0, batch_size=3, sequence_length=40, dim=12, num_classes=5):
    """Log-spectrogram-like inputs (B, T, D) with lengths, and CTC targets (1..C-1)."""
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(batch_size, sequence_length, dim))
    input_lengths = np.array([40, 36, 32])
    targets = rng.integers(1, num_classes, size=(batch_size, 4))
    target_lengths = np.array([4, 3, 2])
    return inputs, input_lengths, targets, target_lengths


def train_steps(torch, model, steps=3):
    """The README's usage (``criterion = nn.CTCLoss()``, ``outputs.transpose(0, 1)``),
    in a loop with Adam."""
    torch, nn, F, optim = libraries(torch)
    inputs, input_lengths, targets, target_lengths = (torch.tensor(a)
                                                      for a in generated_batch())
    criterion = nn.CTCLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        outputs, output_lengths = model(inputs, input_lengths)
        loss = criterion(outputs.transpose(0, 1), targets, output_lengths, target_lengths)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, to_numpy(output_lengths)


def build(library, torch):
    (torch if library is not None else libraries(None)[0]).manual_seed(0)
    return conformer_program(library)(
        num_classes=5, input_dim=12, encoder_dim=8, num_encoder_layers=1,
        num_attention_heads=2, input_dropout_p=0.0, feed_forward_dropout_p=0.0,
        attention_dropout_p=0.0, conv_dropout_p=0.0, conv_kernel_size=3)


def test_conformer_trains_with_ctc_step_for_step_as_pytorch(torch):
    theirs = build(torch, torch)
    ours = build(None, torch)
    assert ours.count_parameters() == theirs.count_parameters()
    copy_weights(ours, theirs)
    got_losses, got_lengths = train_steps(None, ours)
    want_losses, want_lengths = train_steps(torch, theirs)
    assert got_lengths.tolist() == want_lengths.tolist() == [9, 8, 7]
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10)
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)
