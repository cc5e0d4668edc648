"""The one shared figure style: Agg backend, rcParams, atomic PNG + PDF output."""

import os

import matplotlib

matplotlib.use("Agg")  # before pyplot: figures are written to files, never shown

import matplotlib.pyplot as plt  # noqa: E402

from dynsys.io import atomic_open  # noqa: E402

_UMASK = os.umask(0)
os.umask(_UMASK)

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 10,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": False,
    "lines.linewidth": 1.2,
    "figure.constrained_layout.use": True,
    "pdf.fonttype": 42,
}
plt.rcParams.update(RC)

# Colours shared by the figures: the fixed point / minimum-norm points, the flow, discrete iterates.
POINT = "#d62728"
FLOW = "#1f77b4"
DISCRETE = "#ff7f0e"
MANIFOLD = "0.35"
CLASS_COLOURS = {"stable spiral": "#9ecae1", "stable node": "#fdd0a2", "centre": "#c7e9c0",
                 "degenerate": "0.8", "saddle": "#fcbba1", "unstable node": "#dadaeb", "unstable spiral": "#bcbddc"}


def figure(ncols=1, nrows=1, width=3.4, height=3.1, **kwargs):
    """A figure of ``nrows x ncols`` panels, each about ``width x height`` inches."""
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **kwargs)


def save(fig, out_dir, name):
    """Write ``fig`` as ``out_dir/name.png`` and ``.pdf`` atomically; close it; return both paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = os.path.join(os.fspath(out_dir), f"{name}.{ext}")
        with atomic_open(path, "wb") as handle:
            fig.savefig(handle, format=ext)
        os.chmod(path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        paths.append(path)
    plt.close(fig)
    return paths
