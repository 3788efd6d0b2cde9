"""Draw computation graphs with Graphviz: the forward pass, the backward pass with the
gradient carried on every edge, parameters grouped by module.

``import autograd`` never imports this package (Graphviz is optional)::

    from autograd import viz
    loss.backward()
    viz.draw_graph(loss, names={"W1": W1, "b1": b1})            # Jupyter shows it
    viz.draw_graph(loss, model=net)                              # boxes per module
    viz.save_graph(viz.draw_backward(loss), "out/backward.png")  # needs `dot`

The forward view shows what the engine stored (``.grad`` of leaves and of
intermediates that called ``retain_grad()``). The engine does not keep what flowed
along each edge, so the backward view (``draw_backward`` or
``draw_graph(..., direction="backward")``) runs a private backward pass of its own:
each op's ``vjp`` on the current ``.data`` of its inputs and output (so it needs the
graph's inputs: draw before ``backward()``, or pass it ``retain_graph=True``),
un-broadcast by the engine's helper (``register_hook`` hooks are not run: a tensor that
has some says so). Each edge then shows the gradient it carries, each tensor the total.

``make_dot(var, params=dict(model.named_parameters()))`` is torchviz's spelling of
``draw_graph(var, names=params)``.

``topological_order(roots)`` lists the tensors a drawing walks, each after the tensors it
was made from (it needs no Graphviz).

Install the optional dependency with ``pip install -e ".[viz]"`` in a checkout of the
repository (the package is not on PyPI yet) and the Graphviz program with your
system's package manager (``apt-get install graphviz``, ``brew install graphviz``,
``conda install -c conda-forge graphviz``).
"""

from ._draw import RULES, STYLE, draw_backward, draw_graph, make_dot
from ._graph import topological_order
from ._render import GraphvizNotFoundError, save_graph

__all__ = ["draw_graph", "draw_backward", "make_dot", "save_graph", "GraphvizNotFoundError",
           "STYLE", "RULES", "topological_order"]
