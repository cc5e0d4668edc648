"""How trained variables make the network's parameters: directly, or as a norm times a direction.

An algorithm steps the variables ``v``; a parametrisation maps them to the
parameters ``p(v)`` the network uses, pulls the parameter gradient back to the
variables (``dL/dv = (dp/dv)^T dL/dp``), and may restore a constraint after a
step (``retract``, given the step ``eta dL/dv`` just taken). Adding a
reparametrised update (weight normalisation, the rho/V flows of Theory III, the
unit-norm methods of its sec. 10) adds a parametrisation, not a copy of an
algorithm.
"""

import math

import numpy as np


class ParametrisationError(ValueError):
    """A parametrisation that cannot be built with the given settings (a user error)."""


class Identity:
    """``p = v``: plain training of the weights."""

    name = "weights"

    def variables(self, xp, params, weight_mask):
        """The trained variables that give ``params``."""
        return list(params)

    def parameters(self, xp, variables, weight_mask):
        return variables

    def pullback(self, xp, variables, grads, weight_mask):
        return grads

    def retract(self, xp, variables, weight_mask, steps=None):
        pass


def _norm(xp, array):
    return xp.sqrt((array * array).sum())


RETRACTIONS = ("normalise", "lagrange")


class NormDirection:
    """``W_l = rho_l V_l / |V_l|_F`` for every weight matrix; biases trained directly.

    The norm steps on ``dL/drho = <G, u>`` (``G = dL/dW``, ``u = V/|V|``); the
    direction's step and what follows it pick one of the unit-norm methods of
    Theory III sec. 10-11 (all equal to first order in eta, sec. 10):

    * ``unit_directions=False``: weight normalisation (Salimans and Kingma
      2016; Theory III eq. 52-53, ``w = g v/|v|``), the tangent gradient
      ``dL/dV = (rho/|V|) S G``, ``S = I - u u^T``, without renormalising.
      The step is orthogonal to ``V``, so ``|V_{k+1}|^2 = |V_k|^2 + eta^2
      |dL/dV|^2``: ``|V|`` grows, where the flow keeps it (sec. 11.2);
    * ``unit_directions=True`` (``project=True``, ``retraction="normalise"``):
      the tangent gradient method (sec. 10.3, eq. 50), ``V <- V - eta rho S
      G``, then ``V <- V/|V|``; the discrete counterpart of the weight
      normalisation / Lagrange flow on the sphere (eq. 24-25, 54-55);
    * ``project=False``: the coefficient normalisation method (sec. 10.2, eq.
      49), the plain gradient of ``L(rho V)``, ``V <- V - eta rho G``, then
      normalised;
    * ``retraction="lagrange"``: the Lagrange multiplier method (sec. 10.1,
      eq. 42-48), ``V <- a V + g`` with ``g = -eta rho G`` (``project=False``)
      and the multiplier ``a = 1 + 2 lambda = sqrt(1 - |g|^2 + (V.g)^2) - V.g``
      (eq. 48) that puts ``V`` back on the sphere along the old ``V``. Where the
      step leaves no such point (``|g - (V.g) V| > 1``) the direction is NaN.

    Variables are ``[rho_1, V_1, (b_1,) rho_2, V_2, ...]``: each weight matrix
    becomes a scalar norm (shape ``()``) followed by its direction.
    """

    def __init__(self, unit_directions=False, project=True, retraction="normalise"):
        if retraction not in RETRACTIONS:
            raise ParametrisationError(f"unknown retraction {retraction!r}; choose from {', '.join(RETRACTIONS)}")
        if not unit_directions and (not project or retraction != "normalise"):
            raise ParametrisationError("project=False and the Lagrange retraction keep directions on the unit "
                                       "sphere: they need unit_directions=True")
        self.unit_directions = unit_directions
        self.project = project
        self.retraction = retraction
        self.name = self._method_name()

    def _method_name(self):
        if not self.unit_directions:
            return "weight_norm"
        return {(True, "normalise"): "rho_v", (False, "normalise"): "coefficient_norm",
                (False, "lagrange"): "lagrange", (True, "lagrange"): "tangent_lagrange"}[self.project, self.retraction]

    def variables(self, xp, params, weight_mask):
        out = []
        for param, is_weight in zip(params, weight_mask):
            if is_weight:
                norm = xp.sqrt((param * param).sum(keepdims=True)).reshape(())
                out += [norm, param / norm if self.unit_directions else param.copy()]
            else:
                out.append(param)
        return out

    def _slots(self, weight_mask):
        """``(is_weight, norm_slot, slot)`` per parameter: where its norm and its direction (or bias) sit."""
        index = 0
        for is_weight in weight_mask:
            if is_weight:
                yield True, index, index + 1
                index += 2
            else:
                yield False, None, index
                index += 1

    def norm(self, xp, variables, slot):
        """The norm ``rho`` of the weight whose norm variable sits at ``slot``."""
        return variables[slot]

    def norm_gradient(self, xp, variables, slot, radial):
        """The pulled-back gradient of the norm variable: ``dL/drho = <G, u>``."""
        return radial.reshape(())

    def parameters(self, xp, variables, weight_mask):
        params = []
        for is_weight, norm_slot, slot in self._slots(weight_mask):
            direction = variables[slot]
            params.append(self.norm(xp, variables, norm_slot) * direction / _norm(xp, direction) if is_weight
                          else direction)
        return params

    def direction_gradient(self, xp, rho, direction, grad):
        """``(<G, u>, (rho/|V|) S G)``, or ``(rho/|V|) G`` unprojected (coefficient normalisation, eq. 49)."""
        norm = _norm(xp, direction)
        unit = direction / norm
        radial = (grad * unit).sum()
        return radial, (rho / norm) * (grad - radial * unit if self.project else grad)

    def pullback(self, xp, variables, grads, weight_mask):
        out = [None] * len(variables)
        for (is_weight, norm_slot, slot), grad in zip(self._slots(weight_mask), grads):
            if not is_weight:
                out[slot] = grad
                continue
            radial, out[slot] = self.direction_gradient(xp, self.norm(xp, variables, norm_slot), variables[slot],
                                                        grad)
            out[norm_slot] = self.norm_gradient(xp, variables, norm_slot, radial)
        return out

    def retract(self, xp, variables, weight_mask, steps=None):
        """Put each direction back on the unit sphere (``unit_directions``); ``steps`` are ``eta dL/dv`` just taken."""
        if not self.unit_directions:
            return
        for is_weight, _, slot in self._slots(weight_mask):
            if is_weight:
                self._restore(xp, variables[slot], None if steps is None else steps[slot])

    def _restore(self, xp, direction, step):
        if self.retraction == "normalise":
            direction /= _norm(xp, direction)
            return
        if step is None:
            raise ParametrisationError("the Lagrange retraction needs the step just taken")
        previous = direction + step
        along = -(previous * step).sum()
        multiplier = xp.sqrt(1 - (step * step).sum() + along * along) - along
        direction[...] = multiplier * previous - step


def _inv_log(xp, t):
    return 1 / xp.log(t)


def _log(xp, t):
    return xp.log(t)


def _log_log(xp, t):
    return xp.log(xp.log(t))


def _exp(xp, t):
    return xp.exp(t)


SCHEDULES = {"inv_log": _inv_log, "log": _log, "log_log": _log_log, "exp": _exp}
DEFAULT_T0 = math.exp(math.e)  # log log t0 = 1: every named schedule is finite and positive from there


class PrescribedNorm(NormDirection):
    """``W_l = alpha(t) V_l / |V_l|``: the norm prescribed as a function of time, only directions trained (eq. 81).

    Theory III sec. 13.1 and eq. 81 (Fig. 7): ``rho`` is no longer trained but
    set to ``alpha(t)``, ``1/log t``, ``log t``, ``log log t`` or ``exp t``
    (``alpha`` = ``"inv_log"``, ``"log"``, ``"log_log"``, ``"exp"``, or a
    callable of ``t``, a 0-d array of the backend). The direction steps as in
    :class:`NormDirection` with ``rho = alpha(t)``: by default the tangent
    gradient, ``V' = -alpha S dL/dW`` at ``W = alpha V``, for a linear network
    ``V' = alpha sum_n e^{-alpha y_n V.x_n} S y_n x_n`` (eq. 81 with its ``rho``
    set to 1, the norm being ``alpha``; eq. 80 with ``rho = alpha(t)``), then
    normalised; ``project`` and ``retraction`` choose the other unit-norm
    methods.

    The clock is a variable: ``t = t0 + eta k`` after ``k`` steps, advanced by
    the shared step itself (its pulled-back gradient is ``-1``: the autonomous
    form, ``dt/dt = 1``, of the non-autonomous flow), in the parameters'
    dtype. Variables are ``[t, V_1, (b_1,) V_2, ...]``; every weight matrix
    gets the norm ``alpha(t)``. ``t0`` (default ``e^e``, where ``log log t =
    1``) must give a finite positive ``alpha``.
    """

    def __init__(self, alpha, t0=DEFAULT_T0, project=True, retraction="normalise"):
        super().__init__(True, project, retraction)
        if isinstance(alpha, str) and alpha in SCHEDULES:
            self.schedule, self._alpha = alpha, SCHEDULES[alpha]
        elif callable(alpha):
            self.schedule, self._alpha = getattr(alpha, "__name__", "callable"), lambda xp, t: alpha(t)
        else:
            raise ParametrisationError(f"alpha must be one of {', '.join(SCHEDULES)} or a callable, got {alpha!r}")
        self.t0 = float(t0)
        with np.errstate(all="ignore"):
            start = float(self.rho(np, np.asarray(self.t0)))
        if not (math.isfinite(start) and start > 0):
            raise ParametrisationError(f"alpha(t0 = {self.t0:g}) = {start:g}: it must be finite and positive")
        self.name = f"prescribed_{self.schedule}"

    def rho(self, xp, t):
        """``alpha(t)``, the prescribed norm at time ``t``."""
        return self._alpha(xp, t)

    def variables(self, xp, params, weight_mask):
        clock = xp.full((), self.t0, dtype=params[0].dtype)
        return [clock] + [param / _norm(xp, param) if is_weight else param
                          for param, is_weight in zip(params, weight_mask)]

    def _slots(self, weight_mask):
        for index, is_weight in enumerate(weight_mask, start=1):
            yield is_weight, 0 if is_weight else None, index

    def norm(self, xp, variables, slot):
        return self.rho(xp, variables[slot])

    def norm_gradient(self, xp, variables, slot, radial):
        """``-1`` for the clock: the shared step ``t <- t - eta (-1)`` advances it by eta."""
        return xp.full((), -1.0, dtype=variables[slot].dtype)
