"""``@torch.jit.script`` on a plain function, as Hugging Face's DeBERTa decorates its
``c2p_dynamic_expand`` helpers: PyTorch compiles it to a ``ScriptFunction`` that computes
what the function computes (and warns that ``torch.jit.script`` is deprecated); here it
was an ``UnsupportedError``, so the modelling file could not even be imported. The
function now comes back unchanged (with PyTorch's DeprecationWarning); scripting a module
or anything else stays refused (a ScriptModule's ``save``, ``graph``, ``code`` do not
exist here)."""

import numpy as np
import pytest

import autograd as ag

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def c2p_helper(torch):
    @torch.jit.script
    def c2p_dynamic_expand(c2p_pos, query_layer, relative_pos):
        return c2p_pos.expand([query_layer.size(0), query_layer.size(1),
                               query_layer.size(2), relative_pos.size(-1)])

    return c2p_dynamic_expand


def test_a_scripted_function_computes_as_in_pytorch(torch):
    position = np.arange(12).reshape(1, 1, 3, 4)
    query, relative = np.zeros((2, 5, 3, 8)), np.zeros((1, 3, 4))
    want = c2p_helper(torch)(torch.tensor(position), torch.tensor(query),
                             torch.tensor(relative))
    with pytest.warns(DeprecationWarning, match="jit.script` is deprecated"):
        helper = c2p_helper(ag)
    got = helper(ag.tensor(position), ag.tensor(query), ag.tensor(relative))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_scripting_a_module_stays_refused():
    import nn

    with pytest.raises(ag.UnsupportedError, match="jit.script.*no compiler"):
        ag.jit.script(nn.Linear(2, 2))


@pytest.mark.parametrize("name, advice", [("ScriptModule", "subclass nn.Module"),
                                          ("script_method", "drop the decorator")])
def test_script_module_names_say_what_to_write(torch, name, advice):
    """PlaNet's models subclass ``jit.ScriptModule`` and decorate ``forward`` with
    ``@jit.script_method`` (both exist in PyTorch): the error says how to write the class
    here, not only that there is no compiler."""
    assert hasattr(torch.jit, name)
    with pytest.raises(ag.MissingNameError, match=advice):
        getattr(ag.jit, name)
