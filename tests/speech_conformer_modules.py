"""The building blocks of sooftware/conformer, written once for a library ``torch``
(``autograd`` here, PyTorch there); ``test_pytorch_ports_speech_conformer.py`` runs them."""

import math

from ctc_port_helpers import libraries


def conformer_modules(library):
    """The building blocks of ``conformer/modules.py``, ``convolution.py``,
    ``feed_forward.py``, ``embedding.py`` and ``attention.py``."""
    torch, nn, F, _ = libraries(library)
    init = nn.init

    class Swish(nn.Module):
        def __init__(self):
            super(Swish, self).__init__()

        def forward(self, inputs):
            return inputs * inputs.sigmoid()

    class GLU(nn.Module):
        def __init__(self, dim: int) -> None:
            super(GLU, self).__init__()
            self.dim = dim

        def forward(self, inputs):
            outputs, gate = inputs.chunk(2, dim=self.dim)
            return outputs * gate.sigmoid()

    class ResidualConnectionModule(nn.Module):
        def __init__(self, module, module_factor=1.0, input_factor=1.0):
            super(ResidualConnectionModule, self).__init__()
            self.module = module
            self.module_factor = module_factor
            self.input_factor = input_factor

        def forward(self, inputs):
            return (self.module(inputs) * self.module_factor) + (inputs * self.input_factor)

    class Linear(nn.Module):
        def __init__(self, in_features, out_features, bias=True):
            super(Linear, self).__init__()
            self.linear = nn.Linear(in_features, out_features, bias=bias)
            init.xavier_uniform_(self.linear.weight)
            if bias:
                init.zeros_(self.linear.bias)

        def forward(self, x):
            return self.linear(x)

    class Transpose(nn.Module):
        def __init__(self, shape: tuple):
            super(Transpose, self).__init__()
            self.shape = shape

        def forward(self, x):
            return x.transpose(*self.shape)

    class FeedForwardModule(nn.Module):
        def __init__(self, encoder_dim=512, expansion_factor=4, dropout_p=0.1):
            super(FeedForwardModule, self).__init__()
            self.sequential = nn.Sequential(
                nn.LayerNorm(encoder_dim),
                Linear(encoder_dim, encoder_dim * expansion_factor, bias=True),
                Swish(),
                nn.Dropout(p=dropout_p),
                Linear(encoder_dim * expansion_factor, encoder_dim, bias=True),
                nn.Dropout(p=dropout_p),
            )

        def forward(self, inputs):
            return self.sequential(inputs)

    class DepthwiseConv1d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     bias=False):
            super(DepthwiseConv1d, self).__init__()
            assert out_channels % in_channels == 0
            self.conv = nn.Conv1d(in_channels=in_channels, out_channels=out_channels,
                                  kernel_size=kernel_size, groups=in_channels, stride=stride,
                                  padding=padding, bias=bias)

        def forward(self, inputs):
            return self.conv(inputs)

    class PointwiseConv1d(nn.Module):
        def __init__(self, in_channels, out_channels, stride=1, padding=0, bias=True):
            super(PointwiseConv1d, self).__init__()
            self.conv = nn.Conv1d(in_channels=in_channels, out_channels=out_channels,
                                  kernel_size=1, stride=stride, padding=padding, bias=bias)

        def forward(self, inputs):
            return self.conv(inputs)

    class ConformerConvModule(nn.Module):
        def __init__(self, in_channels, kernel_size=31, expansion_factor=2, dropout_p=0.1):
            super(ConformerConvModule, self).__init__()
            assert (kernel_size - 1) % 2 == 0, \
                "kernel_size should be a odd number for 'SAME' padding"
            assert expansion_factor == 2, "Currently, Only Supports expansion_factor 2"
            self.sequential = nn.Sequential(
                nn.LayerNorm(in_channels),
                Transpose(shape=(1, 2)),
                PointwiseConv1d(in_channels, in_channels * expansion_factor, stride=1,
                                padding=0, bias=True),
                GLU(dim=1),
                DepthwiseConv1d(in_channels, in_channels, kernel_size, stride=1,
                                padding=(kernel_size - 1) // 2),
                nn.BatchNorm1d(in_channels),
                Swish(),
                PointwiseConv1d(in_channels, in_channels, stride=1, padding=0, bias=True),
                nn.Dropout(p=dropout_p),
            )

        def forward(self, inputs):
            return self.sequential(inputs).transpose(1, 2)

    class Conv2dSubampling(nn.Module):
        def __init__(self, in_channels: int, out_channels: int) -> None:
            super(Conv2dSubampling, self).__init__()
            self.sequential = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=2),
                nn.ReLU(),
                nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=2),
                nn.ReLU(),
            )

        def forward(self, inputs, input_lengths):
            outputs = self.sequential(inputs.unsqueeze(1))
            batch_size, channels, subsampled_lengths, sumsampled_dim = outputs.size()
            outputs = outputs.permute(0, 2, 1, 3)
            outputs = outputs.contiguous().view(batch_size, subsampled_lengths,
                                                channels * sumsampled_dim)
            output_lengths = input_lengths >> 2
            output_lengths -= 1
            return outputs, output_lengths

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model: int = 512, max_len: int = 10000) -> None:
            super(PositionalEncoding, self).__init__()
            pe = torch.zeros(max_len, d_model, requires_grad=False)
            position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2).float()
                                 * -(math.log(10000.0) / d_model))
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            pe = pe.unsqueeze(0)
            self.register_buffer('pe', pe)

        def forward(self, length: int):
            return self.pe[:, :length]

    class RelativeMultiHeadAttention(nn.Module):
        def __init__(self, d_model: int = 512, num_heads: int = 16, dropout_p: float = 0.1):
            super(RelativeMultiHeadAttention, self).__init__()
            assert d_model % num_heads == 0, "d_model % num_heads should be zero."
            self.d_model = d_model
            self.d_head = int(d_model / num_heads)
            self.num_heads = num_heads
            self.sqrt_dim = math.sqrt(d_model)

            self.query_proj = Linear(d_model, d_model)
            self.key_proj = Linear(d_model, d_model)
            self.value_proj = Linear(d_model, d_model)
            self.pos_proj = Linear(d_model, d_model, bias=False)

            self.dropout = nn.Dropout(p=dropout_p)
            # torch.Tensor(h, d) in the original: Tensor(data) takes data here (by design)
            self.u_bias = nn.Parameter(torch.empty(self.num_heads, self.d_head))
            self.v_bias = nn.Parameter(torch.empty(self.num_heads, self.d_head))
            # torch.nn.init.xavier_uniform_ in the original: nn is a package of its own here
            nn.init.xavier_uniform_(self.u_bias)
            nn.init.xavier_uniform_(self.v_bias)

            self.out_proj = Linear(d_model, d_model)

        def forward(self, query, key, value, pos_embedding, mask=None):
            batch_size = value.size(0)

            query = self.query_proj(query).view(batch_size, -1, self.num_heads, self.d_head)
            key = self.key_proj(key).view(batch_size, -1, self.num_heads,
                                          self.d_head).permute(0, 2, 1, 3)
            value = self.value_proj(value).view(batch_size, -1, self.num_heads,
                                                self.d_head).permute(0, 2, 1, 3)
            pos_embedding = self.pos_proj(pos_embedding).view(batch_size, -1, self.num_heads,
                                                              self.d_head)

            content_score = torch.matmul((query + self.u_bias).transpose(1, 2),
                                         key.transpose(2, 3))
            pos_score = torch.matmul((query + self.v_bias).transpose(1, 2),
                                     pos_embedding.permute(0, 2, 3, 1))
            pos_score = self._relative_shift(pos_score)

            score = (content_score + pos_score) / self.sqrt_dim

            if mask is not None:
                mask = mask.unsqueeze(1)
                score.masked_fill_(mask, -1e9)

            attn = F.softmax(score, -1)
            attn = self.dropout(attn)

            context = torch.matmul(attn, value).transpose(1, 2)
            context = context.contiguous().view(batch_size, -1, self.d_model)

            return self.out_proj(context)

        def _relative_shift(self, pos_score):
            batch_size, num_heads, seq_length1, seq_length2 = pos_score.size()
            zeros = pos_score.new_zeros(batch_size, num_heads, seq_length1, 1)
            padded_pos_score = torch.cat([zeros, pos_score], dim=-1)

            padded_pos_score = padded_pos_score.view(batch_size, num_heads, seq_length2 + 1,
                                                     seq_length1)
            pos_score = padded_pos_score[:, :, 1:].view_as(pos_score)

            return pos_score

    class MultiHeadedSelfAttentionModule(nn.Module):
        def __init__(self, d_model: int, num_heads: int, dropout_p: float = 0.1):
            super(MultiHeadedSelfAttentionModule, self).__init__()
            self.positional_encoding = PositionalEncoding(d_model, max_len=64)
            self.layer_norm = nn.LayerNorm(d_model)
            self.attention = RelativeMultiHeadAttention(d_model, num_heads, dropout_p)
            self.dropout = nn.Dropout(p=dropout_p)

        def forward(self, inputs, mask=None):
            batch_size, seq_length, _ = inputs.size()
            pos_embedding = self.positional_encoding(seq_length)
            pos_embedding = pos_embedding.repeat(batch_size, 1, 1)

            inputs = self.layer_norm(inputs)
            outputs = self.attention(inputs, inputs, inputs, pos_embedding=pos_embedding,
                                     mask=mask)

            return self.dropout(outputs)

    return (FeedForwardModule, MultiHeadedSelfAttentionModule, ConformerConvModule,
            ResidualConnectionModule, Conv2dSubampling, Linear, GLU)
