"""The reproduced figures: one module per figure, each with ``make(out_dir, quick) -> files``.

``FIGURES`` maps a figure's name to its module; ``make(name, out_dir, quick)``
builds one figure and returns the paths of the files written (PNG and PDF).
"""

import importlib

_NAMES = ("chain_phase_portrait", "chain_stability_map", "minnorm_fig1", "minnorm_fig2", "minnorm_fig3", "minnorm_fig4",
          "minnorm_fig5",
          "minnorm_fig6", "minnorm_fig7", "minnorm_fig8", "theory3_fig2", "theory3_fig3", "theory3_fig4",
          "theory3_fig5", "theory3_fig6", "theory3_fig7", "theory3_fig8",
          "slides_implicit_bias", "slides_early_stopping")


class _Registry(dict):
    """name -> module, imported on first use (matplotlib loads only when a figure is made)."""

    def __getitem__(self, name):
        module = dict.__getitem__(self, name)
        if module is None:
            module = importlib.import_module(f"{__name__}.{name}")
            dict.__setitem__(self, name, module)
        return module

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


FIGURES = _Registry.fromkeys(_NAMES)


def names():
    """The known figure names, in registry order."""
    return list(FIGURES)


def make(name, out_dir, quick=False):
    """Build figure ``name`` into ``out_dir``; return the list of files written."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure '{name}'; known: {', '.join(FIGURES)}")
    return list(FIGURES[name].make(out_dir, quick=quick))
