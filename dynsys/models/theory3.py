"""Theory III's one-layer linear network under the exponential loss, and its rho/V flows (Poggio et al. sec. 4.5-4.6, 11, 16).

``f(x) = W.x``, ``L = sum_n exp(-y_n W.x_n)``; ``W = rho V`` with ``|V| = 1``.
Four flows, each derived from its own definition:

* ``linear_exponential``: gradient descent on ``W`` (eq. 17, 23);
* ``linear_rho_v(..., "gd")``: the same flow in ``(rho, V)``, the polar lift
  of the ``W`` flow (eq. 18-21, 76-77), proved to reproduce it;
* ``linear_rho_v(..., "weight_norm")``: gradient descent on ``L(rho V)`` in
  ``rho``, tangent gradient in ``V`` (``V' = -S dL/dV``, ``S = I - V V^T``):
  weight normalisation (eq. 22, 52-55, 74, 80);
* ``linear_rho_v(..., "lagrange")``: gradient descent on ``L(rho V) +
  lambda (|V|^2 - 1)`` with ``lambda`` chosen so that ``|V|`` stays 1 (eq.
  24-25, dynamics A/B of sec. 4.5.2).

On the sphere every flow keeps ``|V| = 1``: the lift exactly (its ``S`` is
written ``I - V V^T / |V|^2``), the other two because ``d|V|^2/dt = 2 (1 -
|V|^2) V.(...)`` vanishes there (with the paper's ``S = I - V V^T``), so
``|V| = 1`` is invariant; integrate them from ``|V| = 1``.
"""

import inspect

import sympy

from dynsys.symbolic import Model, ModelError

from .shallow import shallow_classifier

rho = sympy.Symbol("rho", positive=True)
VARIANTS = ("gd", "weight_norm", "lagrange")
EXAMPLE_X = ((1, sympy.Rational(1, 4)), (sympy.Rational(1, 2), 1))  # two examples, both labelled +1 (Fig. 2)
EXAMPLE_LABELS = (1, 1)


def directions(d):
    """The direction variables ``v1 .. vd``."""
    return sympy.symbols(f"v1:{d + 1}", real=True)


def linear_exponential(X, labels, id=None, description=None, equations="Theory III eq. 17, 23"):
    """Gradient descent on the exponential loss of a linear network, ``dW/dt = sum_n y_n x_n exp(-y_n W.x_n)`` (Theory III eq. 23)."""
    return shallow_classifier(X, labels, loss="exponential", tau_value=1.0, id=id,
                              description=description or inspect.getdoc(linear_exponential), equations=equations)


def _tangent(gradient, V):
    """``S g`` with ``S = I - V V^T``, the projection onto the tangent space of the unit sphere (Theory III sec. 4.5)."""
    return gradient - (V.T * gradient)[0] * V


def linear_rho_v(X, labels, variant="gd", id=None, description=None):
    """A linear network's exponential-loss flow in ``(rho, V)``, ``W = rho V``: ``variant`` gd, weight_norm or lagrange.

    ``gd``: the polar lift of gradient descent on ``W``, ``rho' = V.W'``,
    ``V' = S W' / rho`` (Theory III eq. 18-21, 76-77). ``weight_norm``:
    ``rho' = -dL/drho``, ``V' = -S dL/dV`` on ``L(rho V)``, i.e. ``V' = rho S W'``
    (eq. 22, 54-55, 74). ``lagrange``: ``rho' = -dL/drho``, ``V' = -dL/dV - 2
    lambda V`` with ``lambda`` solving ``V.V' = 0`` on ``|V| = 1`` (eq. 24-25).
    """
    if variant not in VARIANTS:
        raise ModelError(f"unknown variant '{variant}'; known: {', '.join(VARIANTS)}")
    base = linear_exponential(X, labels)
    weights = [s for s in base.state]
    V = sympy.Matrix(directions(len(weights)))
    name = id or f"{base.id}_{variant}"
    text = description or inspect.getdoc(linear_rho_v)
    if variant == "gd":
        return base.polar(weights, rho, list(V), id=name, description=text, equations="Theory III eq. 18-21, 76-77")
    loss = base.objective.subs(dict(zip(weights, rho * V)), simultaneous=True)
    grad_V = sympy.Matrix([loss.diff(v) for v in V])
    if variant == "weight_norm":
        direction_rate = -_tangent(grad_V, V)
        equations = "Theory III eq. 22, 52-55, 74"
    else:
        lam = sympy.Symbol("lambda")
        rate = -grad_V - 2 * lam * V
        on_sphere = -(V.T * grad_V)[0] - 2 * lam  # V.V' with |V|^2 = 1
        (value,) = sympy.solve(on_sphere, lam)
        direction_rate = rate.subs(lam, value)
        equations = "Theory III eq. 24-25"
    (time_scale,) = base.params
    return Model(name, (rho, *V), base.params, base.defaults,
                 rhs=[-loss.diff(rho) / time_scale, *(direction_rate / time_scale)],
                 description=text, equations=equations)


def theory3_linear_gd():
    """Theory III Fig. 2's linear network: two parameters, two examples, exponential loss, gradient descent on W (eq. 23)."""
    return linear_exponential(EXAMPLE_X, EXAMPLE_LABELS, id="theory3_linear_gd",
                              description=inspect.getdoc(theory3_linear_gd))


def theory3_linear_rho_v():
    """Fig. 2's network, gradient descent on W written in (rho, V): the polar lift, proved (Theory III eq. 18-21)."""
    return linear_rho_v(EXAMPLE_X, EXAMPLE_LABELS, "gd", id="theory3_linear_rho_v",
                        description=inspect.getdoc(theory3_linear_rho_v))


def theory3_weight_norm():
    """Fig. 2's network under weight normalisation: tangent gradient on the sphere (Theory III eq. 22, 52-55)."""
    return linear_rho_v(EXAMPLE_X, EXAMPLE_LABELS, "weight_norm", id="theory3_weight_norm",
                        description=inspect.getdoc(theory3_weight_norm))


def theory3_lagrange():
    """Fig. 2's network with the unit-norm constraint by a Lagrange multiplier (Theory III eq. 24-25)."""
    return linear_rho_v(EXAMPLE_X, EXAMPLE_LABELS, "lagrange", id="theory3_lagrange",
                        description=inspect.getdoc(theory3_lagrange))
