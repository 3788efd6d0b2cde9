"""y0ast/Glow-PyTorch's ``utils.py``, ``modules.py`` and ``model.py`` written once for a
library ``torch`` (``autograd`` here, PyTorch there), the classes and functions a Glow
of digits needs (no ``LinearZeros``: its forward moves tensors to CUDA). ``draws`` is
the test's glue for the random draws. The lines written differently here are listed in
``test_pytorch_ports_glow_y0ast.py``."""

import math


def glow_y0ast(torch, nn, draws):
    """The names of y0ast's Glow for the library ``torch``."""
    F = nn.functional

    def compute_same_pad(kernel_size, stride):
        if isinstance(kernel_size, int):
            kernel_size = [kernel_size]
        if isinstance(stride, int):
            stride = [stride]
        assert len(stride) == len(kernel_size)
        return [((k - 1) * s + 1) // 2 for k, s in zip(kernel_size, stride)]

    def uniform_binning_correction(x, n_bits=8):
        b, c, h, w = x.size()
        n_bins = 2 ** n_bits
        chw = c * h * w
        x += draws(torch, torch.zeros_like(x).uniform_(0, 1.0 / n_bins))
        objective = -math.log(n_bins) * chw * torch.ones(b, device=x.device)
        return x, objective

    def split_feature(tensor, type="split"):
        C = tensor.size(1)
        if type == "split":
            return tensor[:, : C // 2, ...], tensor[:, C // 2:, ...]
        elif type == "cross":
            return tensor[:, 0::2, ...], tensor[:, 1::2, ...]

    def gaussian_p(mean, logs, x):
        c = math.log(2 * math.pi)
        return -0.5 * (logs * 2.0 + ((x - mean) ** 2) / torch.exp(logs * 2.0) + c)

    def gaussian_likelihood(mean, logs, x):
        p = gaussian_p(mean, logs, x)
        return torch.sum(p, dim=[1, 2, 3])

    def gaussian_sample(mean, logs, temperature=1):
        z = draws(torch, torch.normal(mean, torch.exp(logs) * temperature))
        return z

    def squeeze2d(input, factor):
        if factor == 1:
            return input
        B, C, H, W = input.size()
        assert H % factor == 0 and W % factor == 0, "H or W modulo factor is not 0"
        x = input.view(B, C, H // factor, factor, W // factor, factor)
        x = x.permute(0, 1, 3, 5, 2, 4).contiguous()
        x = x.view(B, C * factor * factor, H // factor, W // factor)
        return x

    def unsqueeze2d(input, factor):
        if factor == 1:
            return input
        factor2 = factor ** 2
        B, C, H, W = input.size()
        assert C % (factor2) == 0, "C module factor squared is not 0"
        x = input.view(B, C // factor2, factor, factor, H, W)
        x = x.permute(0, 1, 4, 2, 5, 3).contiguous()
        x = x.view(B, C // (factor2), H * factor, W * factor)
        return x

    class ActNorm2d(nn.Module):  # _ActNorm and ActNorm2d in one
        def __init__(self, num_features, scale=1.0):
            super().__init__()
            size = [1, num_features, 1, 1]
            self.bias = nn.Parameter(torch.zeros(*size))
            self.logs = nn.Parameter(torch.zeros(*size))
            self.num_features = num_features
            self.scale = scale
            self.inited = False

        def initialize_parameters(self, input):
            if not self.training:
                raise ValueError("In Eval mode, but ActNorm not inited")
            with torch.no_grad():
                bias = -torch.mean(input.clone(), dim=[0, 2, 3], keepdim=True)
                vars = torch.mean((input.clone() + bias) ** 2, dim=[0, 2, 3], keepdim=True)
                logs = torch.log(self.scale / (torch.sqrt(vars) + 1e-6))
                self.bias.copy_(bias.data)  # self.bias.data.copy_: .data is NumPy's here
                self.logs.copy_(logs.data)
                self.inited = True

        def _center(self, input, reverse=False):
            if reverse:
                return input - self.bias
            else:
                return input + self.bias

        def _scale(self, input, logdet=None, reverse=False):
            if reverse:
                input = input * torch.exp(-self.logs)
            else:
                input = input * torch.exp(self.logs)
            if logdet is not None:
                b, c, h, w = input.shape
                dlogdet = torch.sum(self.logs) * h * w
                if reverse:
                    dlogdet *= -1
                logdet = logdet + dlogdet
            return input, logdet

        def _check_input_dim(self, input):
            assert len(input.size()) == 4
            assert input.size(1) == self.num_features

        def forward(self, input, logdet=None, reverse=False):
            self._check_input_dim(input)
            if not self.inited:
                self.initialize_parameters(input)
            if reverse:
                input, logdet = self._scale(input, logdet, reverse)
                input = self._center(input, reverse)
            else:
                input = self._center(input, reverse)
                input, logdet = self._scale(input, logdet, reverse)
            return input, logdet

    class Conv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size=(3, 3), stride=(1, 1),
                     padding="same", do_actnorm=True, weight_std=0.05):
            super().__init__()
            if padding == "same":
                padding = compute_same_pad(kernel_size, stride)
            elif padding == "valid":
                padding = 0
            self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                  bias=(not do_actnorm))
            with torch.no_grad():  # self.conv.weight.data.normal_: .data is NumPy's here
                self.conv.weight.normal_(mean=0.0, std=weight_std)
            if not do_actnorm:
                with torch.no_grad():
                    self.conv.bias.zero_()
            else:
                self.actnorm = ActNorm2d(out_channels)
            self.do_actnorm = do_actnorm

        def forward(self, input):
            x = self.conv(input)
            if self.do_actnorm:
                x, _ = self.actnorm(x)
            return x

    class Conv2dZeros(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size=(3, 3), stride=(1, 1),
                     padding="same", logscale_factor=3):
            super().__init__()
            if padding == "same":
                padding = compute_same_pad(kernel_size, stride)
            elif padding == "valid":
                padding = 0
            self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)
            with torch.no_grad():  # .data.zero_(): .data is NumPy's here
                self.conv.weight.zero_()
                self.conv.bias.zero_()
            self.logscale_factor = logscale_factor
            self.logs = nn.Parameter(torch.zeros(out_channels, 1, 1))

        def forward(self, input):
            output = self.conv(input)
            return output * torch.exp(self.logs * self.logscale_factor)

    class Permute2d(nn.Module):
        def __init__(self, num_channels, shuffle):
            super().__init__()
            self.num_channels = num_channels
            self.indices = torch.arange(self.num_channels - 1, -1, -1, dtype=torch.long)
            self.indices_inverse = torch.zeros((self.num_channels), dtype=torch.long)
            for i in range(self.num_channels):
                self.indices_inverse[self.indices[i]] = i
            if shuffle:
                self.reset_indices()

        def reset_indices(self):
            shuffle_idx = draws(torch, torch.randperm(self.indices.shape[0]))
            self.indices = self.indices[shuffle_idx]
            for i in range(self.num_channels):
                self.indices_inverse[self.indices[i]] = i

        def forward(self, input, reverse=False):
            assert len(input.size()) == 4
            if not reverse:
                input = input[:, self.indices, :, :]
                return input
            else:
                return input[:, self.indices_inverse, :, :]

    class Split2d(nn.Module):
        def __init__(self, num_channels):
            super().__init__()
            self.conv = Conv2dZeros(num_channels // 2, num_channels)

        def split2d_prior(self, z):
            h = self.conv(z)
            return split_feature(h, "cross")

        def forward(self, input, logdet=0.0, reverse=False, temperature=None):
            if reverse:
                z1 = input
                mean, logs = self.split2d_prior(z1)
                z2 = gaussian_sample(mean, logs, temperature)
                z = torch.cat((z1, z2), dim=1)
                return z, logdet
            else:
                z1, z2 = split_feature(input, "split")
                mean, logs = self.split2d_prior(z1)
                logdet = gaussian_likelihood(mean, logs, z2) + logdet
                return z1, logdet

    class SqueezeLayer(nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def forward(self, input, logdet=None, reverse=False):
            if reverse:
                output = unsqueeze2d(input, self.factor)
            else:
                output = squeeze2d(input, self.factor)
            return output, logdet

    class InvertibleConv1x1(nn.Module):
        def __init__(self, num_channels, LU_decomposed):
            super().__init__()
            w_shape = [num_channels, num_channels]
            w_init = torch.qr(draws(torch, torch.randn(*w_shape)))[0]
            if not LU_decomposed:
                self.weight = nn.Parameter(torch.Tensor(w_init))
            else:
                p, lower, upper = torch.lu_unpack(*torch.lu(w_init))
                s = torch.diag(upper)
                sign_s = torch.sign(s)
                log_s = torch.log(torch.abs(s))
                upper = torch.triu(upper, 1)
                l_mask = torch.tril(torch.ones(w_shape), -1)
                eye = torch.eye(*w_shape)
                self.register_buffer("p", p)
                self.register_buffer("sign_s", sign_s)
                self.lower = nn.Parameter(lower)
                self.log_s = nn.Parameter(log_s)
                self.upper = nn.Parameter(upper)
                self.l_mask = l_mask
                self.eye = eye
            self.w_shape = w_shape
            self.LU_decomposed = LU_decomposed

        def get_weight(self, input, reverse):
            b, c, h, w = input.shape
            if not self.LU_decomposed:
                dlogdet = torch.slogdet(self.weight)[1] * h * w
                if reverse:
                    weight = torch.inverse(self.weight)
                else:
                    weight = self.weight
            else:
                self.l_mask = self.l_mask.to(input.device)
                self.eye = self.eye.to(input.device)
                lower = self.lower * self.l_mask + self.eye
                # .transpose(0, 1) of the 2-d mask: .T here (a refused, ambiguous spelling)
                u = self.upper * self.l_mask.T.contiguous()
                u += torch.diag(self.sign_s * torch.exp(self.log_s))
                dlogdet = torch.sum(self.log_s) * h * w
                if reverse:
                    u_inv = torch.inverse(u)
                    l_inv = torch.inverse(lower)
                    p_inv = torch.inverse(self.p)
                    weight = torch.matmul(u_inv, torch.matmul(l_inv, p_inv))
                else:
                    weight = torch.matmul(self.p, torch.matmul(lower, u))
            return weight.view(self.w_shape[0], self.w_shape[1], 1, 1), dlogdet

        def forward(self, input, logdet=None, reverse=False):
            weight, dlogdet = self.get_weight(input, reverse)
            if not reverse:
                z = F.conv2d(input, weight)
                if logdet is not None:
                    logdet = logdet + dlogdet
                return z, logdet
            else:
                z = F.conv2d(input, weight)
                if logdet is not None:
                    logdet = logdet - dlogdet
                return z, logdet

    def get_block(in_channels, out_channels, hidden_channels):
        block = nn.Sequential(
            Conv2d(in_channels, hidden_channels),
            nn.ReLU(inplace=False),
            Conv2d(hidden_channels, hidden_channels, kernel_size=(1, 1)),
            nn.ReLU(inplace=False),
            Conv2dZeros(hidden_channels, out_channels),
        )
        return block

    return locals()
