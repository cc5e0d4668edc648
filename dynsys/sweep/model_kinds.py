"""The sweep kinds of a registered model: ``simulate`` and ``stability`` (issue 10).

Both take a model id as target (``dynsys.models.get``). Grid axes, and options
of the same names that fix a value for the whole sweep, are the model's
parameters by name and, for ``simulate``, initial values ``y0_<state>``
(``y0_wbar``). Unknown names, a model that does not exist and bad options
raise ``SweepError`` before any point runs (``check``).

``simulate`` integrates the compiled flow from 0 to ``t1`` (options ``t1``,
``method`` dop853, ``rtol``, ``atol``, ``max_steps``; output at ``n_eval``
equally spaced times) and returns per point the final state (one variable per
state name), ``success``/``status`` of the solve, the decay ``rate`` and
``t_converged`` (see ``decay``), and ``fixed_point``/``class``: the index and
class of the closed-form fixed point the final state lies within ``tol``
(relative) of (-1 and ``'none'`` when there is none; ``'unknown'`` for a
model without closed-form fixed points). The initial state is the list ``y0``,
or the fixed point chosen by ``point`` (default 0) plus ``delta``; ``y0_<state>``
overrides one component. The distance in ``decay`` is to that fixed point when
``point`` or ``delta`` is given (``point`` coordinates are taken as given), else
to the final state. Defaults: ``SIMULATE_DEFAULTS``; the fit window ends at
1e-5 of the initial distance, which must stay well above the solver's error
``rtol |y|`` (from 1e-3 off the fixed point at rtol 1e-8, the rates of slow
spirals came out half their eq. 18 value: hence rtol 1e-10).

``stability`` returns per point the fixed point chosen by ``point`` (an index
among the model's closed-form fixed points that are real at the point's
parameters, in the order of ``Model.fixed_points()`` solved once for symbolic
parameters, which may differ from that of a solve at numeric ones; or
coordinates), its ``class``
(``classify``'s rules: the eigenvalues of the Jacobian, zero rounding at
``1000 eps max|J|``), ``max_real`` (the largest real part of its eigenvalues),
the eigenvalues ``eig_real``/``eig_imag`` (LAPACK's order) and
``n_fixed_points``. A missing k-th point gives class ``'none'`` and NaN; a
family of fixed points (free coordinates) is ``'degenerate'`` with NaN, as in
``dynsys.stability.classified_fixed_points``, which is used point by point
for models without closed-form fixed points (a numeric search: slow).

``point`` runs one point (``solve_ivp`` for ``simulate``); ``batch`` runs
many, ``simulate`` in ONE ``dynsys.integrate.ensemble`` call (numba, parallel
threads), with the fixed points, Jacobians and classes evaluated vectorised.
Both feed the same vectorised analysis, and an ensemble member is bit-for-bit
the ``solve_ivp`` solution, so the executor changes no result (a failed point's
``error`` text aside: the point executors prefix the exception's type).
"""

import functools
import json

import numpy as np
import sympy

from dynsys.integrate import METHODS, ensemble, solve_ivp
from dynsys.symbolic import ModelError

from .grid import SweepError
from .kinds import Kind, register

SIMULATE_DEFAULTS = {"t1": 100.0, "method": "dop853", "rtol": 1e-10, "atol": 1e-12, "max_steps": 100_000,
                     "n_eval": 201, "window": [1e-1, 1e-5], "eps": 1e-4, "tol": 1e-6,
                     "y0": None, "delta": None, "point": None}
STABILITY_DEFAULTS = {"point": 0}
SIMULATE_OUTPUTS = ("success", "status", "rate", "t_converged", "fixed_point", "class")
STABILITY_OUTPUTS = ("n_fixed_points", "class", "max_real", "eig_real", "eig_imag")
MIN_FIT_POINTS = 5  # output times in the fit window, at least
ROWS = 2048  # members analysed at a time (bounds the memory of the (members x times) arrays)
EPS = np.finfo(float).eps
NAN_COMPLEX = complex(np.nan, np.nan)


# --- options ---------------------------------------------------------------------------------------------------

def _positive(options, name, integer=False):
    value = options[name]
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not np.isfinite(value) or value <= 0:
        raise SweepError(f"option {name} must be a positive {'integer' if integer else 'number'}, got {value!r}")
    return int(value) if integer else float(value)


def _vector(name, value, length=None):
    """A list of finite floats from a list, a number or a comma-separated string (``--option y0=1,0.5``)."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [value]
    try:
        if any(isinstance(v, bool) for v in items):
            raise TypeError
        array = np.array([float(v) for v in items])
    except (TypeError, ValueError):
        raise SweepError(f"option {name} must be a number or a list of numbers, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise SweepError(f"option {name} must be finite, got {value!r}")
    if length is not None and len(array) != length:
        raise SweepError(f"option {name} needs {length} numbers, got {len(array)}")
    return array


# --- the model's closed-form fixed points, Jacobian and classes, vectorised over members ------------------------

class _Analysis:
    """A model's right-hand side, Jacobian and closed-form fixed points as functions of
    ``(Z, P)``: arrays (m, n_state) of states and (m, n_params) of parameters."""

    def __init__(self, model):
        self.model = model
        self.n = len(model.state)
        args = [*model.state, *model.params]
        self._rhs = [sympy.lambdify(args, f, "numpy") for f in model.rhs]
        self._jac = [sympy.lambdify(args, e, "numpy") for e in model.jacobian()]
        try:
            found = model.fixed_points()
        except ModelError:
            found = None
        self.closed = found is not None
        self._points, self.family = [], []
        for fixed_point in found or ():
            coords = [sympy.sympify(fixed_point.point[v]) for v in model.state]
            self._points.append([sympy.lambdify(args, c, "numpy") for c in coords])
            self.family.append(any(c.free_symbols & set(model.state) for c in coords))

    def _evaluate(self, functions, Z, P):
        """Each function at every member, as an (m, len(functions)) float array (NaN where not real)."""
        m = len(P)
        args = [Z[:, i] for i in range(self.n)] + [P[:, j] for j in range(P.shape[1])]
        out = np.empty((m, len(functions)))
        with np.errstate(all="ignore"):
            for k, f in enumerate(functions):
                value = np.asarray(f(*args))
                if np.iscomplexobj(value):
                    value = np.where(np.abs(value.imag) <= 1e-12 * np.maximum(1.0, np.abs(value)), value.real, np.nan)
                out[:, k] = np.broadcast_to(value.astype(float), (m,))
        return out

    def rhs(self, Z, P):
        return self._evaluate(self._rhs, Z, P)

    def jacobian(self, Z, P):
        return self._evaluate(self._jac, Z, P).reshape(len(P), self.n, self.n)

    def residual_ok(self, Z, P):
        """Whether ``f(Z) = 0`` to ``classify``'s tolerance, ``1e-8 max(1, max|J| max|z|)``; and ``max|f|``."""
        J = self.jacobian(Z, P)
        residual = np.max(np.abs(self.rhs(Z, P)), axis=1)
        scale = np.max(np.abs(J), axis=(1, 2)) * np.max(np.abs(Z), axis=1, initial=1.0)
        with np.errstate(invalid="ignore"):
            return residual <= 1e-8 * np.maximum(1.0, scale), residual

    def fixed_points(self, P, Y=None):
        """(k, m, n): the k closed-form fixed points per member, NaN where one is not real or not a root
        at that member's parameters; a family's free coordinates are taken from ``Y`` (NaN without)."""
        m = len(P)
        out = np.full((len(self._points), m, self.n), np.nan)
        for i, (functions, family) in enumerate(zip(self._points, self.family)):
            if family and Y is None:
                continue
            Z = self._evaluate(functions, np.zeros((m, self.n)) if Y is None else Y, P)
            ok, _ = self.residual_ok(Z, P)
            out[i] = np.where((ok & np.all(np.isfinite(Z), axis=1))[:, None], Z, np.nan)
        return out

    def present(self, P):
        """(k, m): whether closed-form fixed point k exists at each member's parameters (a family always);
        a point's index is its rank among those present (``Model.fixed_points(params=...)``'s numbering)."""
        return np.all(np.isfinite(self.fixed_points(P)), axis=2) | np.array(self.family, bool)[:, None]

    def rank(self, P):
        """(k, m): the index of each closed-form fixed point among those present (-1 where absent)."""
        present = self.present(P)
        return np.where(present, np.cumsum(present, axis=0) - 1, -1)

    def chosen(self, P, point):
        """(m, n): the fixed point ``point`` (an index, or coordinates) per member, NaN where absent or a
        family; and (m,) whether it is a family."""
        m = len(P)
        if not isinstance(point, int):
            return np.broadcast_to(point, (m, self.n)).astype(float), np.zeros(m, bool)
        out, family = np.full((m, self.n), np.nan), np.zeros(m, bool)
        Z, rank = self.fixed_points(P), self.rank(P)
        for k in range(len(Z)):
            hit = rank[k] == point
            out[hit] = Z[k][hit]
            family |= hit & self.family[k]
        return out, family

    def classify(self, Z, P):
        """Eigenvalues (m, n) and classes (m,) of the Jacobian at ``Z``; rows with a NaN: NaN and 'none'."""
        J = self.jacobian(Z, P)
        finite = np.all(np.isfinite(J), axis=(1, 2)) & np.all(np.isfinite(Z), axis=1)
        eig = np.full((len(P), self.n), NAN_COMPLEX)
        if finite.any():
            eig[finite] = np.linalg.eigvals(J[finite])
        return eig, classes(eig, np.where(finite, np.max(np.abs(J), axis=(1, 2)), np.nan))


@functools.lru_cache(maxsize=8)
def _analysis(target):
    return _Analysis(_model(target))


def _model(target):
    from dynsys.models import get

    try:
        return get(str(target))
    except ModelError as error:
        raise SweepError(str(error)) from None


def classes(eig, scale, tol=1e-6):
    """The class of each row of eigenvalues ``eig`` (m, n): the rules of
    ``dynsys.symbolic.analysis.stability.classify_eigenvalues`` (same ``tol``; zero within
    ``1000 eps scale``), vectorised. A row with a NaN is ``'none'`` (no fixed point there)."""
    eig = np.asarray(eig, dtype=complex)
    scale = np.broadcast_to(np.asarray(scale, float), (len(eig),))
    modulus = np.abs(eig)
    with np.errstate(invalid="ignore"):
        zero = np.any(modulus <= 1e3 * EPS * np.maximum(scale, np.finfo(float).tiny)[:, None], axis=1)
        on_axis = np.abs(eig.real) <= tol * modulus
        real = np.abs(eig.imag) <= tol * modulus
        stable = np.all(eig.real < 0, axis=1)
        saddle = np.any(~on_axis & (eig.real > 0), axis=1) & np.any(~on_axis & (eig.real < 0), axis=1)
    sign = np.where(stable, "stable", "unstable").astype(object)
    out = sign + np.where(np.all(real, axis=1), " node", " spiral").astype(object)
    # the rules in reverse order of precedence: a later one overrides
    out[np.any(on_axis, axis=1)] = "degenerate"
    out[saddle] = "saddle"
    out[np.all(on_axis, axis=1)] = "centre"
    out[zero] = "degenerate"
    out[~np.all(np.isfinite(eig), axis=1)] = "none"
    return out


# --- one sweep's setup: the model with the options checked ------------------------------------------------------

class _Setup:
    """``kind``'s sweep of model ``target`` with ``options`` (validated; defaults filled in)."""

    def __init__(self, kind, target, options):
        self.kind = kind
        self.analysis = _analysis(target)
        model = self.model = self.analysis.model
        self.states = [v.name for v in model.state]
        self.params = [p.name for p in model.params]
        defaults = SIMULATE_DEFAULTS if kind == "simulate" else STABILITY_DEFAULTS
        self.initial_names = {f"y0_{s}": i for i, s in enumerate(self.states)} if kind == "simulate" else {}
        outputs = SIMULATE_OUTPUTS if kind == "simulate" else STABILITY_OUTPUTS
        clash = sorted(((set(self.params) | set(self.initial_names)) & set(defaults))
                       | (set(self.states) & (set(outputs) | {"failed", "error"})))
        if clash:
            raise SweepError(f"model '{model.id}' names {', '.join(clash)} like options or results of the "
                             f"{kind} kind; it cannot be swept")
        unknown = sorted(set(options) - set(defaults) - set(self.params) - set(self.initial_names))
        if unknown:
            raise SweepError(f"unknown option {unknown[0]!r} for {kind} of '{model.id}'; options: "
                             f"{', '.join(defaults)}, the parameters ({', '.join(self.params)})"
                             + (" and y0_<state>" if self.initial_names else ""))
        self.given = set(options)
        self.options = {**defaults, **options}
        self.fixed = {name: options[name] for name in self.params if name in options}
        try:
            self.base = model.param_values(**self.fixed)
        except ModelError as error:
            raise SweepError(str(error)) from None
        self.point = self._point(self.options["point"])
        if kind == "simulate":
            self._simulate_options()

    def _point(self, value):
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise SweepError(f"option point must be an index >= 0 or {self.analysis.n} coordinates, got {value}")
            if self.kind == "simulate" and not self.analysis.closed:
                raise SweepError(f"model '{self.model.id}' has no closed-form fixed points: give point as "
                                 f"{self.analysis.n} coordinates")
            return value
        return _vector("point", value, self.analysis.n)

    def _simulate_options(self):
        o = self.options
        self.t1 = _positive(o, "t1")
        self.rtol, self.atol = _positive(o, "rtol"), _positive(o, "atol")
        self.max_steps = _positive(o, "max_steps", integer=True)
        self.n_eval = _positive(o, "n_eval", integer=True)
        self.eps, self.tol = _positive(o, "eps"), _positive(o, "tol")
        if self.n_eval < 2:
            raise SweepError(f"option n_eval must be at least 2, got {self.n_eval}")
        if o["method"] not in METHODS:
            raise SweepError(f"option method must be one of {', '.join(METHODS)}, got {o['method']!r}")
        self.window = _vector("window", o["window"], 2)
        if not 1 >= self.window[0] > self.window[1] > 0:
            raise SweepError(f"option window must be two fractions 1 >= start > stop > 0 of the initial distance, "
                             f"got {o['window']!r}")
        if o["y0"] is not None and o["delta"] is not None:
            raise SweepError("give either y0 or delta (added to the fixed point chosen by point), not both")
        self.y0 = None if o["y0"] is None else _vector("y0", o["y0"], self.analysis.n)
        self.delta = None if o["delta"] is None else _vector("delta", o["delta"])
        if self.delta is not None and len(self.delta) not in (1, self.analysis.n):
            raise SweepError(f"option delta needs 1 or {self.analysis.n} numbers, got {len(self.delta)}")
        if self.delta is not None and self.point is None:
            self.point = self._point(0)
        for name in self.initial_names:
            if name in self.given:
                _vector(name, self.options[name], 1)
        self.t_eval = np.linspace(0.0, self.t1, self.n_eval)

    def check(self, grid):
        """Every axis a parameter (its values valid) or an initial value; every initial value given."""
        names = [a.name for a in grid.axes]
        for axis in grid.axes:
            if axis.name in self.given:
                raise SweepError(f"'{axis.name}' is both a grid axis and an option")
            if axis.name in self.params:
                for value in axis.values:
                    try:
                        self.model.param_values(**{**self.fixed, axis.name: value})
                    except ModelError as error:
                        raise SweepError(f"grid axis '{axis.name}': {error}") from None
            elif axis.name not in self.initial_names:
                raise SweepError(f"grid axis '{axis.name}' is not a parameter of model '{self.model.id}' "
                                 f"({', '.join(self.params)})"
                                 + (f" nor an initial value ({', '.join(self.initial_names)})"
                                    if self.initial_names else ""))
        if self.kind == "simulate" and self.y0 is None and self.delta is None:
            given = set(names) | set(self.options)
            missing = [s for s in self.initial_names if s not in given]
            if missing:
                raise SweepError(f"simulate needs initial values: give y0 (a list), delta (with point), or "
                                 f"{', '.join(missing)}")

    def parameters(self, points):
        """(m, n_params): the parameter vector of each point (defaults, options, then the grid's values)."""
        P = np.tile([self.base[name] for name in self.params], (len(points), 1))
        for j, name in enumerate(self.params):
            if name in points[0][0]:
                P[:, j] = [values[name] for values, _ in points]
        return P

    def known(self, points):
        """Raise for a point with a value that is neither a parameter nor an initial value (``check`` not run)."""
        known = set(self.params) | set(self.initial_names)
        for values, _ in points:
            unknown = set(values) - known
            if unknown:
                raise SweepError(f"'{sorted(unknown)[0]}' is not a parameter or initial value of '{self.model.id}'")


@functools.lru_cache(maxsize=16)
def _setup(kind, target, options_json):
    return _Setup(kind, target, json.loads(options_json))


def _get_setup(kind, target, options):
    return _setup(kind, str(target), json.dumps(options or {}, sort_keys=True))


# --- simulate ---------------------------------------------------------------------------------------------------

def decay(t, y, reference, window, eps):
    """Decay rate and convergence time of each member (m,) from its states ``y`` (m, n, n_t) at times ``t``.

    ``d(t) = |y(t) - reference| / d(0)``; the rate is minus the least-squares slope
    of ``ln d`` against ``t`` from the first output time with ``d < window[0]`` to
    the last before the first with ``d < window[1]`` (at least ``MIN_FIT_POINTS``
    times; else NaN); ``t_converged`` is the first output time with ``d < eps``
    (NaN if none). ``reference=None``: the final state, and the last output time,
    where ``d = 0`` by definition, is left out.
    """
    if reference is None:
        reference = y[:, :, -1]
        y = y[:, :, :-1]
        t = t[:-1]
    m, _, n_t = y.shape
    rates, times = np.full(m, np.nan), np.full(m, np.nan)
    k = np.arange(n_t)
    for lo in range(0, m, ROWS):
        rows = slice(lo, lo + ROWS)
        distance = np.linalg.norm(y[rows] - reference[rows, :, None], axis=1)
        with np.errstate(all="ignore"):
            d = distance / distance[:, :1]
            start = np.argmax(d < window[0], axis=1)
            stop = np.argmax(d < window[1], axis=1)
            index = np.arange(len(d))
            fits = (d[index, start] < window[0]) & (d[index, stop] < window[1]) & (stop - start >= MIN_FIT_POINTS)
            mask = (k >= start[:, None]) & (k < stop[:, None]) & fits[:, None]
            count = mask.sum(axis=1)
            log_d = np.where(mask, np.log(np.where(mask, d, 1.0)), 0.0)
            t_centred = np.where(mask, t - (np.where(mask, t, 0.0).sum(axis=1) / count)[:, None], 0.0)
            l_centred = np.where(mask, log_d - (log_d.sum(axis=1) / count)[:, None], 0.0)
            slope = (t_centred * l_centred).sum(axis=1) / (t_centred * t_centred).sum(axis=1)
            rates[rows] = np.where(fits, -slope, np.nan)
            below = d < eps
            first = np.argmax(below, axis=1)
            times[rows] = np.where(below[index, first], t[first], np.nan)
    return rates, times


def _initial_states(setup, points, P):
    """(m, n) initial states, the (m, n) reference fixed point (or None) and a message per point that has none."""
    m, n = len(points), setup.analysis.n
    y0 = np.full((m, n), np.nan) if setup.y0 is None else np.tile(setup.y0, (m, 1))
    reference = None if setup.point is None else setup.analysis.chosen(P, setup.point)[0]
    if setup.delta is not None:
        y0 = reference + setup.delta
    for name, i in setup.initial_names.items():
        if name in points[0][0]:
            y0[:, i] = [values[name] for values, _ in points]
        elif name in setup.options:
            y0[:, i] = float(setup.options[name])
    errors = [None] * m
    for j in np.nonzero(~np.all(np.isfinite(y0), axis=1))[0]:
        errors[j] = (f"fixed point {setup.point} does not exist at these parameters" if setup.delta is not None
                     else "no initial value")
    return y0, reference, errors


def _converged(setup, final, P):
    """Index (or -1) and class of the fixed point each final state lies within ``tol`` (relative) of."""
    analysis = setup.analysis
    if not analysis.closed:
        return np.full(len(P), -1), np.full(len(P), "unknown", dtype=object)
    if not analysis.family:  # no fixed point at all
        return np.full(len(P), -1), np.full(len(P), "none", dtype=object)
    Z = analysis.fixed_points(P, Y=final)  # families: their point through the final state's free coordinates
    with np.errstate(invalid="ignore"):
        distance = np.linalg.norm(Z - final[None], axis=2)
        close = distance <= setup.tol * np.maximum(1.0, np.linalg.norm(Z, axis=2))
    nearest = np.argmin(np.where(close, distance, np.inf), axis=0)
    members = np.arange(len(P))
    reached = close.any(axis=0)
    chosen = np.where(reached[:, None], Z[nearest, members], np.nan)
    _, found = analysis.classify(chosen, P)
    return np.where(reached, analysis.rank(P)[nearest, members], -1), found


def _simulate(setup, points, solve):
    """The outcomes of ``points`` from ``solve(y0s, P) -> (y (m, n, n_t), status (m,))``."""
    setup.known(points)
    P = setup.parameters(points)
    y0, reference, errors = _initial_states(setup, points, P)
    run = np.array([e is None for e in errors])
    outcomes = [("error", e) for e in errors]
    if not run.any():
        return outcomes
    y, status = solve(np.ascontiguousarray(y0[run]), np.ascontiguousarray(P[run]))
    final = y[:, :, -1]
    rates, times = decay(setup.t_eval, y, None if reference is None else reference[run], setup.window, setup.eps)
    index, found = _converged(setup, final, P[run])
    for j, i in enumerate(np.nonzero(run)[0]):
        result = {name: float(final[j, s]) for s, name in enumerate(setup.states)}
        result.update(success=bool(status[j] >= 0), status=int(status[j]), rate=float(rates[j]),
                      t_converged=float(times[j]), fixed_point=int(index[j]), **{"class": str(found[j])})
        outcomes[i] = ("ok", result)
    return outcomes


def _solve_ensemble(setup):
    def solve(y0s, P):
        result = ensemble(setup.model.compile(), (0.0, setup.t1), y0s, params=P, method=setup.options["method"],
                          t_eval=setup.t_eval, rtol=setup.rtol, atol=setup.atol, max_steps=setup.max_steps)
        return result.y, result.status
    return solve


def _solve_one(setup):
    def solve(y0s, P):
        result = solve_ivp(setup.model.compile(), (0.0, setup.t1), y0s[0], method=setup.options["method"],
                           t_eval=setup.t_eval, rtol=setup.rtol, atol=setup.atol, args=(P[0],),
                           max_steps=setup.max_steps)
        y = np.full((1, setup.analysis.n, setup.n_eval), np.nan)
        y[0, :, :result.y.shape[1]] = result.y  # a failed solve stops early: NaN after, as in ensemble
        return y, np.array([result.status])
    return solve


# --- stability --------------------------------------------------------------------------------------------------

def _stability(setup, points):
    setup.known(points)
    P = setup.parameters(points)
    if not setup.analysis.closed:
        return [_stability_numeric(setup, P[j]) for j in range(len(points))]
    analysis = setup.analysis
    Z, family = analysis.chosen(P, setup.point)
    eig, found = analysis.classify(Z, P)
    found[family] = "degenerate"
    counts = analysis.present(P).sum(axis=0)
    ok, residual = analysis.residual_ok(Z, P)
    outcomes = []
    for j in range(len(points)):
        if not isinstance(setup.point, int) and not ok[j]:
            where = dict(zip(setup.states, map(float, setup.point)))
            outcomes.append(("error", f"{where} is not a fixed point at these parameters (|f| = {residual[j]:.3g})"))
        else:
            outcomes.append(("ok", _stability_result(setup, Z[j], eig[j], found[j], counts[j])))
    return outcomes


def _stability_result(setup, z, eig, class_, count):
    result = {name: float(z[s]) for s, name in enumerate(setup.states)}
    with np.errstate(invalid="ignore"):
        max_real = float(np.max(eig.real)) if np.all(np.isfinite(eig)) else np.nan
    result.update(n_fixed_points=int(count), max_real=max_real, eig_real=np.real(eig).astype(float),
                  eig_imag=np.imag(eig).astype(float), **{"class": str(class_)})
    return result


def _stability_numeric(setup, p):
    """One point of a model without closed-form fixed points: ``classified_fixed_points`` (a numeric search)."""
    from dynsys.stability import classified_fixed_points

    values = dict(zip(setup.params, map(float, p)))
    try:
        found = classified_fixed_points(setup.model, values)
        if isinstance(setup.point, int):
            chosen = found[setup.point] if setup.point < len(found) else None
        else:
            at = setup.model.classify(values, dict(zip(setup.states, setup.point)))
            chosen = {"point": dict(zip(setup.states, setup.point)), "class": at.class_, "eigenvalues": at.eigenvalues}
    except ModelError as error:
        return "error", str(error)
    n = setup.analysis.n
    if chosen is None or "family" in chosen:
        z, eig, class_ = np.full(n, np.nan), np.full(n, NAN_COMPLEX), "none" if chosen is None else "degenerate"
    else:
        z = np.array([chosen["point"][s] for s in setup.states], float)
        eig, class_ = np.asarray(chosen["eigenvalues"], complex), chosen["class"]
    return "ok", _stability_result(setup, z, eig, class_, len(found))


# --- the kinds --------------------------------------------------------------------------------------------------

class _Point:
    """The picklable point function of ``kind`` (a worker rebuilds the model once: ``_setup`` is cached)."""

    def __init__(self, kind, target, options):
        self.kind, self.target, self.options = kind, str(target), dict(options or {})

    def __call__(self, values, seed):
        status, result = _run(self.kind, self.target, self.options, [(values, seed)], batch=False)[0]
        if status != "ok":
            raise ValueError(result)
        return result


def _run(kind, target, options, points, batch):
    setup = _get_setup(kind, target, options)
    if not points:
        return []
    if kind == "stability":
        return _stability(setup, points)
    return _simulate(setup, points, _solve_ensemble(setup) if batch else _solve_one(setup))


def _kind(name, description):
    def point(target, options):
        _get_setup(name, target, options)  # bad target or options: SweepError now
        return _Point(name, target, options)

    def batch(target, options, points):
        return _run(name, target, options, points, batch=True)

    def check(target, options, grid):
        _get_setup(name, target, options).check(grid)

    return register(Kind(name, description, point, batch=batch, check=check))


SIMULATE = _kind("simulate", "simulate a model: final state, decay rate, the fixed point reached and its class")
STABILITY = _kind("stability", "a model's fixed point: its class, max Re(eigenvalue), the number of fixed points")
