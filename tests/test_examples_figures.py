"""What the example figures show, read back from the matplotlib Figure before it is
saved: the data the lecture notes give must be visible (not under a legend), and the
colours must be explained."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], dict]:
    """``capture(module)``: the figures that module passes to ``save_figure``, by name,
    laid out and drawn as they would be saved (and not written)."""
    def patch(module: Any) -> dict:
        figures: dict = {}

        def keep(fig: Any, out: Any, name: str) -> None:
            fig.tight_layout()
            fig.canvas.draw()
            figures[name] = fig

        monkeypatch.setattr(module, "save_figure", keep)
        return figures
    return patch


def hidden_by_legend(fig: Any) -> list[tuple[str, str, tuple[float, ...]]]:
    """(axes title, label, point) of every point of a labelled scatter or of a labelled
    line with markers that is drawn under its axes' legend."""
    hidden = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent()
        drawn = [(c.get_label(), np.asarray(c.get_offsets(), dtype=float))
                 for c in ax.collections]
        drawn += [(line.get_label(), np.column_stack(line.get_data()).astype(float))
                  for line in ax.get_lines() if line.get_marker() not in ("None", "", " ")]
        for name, points in drawn:
            if name.startswith("_"):  # contours and other unlabelled artists
                continue
            for point, (px, py) in zip(points, ax.transData.transform(points)):
                if box.contains(px, py):
                    hidden.append((ax.get_title(), name, tuple(point)))
    return hidden


def test_the_regression_legend_leaves_every_data_point_of_the_notes_visible(capture, tmp_path):
    """y = x + 1 on x = 0..5: the legend in the upper left covered the point (3, 4), and
    the one over the loss surface the start of the descent path, w = (0, 0)."""
    from examples import regression

    figures = capture(regression)
    x, y = regression.notes_data()
    w_gd, losses, path = regression.gradient_descent(x, y, 300, lr=0.02)
    regression.plot_linear(x, y, regression.normal_equation(x, y), w_gd, losses, path,
                           tmp_path)
    fig = figures["linear"]
    drawn = np.asarray(fig.axes[0].collections[0].get_offsets())
    np.testing.assert_array_equal(drawn, np.c_[x, y])  # all six points are plotted
    assert hidden_by_legend(fig) == []


def test_the_minimum_of_the_optimizers_valley_is_drawn_above_the_paths(capture, tmp_path):
    """Six paths end at (0, 0) and were drawn over the star that marks the minimum."""
    from examples import optimizers

    figures = capture(optimizers)
    optimizers.main(["--quick", "--out", str(tmp_path)])
    for name in ("trajectories", "learning_rates"):
        ax = figures[name].axes[0]
        star = [line for line in ax.get_lines() if line.get_marker() == "*"]
        assert len(star) == 1 and tuple(star[0].get_xydata()[0]) == (0.0, 0.0)
        paths = [line for line in ax.get_lines() if line is not star[0]]
        assert paths and star[0].get_zorder() > max(line.get_zorder() for line in paths)


def test_the_perceptron_figures_say_what_their_colours_mean(capture, tmp_path):
    """The regions are red (output or P(y = 1) near 1) and blue (0): the hand-picked
    figure did not say so, the learned one named no ends of its colour scale."""
    from examples import perceptron

    figures = capture(perceptron)
    perceptron.main(["--quick", "--out", str(tmp_path)])
    for name in ("hand_picked", "learned"):
        fig = figures[name]
        cmap = fig.axes[0].collections[0].get_cmap()   # the filled regions
        assert cmap(0.0)[2] > cmap(0.0)[0] and cmap(1.0)[0] > cmap(1.0)[2]  # blue 0, red 1
        title = fig.get_suptitle()
        assert "red" in title and "blue" in title and "black 1, white 0" in title, title


def test_backprop_by_hand_without_dot_keeps_the_dot_source_of_both_graphs(monkeypatch,
                                                                          tmp_path):
    """Without Graphviz's ``dot`` the forward graph's DOT source was saved and the
    backward graph (the one with the gradient on every edge) was lost."""
    pytest.importorskip("graphviz")
    from examples import backprop_by_hand

    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # no `dot` on PATH
    values = backprop_by_hand.network(np.random.default_rng(0), batch=2)
    assert backprop_by_hand.draw_graphs(values, tmp_path) == []  # no pictures
    assert sorted(p.name for p in tmp_path.glob("*.gv")) == ["graph_backward.gv",
                                                              "graph_forward.gv"]
    assert "dir=back" in (tmp_path / "graph_backward.gv").read_text()


def texts_over_lines(fig: Any) -> list[tuple[str, str, str]]:
    """(axes title, text, line label) of every text drawn in an axes (not a title or a
    legend) that a line of the same axes passes through (an annotation's arrow may
    touch the point it names)."""
    from matplotlib.text import Text

    crossed = []
    for ax in fig.axes:
        for text in ax.texts:
            box = Text.get_window_extent(text)   # the words only, not an annotation's arrow
            for line in ax.get_lines():
                points = ax.transData.transform(np.column_stack(line.get_data()).astype(float))
                steps = np.linspace(0.0, 1.0, 20)[:, None, None]   # along every segment
                dense = (points[:-1] + steps * (points[1:] - points[:-1])).reshape(-1, 2)
                if any(box.contains(px, py) for px, py in dense):
                    crossed.append((ax.get_title(), text.get_text(), line.get_label()))
    return crossed


def test_the_losses_annotations_are_not_drawn_over_a_curve(capture, tmp_path):
    """The "confident mistake" label of the sigmoid figure sat on the MSE gradient curve
    it points at (z from -8 to -6), so both were hard to read."""
    from examples import losses

    figures = capture(losses)
    losses.main(["--quick", "--out", str(tmp_path)])
    assert figures["sigmoid_mse_vs_ce"].axes[0].texts      # the label is still there
    for fig in figures.values():
        assert texts_over_lines(fig) == []


def lines_under_legend(fig: Any) -> list[tuple[str, str]]:
    """(axes title, label) of every labelled line that passes under its axes' legend
    (inside the axes: a legend placed outside them hides nothing)."""
    hidden = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box, inside = legend.get_window_extent(), ax.get_window_extent()
        for line in ax.get_lines():
            if line.get_label().startswith("_"):
                continue
            points = ax.transData.transform(np.column_stack(line.get_data()).astype(float))
            steps = np.linspace(0.0, 1.0, 20)[:, None, None]
            dense = (points[:-1] + steps * (points[1:] - points[:-1])).reshape(-1, 2)
            if any(box.contains(px, py) and inside.contains(px, py) for px, py in dense):
                hidden.append((ax.get_title(), line.get_label()))
    return hidden


def test_the_perceptron_loss_legend_hides_no_curve(capture, tmp_path):
    """The legend in the lower left hid the two-layer XOR curve from step 1000 to 1900,
    the one curve that shows XOR being learned."""
    from examples import perceptron

    figures = capture(perceptron)
    perceptron.main(["--quick", "--out", str(tmp_path)])
    fig = figures["loss"]
    assert "XOR (2-4-1)" in [line.get_label() for line in fig.axes[0].get_lines()]
    assert lines_under_legend(fig) == []
