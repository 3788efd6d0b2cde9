"""mravanelli/SincNet's ``dnn_models.py`` (``SincConv_fast``, ``LayerNorm``, ``act_fun``,
``SincNet``, ``MLP``), written once for a library ``torch`` (``autograd`` here, PyTorch
there); ``test_pytorch_ports_speech_sincnet.py`` runs it. Lines written differently are
marked, and listed in that file's docstring."""

import math

import numpy as np

from ctc_port_helpers import libraries


def sincnet_program(library):
    torch, nn, F, _ = libraries(library)

    class SincConv_fast(nn.Module):
        @staticmethod
        def to_mel(hz):
            return 2595 * np.log10(1 + hz / 700)

        @staticmethod
        def to_hz(mel):
            return 700 * (10 ** (mel / 2595) - 1)

        def __init__(self, out_channels, kernel_size, sample_rate=16000, in_channels=1,
                     stride=1, padding=0, dilation=1, bias=False, groups=1, min_low_hz=50,
                     min_band_hz=50):
            super(SincConv_fast, self).__init__()
            if in_channels != 1:
                msg = ("SincConv only support one input channel (here, in_channels = {%i})"
                       % (in_channels))
                raise ValueError(msg)
            self.out_channels = out_channels
            self.kernel_size = kernel_size
            # Forcing the filters to be odd (i.e, perfectly symmetrics)
            if kernel_size % 2 == 0:
                self.kernel_size = self.kernel_size + 1
            self.stride = stride
            self.padding = padding
            self.dilation = dilation
            if bias:
                raise ValueError('SincConv does not support bias.')
            if groups > 1:
                raise ValueError('SincConv does not support groups.')
            self.sample_rate = sample_rate
            self.min_low_hz = min_low_hz
            self.min_band_hz = min_band_hz
            # initialize filterbanks such that they are equally spaced in Mel scale
            low_hz = 30
            high_hz = self.sample_rate / 2 - (self.min_low_hz + self.min_band_hz)
            mel = np.linspace(self.to_mel(low_hz), self.to_mel(high_hz), self.out_channels + 1)
            hz = self.to_hz(mel)
            # filter lower frequency (out_channels, 1)
            self.low_hz_ = nn.Parameter(torch.Tensor(hz[:-1]).view(-1, 1))
            # filter frequency band (out_channels, 1)
            self.band_hz_ = nn.Parameter(torch.Tensor(np.diff(hz)).view(-1, 1))
            # Hamming window
            n_lin = torch.linspace(0, (self.kernel_size/2)-1, steps=int((self.kernel_size/2)))
            self.window_ = 0.54-0.46*torch.cos(2*math.pi*n_lin/self.kernel_size)
            # (1, kernel_size/2)
            n = (self.kernel_size - 1) / 2.0
            # Due to symmetry, I only need half of the time axes
            self.n_ = 2*math.pi*torch.arange(-n, 0).view(1, -1) / self.sample_rate

        def forward(self, waveforms):
            self.n_ = self.n_.to(waveforms.device)
            self.window_ = self.window_.to(waveforms.device)
            low = self.min_low_hz + torch.abs(self.low_hz_)
            high = torch.clamp(low + self.min_band_hz + torch.abs(self.band_hz_),
                               self.min_low_hz, self.sample_rate/2)
            band = (high-low)[:, 0]
            f_times_t_low = torch.matmul(low, self.n_)
            f_times_t_high = torch.matmul(high, self.n_)
            # Equivalent of Eq.4 of the reference paper, expanded and simplified
            band_pass_left = (((torch.sin(f_times_t_high)-torch.sin(f_times_t_low))
                               / (self.n_/2))*self.window_)
            band_pass_center = 2*band.view(-1, 1)
            band_pass_right = torch.flip(band_pass_left, dims=[1])
            band_pass = torch.cat([band_pass_left, band_pass_center, band_pass_right], dim=1)
            band_pass = band_pass / (2*band[:, None])
            self.filters = (band_pass).view(self.out_channels, 1, self.kernel_size)
            return F.conv1d(waveforms, self.filters, stride=self.stride, padding=self.padding,
                            dilation=self.dilation, bias=None, groups=1)

    class LayerNorm(nn.Module):
        def __init__(self, features, eps=1e-6):
            super(LayerNorm, self).__init__()
            self.gamma = nn.Parameter(torch.ones(features))
            self.beta = nn.Parameter(torch.zeros(features))
            self.eps = eps

        def forward(self, x):
            mean = x.mean(-1, keepdim=True)
            std = x.std(-1, keepdim=True)
            return self.gamma * (x - mean) / (std + self.eps) + self.beta

    def act_fun(act_type):
        if act_type == "relu":
            return nn.ReLU()
        if act_type == "tanh":
            return nn.Tanh()
        if act_type == "sigmoid":
            return nn.Sigmoid()
        if act_type == "leaky_relu":
            return nn.LeakyReLU(0.2)
        if act_type == "elu":
            return nn.ELU()
        if act_type == "softmax":
            return nn.LogSoftmax(dim=1)
        if act_type == "linear":
            return nn.LeakyReLU(1)  # initializzed like this, but not used in forward!

    class SincNet(nn.Module):
        def __init__(self, options):
            super(SincNet, self).__init__()
            self.cnn_N_filt = options['cnn_N_filt']
            self.cnn_len_filt = options['cnn_len_filt']
            self.cnn_max_pool_len = options['cnn_max_pool_len']
            self.cnn_act = options['cnn_act']
            self.cnn_drop = options['cnn_drop']
            self.cnn_use_laynorm = options['cnn_use_laynorm']
            self.cnn_use_batchnorm = options['cnn_use_batchnorm']
            self.cnn_use_laynorm_inp = options['cnn_use_laynorm_inp']
            self.cnn_use_batchnorm_inp = options['cnn_use_batchnorm_inp']
            self.input_dim = int(options['input_dim'])
            self.fs = options['fs']
            self.N_cnn_lay = len(options['cnn_N_filt'])
            self.conv = nn.ModuleList([])
            self.bn = nn.ModuleList([])
            self.ln = nn.ModuleList([])
            self.act = nn.ModuleList([])
            self.drop = nn.ModuleList([])
            if self.cnn_use_laynorm_inp:
                self.ln0 = LayerNorm(self.input_dim)
            if self.cnn_use_batchnorm_inp:
                self.bn0 = nn.BatchNorm1d([self.input_dim], momentum=0.05)
            current_input = self.input_dim
            for i in range(self.N_cnn_lay):
                N_filt = int(self.cnn_N_filt[i])
                # dropout
                self.drop.append(nn.Dropout(p=self.cnn_drop[i]))
                # activation
                self.act.append(act_fun(self.cnn_act[i]))
                # layer norm initialization
                out_len = int((current_input-self.cnn_len_filt[i]+1)/self.cnn_max_pool_len[i])
                self.ln.append(LayerNorm([N_filt, out_len]))
                self.bn.append(nn.BatchNorm1d(N_filt, out_len, momentum=0.05))
                if i == 0:
                    self.conv.append(SincConv_fast(self.cnn_N_filt[0], self.cnn_len_filt[0],
                                                   self.fs))
                else:
                    self.conv.append(nn.Conv1d(self.cnn_N_filt[i-1], self.cnn_N_filt[i],
                                               self.cnn_len_filt[i]))
                current_input = out_len
            self.out_dim = current_input*N_filt

        def forward(self, x):
            batch = x.shape[0]
            seq_len = x.shape[1]
            if bool(self.cnn_use_laynorm_inp):
                x = self.ln0((x))
            if bool(self.cnn_use_batchnorm_inp):
                x = self.bn0((x))
            x = x.view(batch, 1, seq_len)
            for i in range(self.N_cnn_lay):
                pool = self.cnn_max_pool_len[i]
                if self.cnn_use_laynorm[i]:
                    if i == 0:
                        x = self.drop[i](self.act[i](self.ln[i](
                            F.max_pool1d(torch.abs(self.conv[i](x)), pool))))
                    else:
                        x = self.drop[i](self.act[i](self.ln[i](
                            F.max_pool1d(self.conv[i](x), pool))))
                if self.cnn_use_batchnorm[i]:
                    x = self.drop[i](self.act[i](self.bn[i](F.max_pool1d(self.conv[i](x),
                                                                         pool))))
                if (self.cnn_use_batchnorm[i] == False  # noqa: E712
                        and self.cnn_use_laynorm[i] == False):  # noqa: E712
                    x = self.drop[i](self.act[i](F.max_pool1d(self.conv[i](x), pool)))
            x = x.view(batch, -1)
            return x

    class MLP(nn.Module):
        def __init__(self, options):
            super(MLP, self).__init__()
            self.input_dim = int(options['input_dim'])
            self.fc_lay = options['fc_lay']
            self.fc_drop = options['fc_drop']
            self.fc_use_batchnorm = options['fc_use_batchnorm']
            self.fc_use_laynorm = options['fc_use_laynorm']
            self.fc_use_laynorm_inp = options['fc_use_laynorm_inp']
            self.fc_use_batchnorm_inp = options['fc_use_batchnorm_inp']
            self.fc_act = options['fc_act']
            self.wx = nn.ModuleList([])
            self.bn = nn.ModuleList([])
            self.ln = nn.ModuleList([])
            self.act = nn.ModuleList([])
            self.drop = nn.ModuleList([])
            if self.fc_use_laynorm_inp:
                self.ln0 = LayerNorm(self.input_dim)
            if self.fc_use_batchnorm_inp:
                self.bn0 = nn.BatchNorm1d([self.input_dim], momentum=0.05)
            self.N_fc_lay = len(self.fc_lay)
            current_input = self.input_dim
            for i in range(self.N_fc_lay):
                self.drop.append(nn.Dropout(p=self.fc_drop[i]))
                self.act.append(act_fun(self.fc_act[i]))
                add_bias = True
                self.ln.append(LayerNorm(self.fc_lay[i]))
                self.bn.append(nn.BatchNorm1d(self.fc_lay[i], momentum=0.05))
                if self.fc_use_laynorm[i] or self.fc_use_batchnorm[i]:
                    add_bias = False
                self.wx.append(nn.Linear(current_input, self.fc_lay[i], bias=add_bias))
                # weight initialization (torch.Tensor(n, m).uniform_ in the original)
                bound = np.sqrt(0.01/(current_input+self.fc_lay[i]))
                self.wx[i].weight = nn.Parameter(
                    torch.empty(self.fc_lay[i], current_input).uniform_(-bound, bound))
                self.wx[i].bias = nn.Parameter(torch.zeros(self.fc_lay[i]))
                current_input = self.fc_lay[i]

        def forward(self, x):
            if bool(self.fc_use_laynorm_inp):
                x = self.ln0((x))
            if bool(self.fc_use_batchnorm_inp):
                x = self.bn0((x))
            for i in range(self.N_fc_lay):
                if self.fc_act[i] != 'linear':
                    if self.fc_use_laynorm[i]:
                        x = self.drop[i](self.act[i](self.ln[i](self.wx[i](x))))
                    if self.fc_use_batchnorm[i]:
                        x = self.drop[i](self.act[i](self.bn[i](self.wx[i](x))))
                    if (self.fc_use_batchnorm[i] == False  # noqa: E712
                            and self.fc_use_laynorm[i] == False):  # noqa: E712
                        x = self.drop[i](self.act[i](self.wx[i](x)))
                else:
                    if self.fc_use_laynorm[i]:
                        x = self.drop[i](self.ln[i](self.wx[i](x)))
                    if self.fc_use_batchnorm[i]:
                        x = self.drop[i](self.bn[i](self.wx[i](x)))
                    if (self.fc_use_batchnorm[i] == False  # noqa: E712
                            and self.fc_use_laynorm[i] == False):  # noqa: E712
                        x = self.drop[i](self.wx[i](x))
            return x

    return SincConv_fast, SincNet, MLP
