"""y0ast/Glow-PyTorch's ``model.py`` (``FlowStep``, ``FlowNet``, ``Glow`` without the
class conditioning) written once for a library ``torch``, on the modules of
``glow_y0ast.py`` (``m``). See ``test_pytorch_ports_glow_y0ast.py``."""

import math


def glow_y0ast_model(torch, nn, m):
    """``Glow`` of model.py for the library ``torch``, built on the modules ``m``."""
    split_feature, get_block = m["split_feature"], m["get_block"]
    ActNorm2d, InvertibleConv1x1, Permute2d = m["ActNorm2d"], m["InvertibleConv1x1"], \
        m["Permute2d"]

    class FlowStep(nn.Module):
        def __init__(self, in_channels, hidden_channels, actnorm_scale, flow_permutation,
                     flow_coupling, LU_decomposed):
            super().__init__()
            self.flow_coupling = flow_coupling
            self.actnorm = ActNorm2d(in_channels, actnorm_scale)
            if flow_permutation == "invconv":
                self.invconv = InvertibleConv1x1(in_channels, LU_decomposed=LU_decomposed)
                self.flow_permutation = lambda z, logdet, rev: self.invconv(z, logdet, rev)
            elif flow_permutation == "shuffle":
                self.shuffle = Permute2d(in_channels, shuffle=True)
                self.flow_permutation = lambda z, logdet, rev: (self.shuffle(z, rev), logdet)
            else:
                self.reverse = Permute2d(in_channels, shuffle=False)
                self.flow_permutation = lambda z, logdet, rev: (self.reverse(z, rev), logdet)
            if flow_coupling == "additive":
                self.block = get_block(in_channels // 2, in_channels // 2, hidden_channels)
            elif flow_coupling == "affine":
                self.block = get_block(in_channels // 2, in_channels, hidden_channels)

        def forward(self, input, logdet=None, reverse=False):
            if not reverse:
                return self.normal_flow(input, logdet)
            else:
                return self.reverse_flow(input, logdet)

        def normal_flow(self, input, logdet):
            assert input.size(1) % 2 == 0
            z, logdet = self.actnorm(input, logdet=logdet, reverse=False)
            z, logdet = self.flow_permutation(z, logdet, False)
            z1, z2 = split_feature(z, "split")
            if self.flow_coupling == "additive":
                z2 = z2 + self.block(z1)
            elif self.flow_coupling == "affine":
                h = self.block(z1)
                shift, scale = split_feature(h, "cross")
                scale = torch.sigmoid(scale + 2.0)
                z2 = z2 + shift
                z2 = z2 * scale
                logdet = torch.sum(torch.log(scale), dim=[1, 2, 3]) + logdet
            z = torch.cat((z1, z2), dim=1)
            return z, logdet

        def reverse_flow(self, input, logdet):
            assert input.size(1) % 2 == 0
            z1, z2 = split_feature(input, "split")
            if self.flow_coupling == "additive":
                z2 = z2 - self.block(z1)
            elif self.flow_coupling == "affine":
                h = self.block(z1)
                shift, scale = split_feature(h, "cross")
                scale = torch.sigmoid(scale + 2.0)
                z2 = z2 / scale
                z2 = z2 - shift
                logdet = -torch.sum(torch.log(scale), dim=[1, 2, 3]) + logdet
            z = torch.cat((z1, z2), dim=1)
            z, logdet = self.flow_permutation(z, logdet, True)
            z, logdet = self.actnorm(z, logdet=logdet, reverse=True)
            return z, logdet

    class FlowNet(nn.Module):
        def __init__(self, image_shape, hidden_channels, K, L, actnorm_scale,
                     flow_permutation, flow_coupling, LU_decomposed):
            super().__init__()
            self.layers = nn.ModuleList()
            self.output_shapes = []
            self.K = K
            self.L = L
            H, W, C = image_shape
            for i in range(L):
                C, H, W = C * 4, H // 2, W // 2
                self.layers.append(m["SqueezeLayer"](factor=2))
                self.output_shapes.append([-1, C, H, W])
                for _ in range(K):
                    self.layers.append(FlowStep(
                        in_channels=C, hidden_channels=hidden_channels,
                        actnorm_scale=actnorm_scale, flow_permutation=flow_permutation,
                        flow_coupling=flow_coupling, LU_decomposed=LU_decomposed))
                    self.output_shapes.append([-1, C, H, W])
                if i < L - 1:
                    self.layers.append(m["Split2d"](num_channels=C))
                    self.output_shapes.append([-1, C // 2, H, W])
                    C = C // 2

        def forward(self, input, logdet=0.0, reverse=False, temperature=None):
            if reverse:
                return self.decode(input, temperature)
            else:
                return self.encode(input, logdet)

        def encode(self, z, logdet=0.0):
            for layer, shape in zip(self.layers, self.output_shapes):
                z, logdet = layer(z, logdet, reverse=False)
            return z, logdet

        def decode(self, z, temperature=None):
            for layer in reversed(self.layers):
                if isinstance(layer, m["Split2d"]):
                    z, logdet = layer(z, logdet=0, reverse=True, temperature=temperature)
                else:
                    z, logdet = layer(z, logdet=0, reverse=True)
            return z

    class Glow(nn.Module):
        def __init__(self, image_shape, hidden_channels, K, L, actnorm_scale,
                     flow_permutation, flow_coupling, LU_decomposed, learn_top):
            super().__init__()
            self.flow = FlowNet(image_shape=image_shape, hidden_channels=hidden_channels,
                                K=K, L=L, actnorm_scale=actnorm_scale,
                                flow_permutation=flow_permutation,
                                flow_coupling=flow_coupling, LU_decomposed=LU_decomposed)
            self.learn_top = learn_top
            if learn_top:
                C = self.flow.output_shapes[-1][1]
                self.learn_top_fn = m["Conv2dZeros"](C * 2, C * 2)
            self.register_buffer("prior_h", torch.zeros([
                1, self.flow.output_shapes[-1][1] * 2, self.flow.output_shapes[-1][2],
                self.flow.output_shapes[-1][3]]))

        def prior(self, data, y_onehot=None):
            if data is not None:
                h = self.prior_h.repeat(data.shape[0], 1, 1, 1)
            else:
                h = self.prior_h.repeat(32, 1, 1, 1)
            if self.learn_top:
                h = self.learn_top_fn(h)
            return split_feature(h, "split")

        def forward(self, x=None, y_onehot=None, z=None, temperature=None, reverse=False):
            if reverse:
                return self.reverse_flow(z, y_onehot, temperature)
            else:
                return self.normal_flow(x, y_onehot)

        def normal_flow(self, x, y_onehot):
            b, c, h, w = x.shape
            x, logdet = m["uniform_binning_correction"](x)
            z, objective = self.flow(x, logdet=logdet, reverse=False)
            mean, logs = self.prior(x, y_onehot)
            objective += m["gaussian_likelihood"](mean, logs, z)
            bpd = (-objective) / (math.log(2.0) * c * h * w)
            return z, bpd, None

        def reverse_flow(self, z, y_onehot, temperature):
            with torch.no_grad():
                if z is None:
                    mean, logs = self.prior(z, y_onehot)
                    z = m["gaussian_sample"](mean, logs, temperature)
                x = self.flow(z, temperature=temperature, reverse=True)
            return x

        def set_actnorm_init(self):
            for name, module in self.named_modules():
                if isinstance(module, ActNorm2d):
                    module.inited = True

    return Glow
