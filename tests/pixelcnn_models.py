"""PixelCNN models written once for a library ``torch`` (``autograd`` here, PyTorch there):
jzbontar/pixelcnn-pytorch's ``MaskedConv2d`` ('A' and 'B' masks written into the weight
before each forward), the gated PixelCNN of Phillip Lippe's UvA tutorial 12
(``VerticalStackConvolution``, ``HorizontalStackConvolution``, ``GatedMaskedConv`` with
dilations, bits per dimension, sampling pixel by pixel) and a residual PixelCNN whose
``MaskedConv2d`` calls ``self._conv_forward(x, self.weight * self.mask, self.bias)``.
The lines written differently here are listed in ``test_pytorch_ports_pixelcnn.py``."""

import numpy as np


def jzbontar(torch, nn):
    """main.py's ``MaskedConv2d`` and the network of six of them (``fm`` features)."""

    class MaskedConv2d(nn.Conv2d):
        def __init__(self, mask_type, *args, **kwargs):
            super(MaskedConv2d, self).__init__(*args, **kwargs)
            assert mask_type in {'A', 'B'}
            # self.weight.data.clone(): .data is NumPy's array here (copy(), not clone())
            self.register_buffer('mask', self.weight.detach().clone())
            _, _, kH, kW = self.weight.size()
            self.mask.fill_(1)
            self.mask[:, :, kH // 2, kW // 2 + (mask_type == 'B'):] = 0
            self.mask[:, :, kH // 2 + 1:] = 0

        def forward(self, x):
            self.weight.data *= self.mask
            return super(MaskedConv2d, self).forward(x)

    def network(fm, layers):
        convs = [MaskedConv2d('A', 1, fm, 7, 1, 3), nn.ReLU(True)]
        for _ in range(layers - 2):
            convs += [MaskedConv2d('B', fm, fm, 7, 1, 3), nn.ReLU(True)]
        return nn.Sequential(*convs, MaskedConv2d('B', fm, 256, 7, 1, 3))

    return network


def lippe(torch, nn):
    """The tutorial's gated PixelCNN (an ``nn.Module`` here: no Lightning)."""
    F = nn.functional

    class MaskedConvolution(nn.Module):
        def __init__(self, c_in, c_out, mask, **kwargs):
            super().__init__()
            kernel_size = (mask.shape[0], mask.shape[1])
            dilation = 1 if "dilation" not in kwargs else kwargs["dilation"]
            padding = tuple([dilation*(kernel_size[i]-1)//2 for i in range(2)])
            self.conv = nn.Conv2d(c_in, c_out, kernel_size, padding=padding, **kwargs)
            self.register_buffer('mask', mask[None, None])

        def forward(self, x):
            self.conv.weight.data *= self.mask  # Ensures zero's at masked positions
            return self.conv(x)

    class VerticalStackConvolution(MaskedConvolution):
        def __init__(self, c_in, c_out, kernel_size=3, mask_center=False, **kwargs):
            mask = torch.ones(kernel_size, kernel_size)
            mask[kernel_size//2+1:, :] = 0
            if mask_center:
                mask[kernel_size//2, :] = 0
            super().__init__(c_in, c_out, mask, **kwargs)

    class HorizontalStackConvolution(MaskedConvolution):
        def __init__(self, c_in, c_out, kernel_size=3, mask_center=False, **kwargs):
            mask = torch.ones(1, kernel_size)
            mask[0, kernel_size//2+1:] = 0
            if mask_center:
                mask[0, kernel_size//2] = 0
            super().__init__(c_in, c_out, mask, **kwargs)

    class GatedMaskedConv(nn.Module):
        def __init__(self, c_in, **kwargs):
            super().__init__()
            self.conv_vert = VerticalStackConvolution(c_in, c_out=2*c_in, **kwargs)
            self.conv_horiz = HorizontalStackConvolution(c_in, c_out=2*c_in, **kwargs)
            self.conv_vert_to_horiz = nn.Conv2d(2*c_in, 2*c_in, kernel_size=1, padding=0)
            self.conv_horiz_1x1 = nn.Conv2d(c_in, c_in, kernel_size=1, padding=0)

        def forward(self, v_stack, h_stack):
            v_stack_feat = self.conv_vert(v_stack)
            v_val, v_gate = v_stack_feat.chunk(2, dim=1)
            v_stack_out = torch.tanh(v_val) * torch.sigmoid(v_gate)
            h_stack_feat = self.conv_horiz(h_stack)
            h_stack_feat = h_stack_feat + self.conv_vert_to_horiz(v_stack_feat)
            h_val, h_gate = h_stack_feat.chunk(2, dim=1)
            h_stack_feat = torch.tanh(h_val) * torch.sigmoid(h_gate)
            h_stack_out = self.conv_horiz_1x1(h_stack_feat)
            h_stack_out = h_stack_out + h_stack
            return v_stack_out, h_stack_out

    class PixelCNN(nn.Module):
        def __init__(self, c_in, c_hidden, levels=256):
            super().__init__()
            self.levels = levels  # 256 there; fewer grey levels keep the test small
            self.conv_vstack = VerticalStackConvolution(c_in, c_hidden, mask_center=True)
            self.conv_hstack = HorizontalStackConvolution(c_in, c_hidden, mask_center=True)
            self.conv_layers = nn.ModuleList([
                GatedMaskedConv(c_hidden),
                GatedMaskedConv(c_hidden, dilation=2),
                GatedMaskedConv(c_hidden),
            ])
            self.conv_out = nn.Conv2d(c_hidden, c_in * levels, kernel_size=1, padding=0)

        def forward(self, x):
            x = (x.double() / (self.levels - 1)) * 2 - 1  # x.float(): float64 here
            v_stack = self.conv_vstack(x)
            h_stack = self.conv_hstack(x)
            for layer in self.conv_layers:
                v_stack, h_stack = layer(v_stack, h_stack)
            out = self.conv_out(F.elu(h_stack))
            out = out.reshape(out.shape[0], self.levels, out.shape[1]//self.levels,
                              out.shape[2], out.shape[3])
            return out

        def calc_likelihood(self, x):
            pred = self.forward(x)
            nll = F.cross_entropy(pred, x, reduction='none')
            bpd = nll.mean(dim=[1, 2, 3]) * np.log2(np.exp(1))
            return bpd.mean()

        @torch.no_grad()
        def sample(self, img_shape, multinomial, img=None):
            if img is None:
                img = torch.zeros(img_shape, dtype=torch.long) - 1
            for h in range(img_shape[2]):
                for w in range(img_shape[3]):
                    for c in range(img_shape[1]):
                        if (img[:, c, h, w] != -1).all().item():
                            continue
                        pred = self.forward(img[:, :, :h+1, :])
                        probs = F.softmax(pred[:, :, c, h, w], dim=-1)
                        img[:, c, h, w] = multinomial(probs, num_samples=1).squeeze(dim=-1)
            return img

    return locals()


def residual(torch, nn):
    """A residual PixelCNN on binary images whose masked convolution calls
    ``_conv_forward`` with ``padding = 'same'`` set after construction."""

    class MaskedConv2d(nn.Conv2d):
        def __init__(self, in_channels, out_channels, kernel_size):
            super().__init__(in_channels, out_channels, kernel_size)
            mask = torch.ones(out_channels, in_channels, kernel_size, kernel_size)
            cp = kernel_size // 2
            mask[:, :, cp+1:, :] = 0.  # rows below
            mask[:, :, cp, cp:] = 0.  # itself and everything to the right
            self.register_buffer('mask', mask)
            self.padding = 'same'

        def forward(self, x):
            return self._conv_forward(x, self.weight * self.mask, self.bias)

    class ResBlock(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.layers = nn.Sequential(
                nn.ReLU(), nn.Conv2d(channels, channels // 2, 1), nn.ReLU(),
                MaskedConv2d(channels // 2, channels // 2, 3), nn.ReLU(),
                nn.Conv2d(channels // 2, channels, 1))

        def forward(self, x):
            return x + self.layers(x)

    class PixelCnn_Residual(nn.Module):
        def __init__(self, channels, kernel, resblocks):
            super().__init__()
            self.first = MaskedConv2d(1, channels, kernel_size=kernel)
            self.layers = nn.ModuleList()
            self.resblocks = resblocks
            for i in range(resblocks):
                self.layers.append(ResBlock(channels))
            self.pre_final = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels // 2,
                                                                kernel_size=1))
            self.final = nn.Sequential(nn.ReLU(), nn.Conv2d(channels // 2, 1, kernel_size=1))

        def forward(self, x):
            x = torch.where(x == 0., -1., 1.)  # recode to [-1, 1]
            x = self.first(x)
            for i in range(self.resblocks):
                x = self.layers[i](x)
            x = self.pre_final(x)
            x = self.final(x)
            return x

    return PixelCnn_Residual
