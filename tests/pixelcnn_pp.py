"""pclucas14/pixel-cnn-pp's ``utils.py`` written once for a library ``torch`` (``autograd``
here, PyTorch there): concatenated ELU, the discretised mixture of logistics (its loss
and its sampler, with the Gumbel-max choice of a component), ``nin``, ``gated_resnet``,
down- and right-shifts, and the weight-normalised shifted convolutions. ``draws`` is
the test's glue for the random draws. The lines written differently here are listed in
``test_pytorch_ports_pixelcnn_pp.py``."""

import numpy as np


def pixelcnn_pp(torch, nn, wn, draws):
    """utils.py's names for the library ``torch`` (``wn``: ``weight_norm``)."""
    F = nn.functional

    def concat_elu(x):
        axis = len(x.size()) - 3
        return F.elu(torch.cat([x, -x], dim=axis))

    def log_sum_exp(x):
        axis = len(x.size()) - 1
        m, _ = torch.max(x, dim=axis)
        m2, _ = torch.max(x, dim=axis, keepdim=True)
        return m + torch.log(torch.sum(torch.exp(x - m2), dim=axis))

    def log_prob_from_logits(x):
        axis = len(x.size()) - 1
        m, _ = torch.max(x, dim=axis, keepdim=True)
        return x - m - torch.log(torch.sum(torch.exp(x - m), dim=axis, keepdim=True))

    def discretized_mix_logistic_loss(x, l):  # noqa: E741 (utils.py's names)
        x = x.permute(0, 2, 3, 1)
        l = l.permute(0, 2, 3, 1)  # noqa: E741
        xs = [int(y) for y in x.size()]
        ls = [int(y) for y in l.size()]
        nr_mix = int(ls[-1] / 10)
        logit_probs = l[:, :, :, :nr_mix]
        l = l[:, :, :, nr_mix:].contiguous().view(xs + [nr_mix * 3])  # noqa: E741
        means = l[:, :, :, :, :nr_mix]
        log_scales = torch.clamp(l[:, :, :, :, nr_mix:2 * nr_mix], min=-7.)
        coeffs = F.tanh(l[:, :, :, :, 2 * nr_mix:3 * nr_mix])
        x = x.contiguous()
        x = x.unsqueeze(-1) + torch.zeros(xs + [nr_mix])  # Variable(....cuda(), ...)
        m2 = (means[:, :, :, 1, :] + coeffs[:, :, :, 0, :]
              * x[:, :, :, 0, :]).view(xs[0], xs[1], xs[2], 1, nr_mix)
        m3 = (means[:, :, :, 2, :] + coeffs[:, :, :, 1, :] * x[:, :, :, 0, :] +
              coeffs[:, :, :, 2, :] * x[:, :, :, 1, :]).view(xs[0], xs[1], xs[2], 1, nr_mix)
        means = torch.cat((means[:, :, :, 0, :].unsqueeze(3), m2, m3), dim=3)
        centered_x = x - means
        inv_stdv = torch.exp(-log_scales)
        plus_in = inv_stdv * (centered_x + 1. / 255.)
        cdf_plus = F.sigmoid(plus_in)
        min_in = inv_stdv * (centered_x - 1. / 255.)
        cdf_min = F.sigmoid(min_in)
        log_cdf_plus = plus_in - F.softplus(plus_in)
        log_one_minus_cdf_min = -F.softplus(min_in)
        cdf_delta = cdf_plus - cdf_min
        mid_in = inv_stdv * centered_x
        log_pdf_mid = mid_in - log_scales - 2. * F.softplus(mid_in)
        inner_inner_cond = (cdf_delta > 1e-5).float()
        inner_inner_out = inner_inner_cond * torch.log(torch.clamp(cdf_delta, min=1e-12)) \
            + (1. - inner_inner_cond) * (log_pdf_mid - np.log(127.5))
        inner_cond = (x > 0.999).float()
        inner_out = inner_cond * log_one_minus_cdf_min + (1. - inner_cond) * inner_inner_out
        cond = (x < -0.999).float()
        log_probs = cond * log_cdf_plus + (1. - cond) * inner_out
        log_probs = torch.sum(log_probs, dim=3) + log_prob_from_logits(logit_probs)
        return -torch.sum(log_sum_exp(log_probs))

    def to_one_hot(tensor, n, fill_with=1.):
        one_hot = torch.FloatTensor(tensor.size() + (n,)).zero_()
        one_hot.scatter_(len(tensor.size()), tensor.unsqueeze(-1), fill_with)
        return one_hot  # Variable(one_hot)

    def sample_from_discretized_mix_logistic(l, nr_mix):  # noqa: E741
        l = l.permute(0, 2, 3, 1)  # noqa: E741
        ls = [int(y) for y in l.size()]
        xs = ls[:-1] + [3]
        logit_probs = l[:, :, :, :nr_mix]
        l = l[:, :, :, nr_mix:].contiguous().view(xs + [nr_mix * 3])  # noqa: E741
        temp = torch.FloatTensor(logit_probs.size())
        temp = draws(torch, temp.uniform_(1e-5, 1. - 1e-5))
        temp = logit_probs.data - torch.log(- torch.log(temp))
        _, argmax = temp.max(dim=3)
        one_hot = to_one_hot(argmax, nr_mix)
        sel = one_hot.view(xs[:-1] + [1, nr_mix])
        means = torch.sum(l[:, :, :, :, :nr_mix] * sel, dim=4)
        log_scales = torch.clamp(torch.sum(
            l[:, :, :, :, nr_mix:2 * nr_mix] * sel, dim=4), min=-7.)
        coeffs = torch.sum(F.tanh(
            l[:, :, :, :, 2 * nr_mix:3 * nr_mix]) * sel, dim=4)
        u = torch.FloatTensor(means.size())
        u = draws(torch, u.uniform_(1e-5, 1. - 1e-5))
        x = means + torch.exp(log_scales) * (torch.log(u) - torch.log(1. - u))
        x0 = torch.clamp(torch.clamp(x[:, :, :, 0], min=-1.), max=1.)
        x1 = torch.clamp(torch.clamp(
            x[:, :, :, 1] + coeffs[:, :, :, 0] * x0, min=-1.), max=1.)
        x2 = torch.clamp(torch.clamp(
            x[:, :, :, 2] + coeffs[:, :, :, 1] * x0 + coeffs[:, :, :, 2] * x1, min=-1.), max=1.)
        out = torch.cat([x0.view(xs[:-1] + [1]), x1.view(xs[:-1] + [1]),
                         x2.view(xs[:-1] + [1])], dim=3)
        out = out.permute(0, 3, 1, 2)
        return out

    class nin(nn.Module):
        def __init__(self, dim_in, dim_out):
            super(nin, self).__init__()
            self.lin_a = nn.Linear(dim_in, dim_out)
            self.dim_out = dim_out

        def forward(self, x):
            x = x.permute(0, 2, 3, 1)
            shp = [int(y) for y in x.size()]
            out = self.lin_a(x.contiguous().view(shp[0]*shp[1]*shp[2], shp[3]))
            shp[-1] = self.dim_out
            out = out.view(shp)
            return out.permute(0, 3, 1, 2)

    class gated_resnet(nn.Module):
        def __init__(self, num_filters, conv_op, nonlinearity=concat_elu, skip_connection=0):
            super(gated_resnet, self).__init__()
            self.skip_connection = skip_connection
            self.nonlinearity = nonlinearity
            self.conv_input = conv_op(2 * num_filters, num_filters)
            if skip_connection != 0:
                self.nin_skip = nin(2 * skip_connection * num_filters, num_filters)
            self.dropout = nn.Dropout2d(0.5)
            self.conv_out = conv_op(2 * num_filters, 2 * num_filters)

        def forward(self, og_x, a=None):
            x = self.conv_input(self.nonlinearity(og_x))
            if a is not None:
                x += self.nin_skip(self.nonlinearity(a))
            x = self.nonlinearity(x)
            x = self.dropout(x)
            x = self.conv_out(x)
            a, b = torch.chunk(x, 2, dim=1)
            c3 = a * F.sigmoid(b)
            return og_x + c3

    def down_shift(x, pad=None):
        xs = [int(y) for y in x.size()]
        x = x[:, :, :xs[2] - 1, :]
        pad = nn.ZeroPad2d((0, 0, 1, 0)) if pad is None else pad
        return pad(x)

    def right_shift(x, pad=None):
        xs = [int(y) for y in x.size()]
        x = x[:, :, :, :xs[3] - 1]
        pad = nn.ZeroPad2d((1, 0, 0, 0)) if pad is None else pad
        return pad(x)

    class down_shifted_conv2d(nn.Module):
        def __init__(self, num_filters_in, num_filters_out, filter_size=(2, 3), stride=(1, 1),
                     shift_output_down=False):
            super(down_shifted_conv2d, self).__init__()
            self.conv = wn(nn.Conv2d(num_filters_in, num_filters_out, filter_size, stride))
            self.pad = nn.ZeroPad2d((int((filter_size[1] - 1) / 2),
                                     int((filter_size[1] - 1) / 2),
                                     filter_size[0] - 1, 0))
            self.shift_output_down = shift_output_down
            if shift_output_down:
                self.down_shift = lambda x: down_shift(x, pad=nn.ZeroPad2d((0, 0, 1, 0)))

        def forward(self, x):
            x = self.pad(x)
            x = self.conv(x)
            return self.down_shift(x) if self.shift_output_down else x

    class down_right_shifted_conv2d(nn.Module):
        def __init__(self, num_filters_in, num_filters_out, filter_size=(2, 2), stride=(1, 1),
                     shift_output_right=False):
            super(down_right_shifted_conv2d, self).__init__()
            self.pad = nn.ZeroPad2d((filter_size[1] - 1, 0, filter_size[0] - 1, 0))
            self.conv = wn(nn.Conv2d(num_filters_in, num_filters_out, filter_size,
                                     stride=stride))
            self.shift_output_right = shift_output_right
            if shift_output_right:
                self.right_shift = lambda x: right_shift(x, pad=nn.ZeroPad2d((1, 0, 0, 0)))

        def forward(self, x):
            x = self.pad(x)
            x = self.conv(x)
            return self.right_shift(x) if self.shift_output_right else x

    return locals()
