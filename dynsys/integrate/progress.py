"""Progress on long solves: the time span cut into chunks, and a tqdm bar.

Each chunk is one kernel call; ``solve_ivp`` carries the state, the step size
the kernel proposed at the chunk's end (``h_last``) and the event counts from
one chunk to the next, so the chunks add up to one solve
(``dynsys.integrate.ivp._integrate``); each chunk costs one more evaluation at
its start and usually one more step, cut short to end on its edge.
"""

import numpy as np

N_CHUNKS = 100


def chunk_edges(t0, t1, t_eval=None, fixed_step=None, n_chunks=N_CHUNKS):
    """Chunk boundaries from t0 to t1.

    Quantiles of ``t_eval`` when given (so log-spaced output gives log-spaced
    chunks), else geometric when t0 and t1 have the same sign and span three
    decades or more, else even. For a fixed-step method the inner edges are
    rounded to its step grid, so chunking does not add steps.
    """
    if t_eval is not None and t_eval.size >= 2:
        picks = np.unique(np.linspace(0, t_eval.size - 1, n_chunks + 1).round().astype(int))
        inner = t_eval[picks]
    elif t0 * t1 > 0 and max(abs(t0), abs(t1)) / min(abs(t0), abs(t1)) >= 1e3:
        inner = np.sign(t1) * np.geomspace(abs(t0), abs(t1), n_chunks + 1)
    else:
        inner = np.linspace(t0, t1, n_chunks + 1)
    if fixed_step is not None:
        inner = t0 + np.round((inner - t0) / fixed_step) * fixed_step
    sign = np.sign(t1 - t0)
    inner = np.unique(inner[((inner - t0) * sign > 0) & ((t1 - inner) * sign > 0)])
    if sign < 0:
        inner = inner[::-1]
    return [float(t0), *map(float, inner), float(t1)]


def bar(total, method, t1):
    """A tqdm bar over ``total`` chunks."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"{method} to t = {t1:g}", unit="chunk")
