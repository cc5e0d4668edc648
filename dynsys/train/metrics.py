"""What is recorded after each epoch: losses, errors, weight norms, the capacity measure, active multipliers."""

import numpy as np

from .losses import classification_error, is_classification


def weight_norm(xp, weights):
    """``sum_l |W_l|_F^2``, the weight norm of Minnorm Fig. 6D."""
    return float(sum((W * W).sum() for W in weights))


def capacity(xp, weights):
    """The norm-based capacity measure of Minnorm Fig. 6E (Neyshabur et al. 2018, constants dropped).

    ``sqrt( prod_l |W_l|_2^2 * sum_l |W_l|_F^2 / |W_l|_2^2 )`` with ``|.|_2`` the
    spectral norm (largest singular value).
    """
    frobenius = np.array([float((W * W).sum()) for W in weights])
    if not np.all(np.isfinite(frobenius)):
        return float("nan")
    spectral = np.array([_spectral_norm_squared(xp, W) for W in weights])
    if not np.all(spectral > 0):
        return float("nan")
    return float(np.sqrt(np.prod(spectral) * np.sum(frobenius / spectral)))


def _spectral_norm_squared(xp, W):
    """``|W|_2^2``, the top eigenvalue of the smaller Gram matrix (half the time of an SVD)."""
    gram = W.T @ W if W.shape[1] <= W.shape[0] else W @ W.T
    return float(xp.linalg.eigvalsh(gram)[-1])


def active_fraction(xp, alpha):
    """Fraction of examples with a nonzero multiplier for at least one output (Minnorm Fig. 6C)."""
    return float((alpha != 0).any(axis=1).mean())


def evaluate(xp, network, params, parts, loss, alpha=None):
    """The metrics of one epoch as floats: ``{part}_loss`` (mean), ``{part}_error`` (classification), norms."""
    row = {}
    for name, (X, y) in parts.items():
        f = network.forward(xp, params, X)
        row[f"{name}_loss"] = float(loss.value(xp, f, y).mean())
        if is_classification(y):
            row[f"{name}_error"] = classification_error(xp, f, y)
    weights = network.weights(params)
    row["weight_norm"] = weight_norm(xp, weights)
    row["capacity"] = capacity(xp, weights)
    if alpha is not None:
        row["nonzero_multipliers"] = active_fraction(xp, alpha)
    return row
