"""PyTorch's ``torch.nn.utils.stateless``: ``functional_call``, the older spelling of
``torch.func.functional_call`` that MAML code still imports. It is ``autograd.func``'s:
``functional_call(module, parameters_and_buffers, args, kwargs, *, tie_weights=True,
strict=False)`` calls ``module(*args, **kwargs)`` with the given tensors in the places of
the parameters and buffers of those dotted names, and puts the originals back."""

from autograd.func import functional_call

__all__ = ["functional_call"]
