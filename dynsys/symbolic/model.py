"""A dynamical system in SymPy: state, parameters and the vector field.

A model is built either from an objective and the groups that move on it (the
flow is then *derived*: ``Descent`` gives ``tau dx/dt = -dL/dx``, ``Ascent``
gives ``tau dalpha/dt = r dL/dalpha``, Minnorm eq. 9, 12-14) or from an
explicit vector field, which may depend on the time symbol ``t``.
Reductions (``substitute``, ``restrict``, ``change_variables``) return new
models carrying the proofs that justify them; the analysis functions of
``dynsys.symbolic.analysis`` are also available as methods.
"""

import sympy

from . import reductions
from .analysis import equilibria, invariants, linear, stability
from .errors import ModelError
from .groups import PROJECTIONS
from .params import resolve
from .symbols import t


class Model:
    """A vector field ``d state/dt = rhs`` with named, assumption-carrying parameters.

    Give either ``objective`` with ``groups`` (a ``Descent``/``Ascent`` per set
    of state variables, covering the state exactly once) or ``rhs`` (one
    expression per state variable, optionally with ``projections``: a dict
    ``{variable: "nonnegative"}``). ``defaults`` maps every parameter name to
    a float that satisfies the symbol's assumptions. ``first_integral`` is an
    optional known conserved quantity.
    """

    def __init__(
        self,
        id,
        state,
        params,
        defaults,
        *,
        objective=None,
        groups=(),
        rhs=None,
        projections=None,
        description="",
        equations="",
        first_integral=None,
        proofs=(),
    ):
        self.id = id
        self.state = tuple(state)
        self.params = tuple(params)
        self.description = description
        self.equations = equations
        self.proofs = list(proofs)
        self.first_integral = None if first_integral is None else sympy.sympify(first_integral)
        self._check_symbols()
        self.defaults = resolve(id, self.params, {}, dict(defaults))
        if (objective is None) == (rhs is None):
            raise ModelError(f"model '{id}' needs either an objective with groups or an explicit rhs")
        if objective is not None:
            if projections is not None:
                raise ModelError(f"model '{id}': projections of an objective model belong to its groups")
            self.objective = sympy.sympify(objective)
            self.groups = tuple(groups)
            self.rhs = self._derive()
            self.projections = {v: g.projection for g in self.groups if g.projection for v in g.variables}
        else:
            if groups:
                raise ModelError(f"model '{id}': groups need an objective")
            self.objective = None
            self.groups = ()
            self.rhs = sympy.ImmutableMatrix(list(rhs))
            self.projections = dict(projections or {})
            if self.rhs.shape != (len(self.state), 1):
                raise ModelError(
                    f"model '{id}': {self.rhs.shape[0]} right-hand sides for {len(self.state)} state variables"
                )
        self._check_free_symbols()
        self._flow = None

    def __repr__(self):
        return f"Model({self.id!r}, state={self.state}, params={self.params})"

    def _check_symbols(self):
        names = [s.name for s in self.state + self.params]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ModelError(f"model '{self.id}': symbol names used twice: {', '.join(duplicated)}")
        if t in self.state + self.params:
            raise ModelError(f"model '{self.id}': the time symbol t cannot be a state variable or parameter")

    def _derive(self):
        owner = {}
        for group in self.groups:
            for v in group.variables:
                if v in owner:
                    raise ModelError(f"model '{self.id}': {v} is in two groups")
                owner[v] = group
        if set(owner) != set(self.state):
            raise ModelError(
                f"model '{self.id}': groups cover {sorted(map(str, owner))}, state is {list(map(str, self.state))}"
            )
        return sympy.ImmutableMatrix([owner[v].velocity(self.objective, v) for v in self.state])

    def _check_free_symbols(self):
        known = set(self.state) | set(self.params) | {t}
        used = set(self.rhs.free_symbols)
        if self.objective is not None:
            used |= self.objective.free_symbols
        unknown = sorted(map(str, used - known))
        if unknown:
            raise ModelError(f"model '{self.id}': symbols neither state nor parameters: {', '.join(unknown)}")
        for v, kind in self.projections.items():
            if v not in self.state:
                raise ModelError(f"model '{self.id}': projection on {v}, which is not a state variable")
            if kind not in PROJECTIONS:
                raise ModelError(f"model '{self.id}': unknown projection {kind!r}")

    @property
    def projected_rhs(self):
        """The rhs with each projection applied (Minnorm App. A: ``alpha >= 0``).

        For ``alpha`` kept nonnegative the projected flow is ``dalpha/dt = f``
        while ``alpha > 0`` or ``f > 0``, else 0: the flow limit of
        ``alpha <- max(alpha + s f, 0)`` (eq. 41).
        """
        if not self.projections:
            return self.rhs
        rows = []
        for v, f in zip(self.state, self.rhs):
            if v in self.projections:
                f = sympy.Piecewise((f, (v > 0) | (f > 0)), (0, True))
            rows.append(f)
        return sympy.ImmutableMatrix(rows)

    def param_values(self, **overrides):
        """Every parameter's value by name: the defaults updated by ``overrides``, each checked."""
        return resolve(self.id, self.params, self.defaults, overrides)

    def symbol_values(self, **overrides):
        """``param_values`` keyed by the parameter symbols, as exact rationals for SymPy."""
        values = self.param_values(**overrides)
        return {p: sympy.nsimplify(values[p.name], rational=True) for p in self.params}

    def with_defaults(self, **overrides):
        """The same model with other default parameter values."""
        return self.rebuild(defaults=self.param_values(**overrides))

    def rebuild(self, **changes):
        """A new model with some fields changed; giving ``rhs`` drops the objective."""
        fields = dict(
            id=self.id,
            state=self.state,
            params=self.params,
            defaults=self.defaults,
            description=self.description,
            equations=self.equations,
            first_integral=self.first_integral,
            proofs=self.proofs,
        )
        if self.objective is not None and "rhs" not in changes:
            fields.update(objective=self.objective, groups=self.groups)
        else:
            fields.update(rhs=self.rhs, projections=self.projections)
        fields.update(changes)
        return Model(fields.pop("id"), fields.pop("state"), fields.pop("params"), fields.pop("defaults"), **fields)

    def compile(self):
        """The numba-compiled flow for the integrators (cached): projections applied."""
        if self._flow is None:
            from dynsys.codegen import compile_flow

            rhs = self.projected_rhs
            self._flow = compile_flow(
                self.state,
                self.params,
                list(rhs),
                jacobian=rhs.jacobian(self.state),
                name=self.id,
                defaults=[self.defaults[p.name] for p in self.params],
            )
        return self._flow

    # Reductions: each returns a new model with its proof appended.
    def substitute(self, values, **meta):
        return reductions.substitute(self, values, **meta)

    def restrict(self, manifold, **meta):
        return reductions.restrict(self, manifold, **meta)

    def change_variables(self, mapping, inverse=None, **meta):
        return reductions.change_variables(self, mapping, inverse, **meta)

    def polar(self, weights, norm, directions, **meta):
        return reductions.polar(self, weights, norm, directions, **meta)

    # Analysis (see dynsys.symbolic.analysis).
    def fixed_points(self, params=None, box=None, **options):
        return equilibria.fixed_points(self, params, box, **options)

    def jacobian(self):
        return linear.jacobian(self)

    def eigenvalues(self, point, params=None):
        return linear.eigenvalues(self, point, params)

    def stability_conditions(self, point):
        return stability.stability_conditions(self, point)

    def classify(self, params, point, **options):
        return stability.classify(self, params, point, **options)

    def is_conserved(self, H):
        return invariants.is_conserved(self, H)

    def decay_law(self, Q, name="Q"):
        return invariants.decay_law(self, Q, name)

    def find_first_integral(self):
        """Search for a conserved quantity (``first_integral`` is the known one, if any)."""
        return invariants.first_integral(self)
