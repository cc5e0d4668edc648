"""Training experiments run by ``dynsys train EXPERIMENT``: each a module with ``run(...)`` and ``table(...)``."""

import importlib

EXPERIMENTS = {"mnist": "Minnorm sec. 4: SGD, weight decay and Minnorm on MNIST (Table 1, Fig. 6, 7)"}


class ExperimentError(ValueError):
    """An unknown experiment (a user error)."""


def get(name):
    """The module of experiment ``name``."""
    if name not in EXPERIMENTS:
        raise ExperimentError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")
    return importlib.import_module(f"{__name__}.{name}")
