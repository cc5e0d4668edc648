"""An interactive phase portrait: one slider per parameter, the portrait and the class redrawn live.

``explore(model, ...)`` builds the figure and returns ``(fig, sliders)``;
moving a slider (or ``slider.set_val(v)``, which is how the tests drive it
headless on the Agg backend) redraws the portrait with
``dynsys.teach.phase_portrait`` and rewrites the text box with each fixed
point's class and eigenvalues. Showing the window is the caller's business
(``dynsys explore`` calls ``plt.show()``).
"""

import matplotlib.pyplot as plt
from matplotlib.widgets import Slider

from .portrait import format_eigenvalues, phase_portrait


def slider_range(symbol, default):
    """``(lo, hi)`` for a parameter: from its default and its assumptions.

    positive: ``[default/100, 3 default]`` (never 0); nonnegative: ``[0, 3 default]``;
    otherwise ``[-3|default|, 3|default|]``; a zero default gives a span of 1.
    """
    d = abs(float(default))
    scale = 3 * d if d > 0 else 1.0
    if symbol.is_positive:
        return (d / 100 if d > 0 else 1e-3, scale)
    if symbol.is_nonnegative:
        return (0.0, scale)
    return (-scale, scale)


def describe(portrait):
    """The text box: one line per fixed point, its class and eigenvalues."""
    lines = []
    for p in portrait.fixed_points:
        point = ", ".join(f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}" for k, v in p["point"].items())
        lines.append(f"({point}): {p['class']}")
        if p["eigenvalues"]:
            lines.append(f"    lambda = {format_eigenvalues(p['eigenvalues'])}")
    return "\n".join(lines) or "no fixed points found"


def explore(model, params=None, x=None, y=None, fixed=None, box=None, starts=3, t1=None):
    """The interactive figure for ``model``: returns ``(fig, sliders)`` (sliders by parameter name).

    ``fig.portrait`` holds the latest :class:`Portrait`, ``fig.info`` the text box.
    """
    values = model.param_values(**(params or {}))
    n = len(model.params)
    fig = plt.figure(figsize=(7.5, 6.0 + 0.3 * n), layout="none")
    bottom = 0.08 + 0.045 * n
    ax = fig.add_axes([0.1, bottom + 0.08, 0.55, 0.82 - bottom])
    info = fig.text(0.68, 0.9, "", va="top", ha="left", fontsize=8, family="monospace", wrap=True,
                    bbox={"boxstyle": "round", "facecolor": "0.95", "edgecolor": "0.6"})
    sliders = {}
    for i, symbol in enumerate(model.params):
        lo, hi = slider_range(symbol, model.defaults[symbol.name])
        v = values[symbol.name]
        lo, hi = min(lo, v), max(hi, v)
        slider_ax = fig.add_axes([0.18, 0.03 + 0.045 * (n - 1 - i), 0.6, 0.03])
        sliders[symbol.name] = Slider(slider_ax, symbol.name, lo, hi, valinit=v)

    def redraw(_=None):
        current = {name: float(s.val) for name, s in sliders.items()}
        ax.clear()
        try:
            portrait = phase_portrait(ax, model, current, x=x, y=y, fixed=fixed, box=box, starts=starts, t1=t1,
                                      density=0.8, n_grid=25, n_t=200, legend=False)
        except Exception as error:  # an interactive tool reports, it does not crash
            fig.portrait = None
            info.set_text(f"cannot draw: {error}")
        else:
            fig.portrait = portrait
            info.set_text(describe(portrait))
        fig.canvas.draw_idle()

    for s in sliders.values():
        s.on_changed(redraw)
    fig.info = info
    fig.sliders = sliders
    redraw()
    return fig, sliders
