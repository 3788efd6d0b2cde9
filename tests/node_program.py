"""NODE's program as Qwicen/node writes it (``lib/nn_utils.py``, ``lib/odst.py``,
``lib/arch.py``, ``lib/utils.py``), written once for a library ``torch``: shared by
``test_pytorch_ports_tabular_node.py`` (the layers) and
``test_pytorch_ports_tabular_node_trainer.py`` (its ``Trainer``). The lines written
differently are listed in those files' docstrings."""

import warnings

import numpy as np


def node_utils(torch, nn, F) -> dict:
    """``lib/nn_utils.py``'s sparsemax, sparsemoid, entmax15, entmoid15, ModuleWithInit."""
    torch = getattr(torch, "library", torch)  # TorchScript reads the module, not a wrapper
    Function = getattr(torch, "autograd", torch).Function  # autograd.Function here
    script = torch.jit.script

    def _make_ix_like(input, dim=0):
        d = input.size(dim)
        rho = torch.arange(1, d + 1, device=input.device, dtype=input.dtype)
        view = [1] * input.dim()
        view[0] = -1
        return rho.view(view).swapaxes(0, dim)  # .transpose(0, dim) there, see above

    class SparsemaxFunction(Function):
        @staticmethod
        def forward(ctx, input, dim=-1):
            ctx.dim = dim
            max_val, _ = input.max(dim=dim, keepdim=True)
            input -= max_val  # same numerical stability trick as for softmax
            tau, supp_size = SparsemaxFunction._threshold_and_support(input, dim=dim)
            output = torch.clamp(input - tau, min=0)
            ctx.save_for_backward(supp_size, output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            supp_size, output = ctx.saved_tensors
            dim = ctx.dim
            grad_input = grad_output.clone()
            grad_input[output == 0] = 0
            v_hat = grad_input.sum(dim=dim) / supp_size.to(output.dtype).squeeze()
            v_hat = v_hat.unsqueeze(dim)
            grad_input = torch.where(output != 0, grad_input - v_hat, grad_input)
            return grad_input, None

        @staticmethod
        def _threshold_and_support(input, dim=-1):
            input_srt, _ = torch.sort(input, descending=True, dim=dim)
            input_cumsum = input_srt.cumsum(dim) - 1
            rhos = _make_ix_like(input, dim)
            support = rhos * input_srt > input_cumsum
            support_size = support.sum(dim=dim).unsqueeze(dim)
            tau = input_cumsum.gather(dim, support_size - 1)
            tau /= support_size.to(input.dtype)
            return tau, support_size

    sparsemax = lambda input, dim=-1: SparsemaxFunction.apply(input, dim)  # noqa: E731
    sparsemoid = lambda input: (0.5 * input + 0.5).clamp_(0, 1)  # noqa: E731

    class Entmax15Function(Function):
        @staticmethod
        def forward(ctx, input, dim=-1):
            ctx.dim = dim
            max_val, _ = input.max(dim=dim, keepdim=True)
            input = input - max_val  # same numerical stability trick as for softmax
            input = input / 2  # divide by 2 to solve actual Entmax
            tau_star, _ = Entmax15Function._threshold_and_support(input, dim)
            output = torch.clamp(input - tau_star, min=0) ** 2
            ctx.save_for_backward(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            Y, = ctx.saved_tensors
            gppr = Y.sqrt()  # = 1 / g'' (Y)
            dX = grad_output * gppr
            q = dX.sum(ctx.dim) / gppr.sum(ctx.dim)
            q = q.unsqueeze(ctx.dim)
            dX -= q * gppr
            return dX, None

        @staticmethod
        def _threshold_and_support(input, dim=-1):
            Xsrt, _ = torch.sort(input, descending=True, dim=dim)
            rho = _make_ix_like(input, dim)
            mean = Xsrt.cumsum(dim) / rho
            mean_sq = (Xsrt ** 2).cumsum(dim) / rho
            ss = rho * (mean_sq - mean ** 2)
            delta = (1 - ss) / rho
            delta_nz = torch.clamp(delta, 0)
            tau = mean - torch.sqrt(delta_nz)
            support_size = (tau <= Xsrt).sum(dim).unsqueeze(dim)
            tau_star = tau.gather(dim, support_size - 1)
            return tau_star, support_size

    class Entmoid15(Function):
        """ A highly optimized equivalent of labda x: Entmax15([x, 0]) """

        @staticmethod
        def forward(ctx, input):
            output = Entmoid15._forward(input)
            ctx.save_for_backward(output)
            return output

        @staticmethod
        @script
        def _forward(input):
            input, is_pos = abs(input), input >= 0
            tau = (input + torch.sqrt(F.relu(8 - input ** 2))) / 2
            tau.masked_fill_(tau <= input, 2.0)
            y_neg = 0.25 * F.relu(tau - input, inplace=True) ** 2
            return torch.where(is_pos, 1 - y_neg, y_neg)

        @staticmethod
        def backward(ctx, grad_output):
            return Entmoid15._backward(ctx.saved_tensors[0], grad_output)

        @staticmethod
        @script
        def _backward(output, grad_output):
            gppr0, gppr1 = output.sqrt(), (1 - output).sqrt()
            grad_input = grad_output * gppr0
            q = grad_input / (gppr0 + gppr1)
            grad_input -= q * gppr0
            return grad_input

    entmax15 = lambda input, dim=-1: Entmax15Function.apply(input, dim)  # noqa: E731
    entmoid15 = Entmoid15.apply

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, *args, **kwargs):
            return self.func(*args, **kwargs)

    class ModuleWithInit(nn.Module):
        """ Base class for pytorch module with data-aware initializer on first batch """
        def __init__(self):
            super().__init__()
            self._is_initialized_tensor = nn.Parameter(torch.tensor(0, dtype=torch.uint8),
                                                       requires_grad=False)
            self._is_initialized_bool = None

        def initialize(self, *args, **kwargs):
            """ initialize module tensors using first batch of data """
            raise NotImplementedError("Please implement ")

        def __call__(self, *args, **kwargs):
            if self._is_initialized_bool is None:
                self._is_initialized_bool = bool(self._is_initialized_tensor.item())
            if not self._is_initialized_bool:
                self.initialize(*args, **kwargs)
                self._is_initialized_tensor.data[...] = 1
                self._is_initialized_bool = True
            return super().__call__(*args, **kwargs)

    return dict(sparsemax=sparsemax, sparsemoid=sparsemoid, entmax15=entmax15,
                entmoid15=entmoid15, Lambda=Lambda, ModuleWithInit=ModuleWithInit)


def check_numpy(x):
    """ Makes sure x is a numpy array """
    if hasattr(x, "detach"):  # isinstance(x, torch.Tensor) there
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    assert isinstance(x, np.ndarray)
    return x


def node_layers(torch, nn, F, utils: dict) -> tuple:
    """``lib/odst.py``'s ODST and ``lib/arch.py``'s DenseBlock."""
    ModuleWithInit = utils["ModuleWithInit"]

    class ODST(ModuleWithInit):
        def __init__(self, in_features, num_trees, depth=6, tree_dim=1, flatten_output=True,
                     choice_function=utils["sparsemax"], bin_function=utils["sparsemoid"],
                     initialize_response_=nn.init.normal_,
                     initialize_selection_logits_=nn.init.uniform_,
                     threshold_init_beta=1.0, threshold_init_cutoff=1.0):
            super().__init__()
            self.depth, self.num_trees, self.tree_dim, self.flatten_output = \
                depth, num_trees, tree_dim, flatten_output
            self.choice_function, self.bin_function = choice_function, bin_function
            self.threshold_init_beta, self.threshold_init_cutoff = \
                threshold_init_beta, threshold_init_cutoff

            self.response = nn.Parameter(torch.zeros([num_trees, tree_dim, 2 ** depth]),
                                         requires_grad=True)
            initialize_response_(self.response)
            self.feature_selection_logits = nn.Parameter(
                torch.zeros([in_features, num_trees, depth]), requires_grad=True
            )
            initialize_selection_logits_(self.feature_selection_logits)
            # dtype=torch.float32 there (three times): float64 runs, see the docstring
            self.feature_thresholds = nn.Parameter(
                torch.full([num_trees, depth], float('nan'), dtype=torch.float64),
                requires_grad=True
            )  # nan values will be initialized on first batch (data-aware init)
            self.log_temperatures = nn.Parameter(
                torch.full([num_trees, depth], float('nan'), dtype=torch.float64),
                requires_grad=True
            )
            # binary codes for mapping between 1-hot vectors and bin indices
            with torch.no_grad():
                indices = torch.arange(2 ** self.depth)
                offsets = 2 ** torch.arange(self.depth)
                bin_codes = (indices.view(1, -1) // offsets.view(-1, 1) % 2).to(torch.float64)
                bin_codes_1hot = torch.stack([bin_codes, 1.0 - bin_codes], dim=-1)
                self.bin_codes_1hot = nn.Parameter(bin_codes_1hot, requires_grad=False)
                # ^-- [depth, 2 ** depth, 2]

        def forward(self, input):
            assert len(input.shape) >= 2
            if len(input.shape) > 2:
                return self.forward(input.view(-1, input.shape[-1])).view(*input.shape[:-1], -1)
            feature_logits = self.feature_selection_logits
            feature_selectors = self.choice_function(feature_logits, dim=0)
            feature_values = torch.einsum('bi,ind->bnd', input, feature_selectors)
            threshold_logits = (feature_values - self.feature_thresholds) * torch.exp(
                -self.log_temperatures)
            threshold_logits = torch.stack([-threshold_logits, threshold_logits], dim=-1)
            bins = self.bin_function(threshold_logits)
            bin_matches = torch.einsum('btds,dcs->btdc', bins, self.bin_codes_1hot)
            response_weights = torch.prod(bin_matches, dim=-2)
            response = torch.einsum('bnd,ncd->bnc', response_weights, self.response)
            return response.flatten(1, 2) if self.flatten_output else response

        def initialize(self, input, eps=1e-6):
            # data-aware initializer
            assert len(input.shape) == 2
            if input.shape[0] < 1000:
                warnings.warn("Data-aware initialization is performed on less than 1000 "
                              "data points. This may cause instability.")
            with torch.no_grad():
                feature_selectors = self.choice_function(self.feature_selection_logits, dim=0)
                feature_values = torch.einsum('bi,ind->bnd', input, feature_selectors)
                # initialize thresholds: sample random percentiles of data
                percentiles_q = 100 * np.random.beta(self.threshold_init_beta,
                                                     self.threshold_init_beta,
                                                     size=[self.num_trees, self.depth])
                self.feature_thresholds.data[...] = torch.as_tensor(
                    list(map(np.percentile, check_numpy(feature_values.flatten(1, 2).t()),
                             percentiles_q.flatten())),
                    dtype=feature_values.dtype, device=feature_values.device
                ).view(self.num_trees, self.depth)
                # init temperatures: make sure enough data points are in the linear
                # region of sparse-sigmoid
                temperatures = np.percentile(
                    check_numpy(abs(feature_values - self.feature_thresholds)),
                    q=100 * min(1.0, self.threshold_init_cutoff), axis=0)
                # if threshold_init_cutoff > 1, scale everything down by it
                temperatures /= max(1.0, self.threshold_init_cutoff)
                self.log_temperatures.data[...] = torch.log(torch.as_tensor(temperatures) + eps)

    class DenseBlock(nn.Sequential):
        def __init__(self, input_dim, layer_dim, num_layers, tree_dim=1, max_features=None,
                     input_dropout=0.0, flatten_output=True, Module=ODST, **kwargs):
            layers = []
            for i in range(num_layers):
                oddt = Module(input_dim, layer_dim, tree_dim=tree_dim, flatten_output=True,
                              **kwargs)
                input_dim = min(input_dim + layer_dim * tree_dim, max_features or float('inf'))
                layers.append(oddt)
            super().__init__(*layers)
            self.num_layers, self.layer_dim, self.tree_dim = num_layers, layer_dim, tree_dim
            self.max_features, self.flatten_output = max_features, flatten_output
            self.input_dropout = input_dropout

        def forward(self, x):
            initial_features = x.shape[-1]
            for layer in self:
                layer_inp = x
                if self.max_features is not None:
                    tail_features = min(self.max_features, layer_inp.shape[-1]) - initial_features
                    if tail_features != 0:
                        layer_inp = torch.cat([layer_inp[..., :initial_features],
                                               layer_inp[..., -tail_features:]], dim=-1)
                if self.training and self.input_dropout:
                    layer_inp = F.dropout(layer_inp, self.input_dropout)
                h = layer(layer_inp)
                x = torch.cat([x, h], dim=-1)
            outputs = x[..., initial_features:]
            if not self.flatten_output:
                outputs = outputs.view(*outputs.shape[:-1], self.num_layers * self.layer_dim,
                                       self.tree_dim)
            return outputs

    return ODST, DenseBlock


def iterate_minibatches(*tensors, batch_size, shuffle=True, epochs=1,
                        allow_incomplete=True, callback=lambda x: x):
    indices = np.arange(len(tensors[0]))
    upper_bound = int((np.ceil if allow_incomplete else np.floor)(
        len(indices) / batch_size)) * batch_size
    epoch = 0
    while True:
        if shuffle:
            np.random.shuffle(indices)
        for batch_start in callback(range(0, upper_bound, batch_size)):
            batch_ix = indices[batch_start: batch_start + batch_size]
            batch = [tensor[batch_ix] for tensor in tensors]
            yield batch if len(tensors) > 1 else batch[0]
        epoch += 1
        if epoch >= epochs:
            break


def process_in_chunks(torch, function, *args, batch_size, out=None, **kwargs):
    """``lib/utils.py``'s helper (``torch`` passed in: it is written once for both)."""
    total_size = args[0].shape[0]
    first_output = function(*[x[0: batch_size] for x in args])
    output_shape = (total_size,) + tuple(first_output.shape[1:])
    if out is None:
        out = torch.zeros(*output_shape, dtype=first_output.dtype, device=first_output.device,
                          layout=first_output.layout, **kwargs)
    out[0: batch_size] = first_output
    for i in range(batch_size, total_size, batch_size):
        batch_ix = slice(i, min(i + batch_size, total_size))
        out[batch_ix] = function(*[x[batch_ix] for x in args])
    return out
