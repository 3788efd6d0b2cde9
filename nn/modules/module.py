"""PyTorch's ``torch.nn.modules.module``: ``Module`` under that path
(``isinstance(m, nn.modules.module.Module)``) and the functions that register hooks for
every module at once (``register_module_forward_hook``...: ``nn/global_hooks.py``)."""

from .. import Module
from ..global_hooks import (register_module_buffer_registration_hook,
                            register_module_forward_hook, register_module_forward_pre_hook,
                            register_module_full_backward_hook,
                            register_module_full_backward_pre_hook,
                            register_module_module_registration_hook,
                            register_module_parameter_registration_hook)

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook",
           "register_module_parameter_registration_hook",
           "register_module_buffer_registration_hook",
           "register_module_module_registration_hook"]
