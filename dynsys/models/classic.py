"""Classical vector fields with known answers, for the integrators' tests and for teaching."""

import inspect

import sympy

from dynsys.symbolic import Model


def harmonic():
    """Harmonic oscillator ``x' = v, v' = -omega^2 x``; energy ``(v^2 + omega^2 x^2)/2`` is conserved."""
    x, v = sympy.symbols("x v", real=True)
    omega = sympy.Symbol("omega", positive=True)
    return Model(
        "harmonic",
        (x, v),
        (omega,),
        {"omega": 1.0},
        rhs=[v, -(omega**2) * x],
        first_integral=(v**2 + omega**2 * x**2) / 2,
        description=inspect.getdoc(harmonic),
        equations="harmonic oscillator",
    )


def lotka_volterra():
    """Lotka-Volterra predator-prey (Lotka 1925, Volterra 1926).

    ``prey' = a prey - b prey predator``, ``predator' = c prey predator - d predator``;
    ``H = c prey - d ln prey + b predator - a ln predator`` is conserved and the
    coexistence point ``(d/c, a/b)`` is a centre.
    """
    prey, predator = sympy.symbols("prey predator", positive=True)
    a, b, c, d = sympy.symbols("a b c d", positive=True)
    return Model(
        "lotka_volterra",
        (prey, predator),
        (a, b, c, d),
        {"a": 1.5, "b": 1.0, "c": 1.0, "d": 3.0},
        rhs=[a * prey - b * prey * predator, c * prey * predator - d * predator],
        first_integral=c * prey - d * sympy.log(prey) + b * predator - a * sympy.log(predator),
        description=inspect.getdoc(lotka_volterra),
        equations="Lotka 1925; Volterra 1926",
    )


def van_der_pol():
    """Van der Pol oscillator ``x' = v, v' = mu (1 - x^2) v - x``; stiff for large ``mu``.

    Van der Pol 1926; Hairer, Norsett, Wanner, Solving ODEs I, sec. I.16.
    """
    x, v = sympy.symbols("x v", real=True)
    mu = sympy.Symbol("mu", nonnegative=True)
    return Model(
        "van_der_pol",
        (x, v),
        (mu,),
        {"mu": 1.0},
        rhs=[v, mu * (1 - x**2) * v - x],
        description=inspect.getdoc(van_der_pol),
        equations="van der Pol 1926",
    )


def arenstorf():
    """Restricted three-body problem (Arenstorf orbit), rotating frame, moon mass ratio ``mu``.

    Hairer, Norsett, Wanner, Solving ODEs I, sec. II.0, eq. 0.1:
    ``x'' = x + 2y' - mu'(x + mu)/D1 - mu(x - mu')/D2``, ``y'' = y - 2x' - mu' y/D1 - mu y/D2``,
    ``D1 = ((x + mu)^2 + y^2)^(3/2)``, ``D2 = ((x - mu')^2 + y^2)^(3/2)``, ``mu' = 1 - mu``.
    From ``(x, y, vx, vy) = (0.994, 0, 0, -2.00158510637908252240537862224)``
    the Arenstorf orbit is periodic with period ``17.0652165601579625588917206249``.
    """
    x, y, vx, vy = sympy.symbols("x y vx vy", real=True)
    mu = sympy.Symbol("mu", positive=True)
    mu_ = 1 - mu
    D1 = ((x + mu) ** 2 + y**2) ** sympy.Rational(3, 2)
    D2 = ((x - mu_) ** 2 + y**2) ** sympy.Rational(3, 2)
    return Model(
        "arenstorf",
        (x, y, vx, vy),
        (mu,),
        {"mu": 0.012277471},
        rhs=[vx, vy, x + 2 * vy - mu_ * (x + mu) / D1 - mu * (x - mu_) / D2, y - 2 * vx - mu_ * y / D1 - mu * y / D2],
        description=inspect.getdoc(arenstorf),
        equations="Hairer-Norsett-Wanner I, eq. II.0.1",
    )


def robertson():
    """Robertson's stiff chemical kinetics (Robertson 1966; Hairer, Wanner, Solving ODEs II, sec. IV.1).

    ``y1' = -k1 y1 + k3 y2 y3``, ``y2' = k1 y1 - k2 y2^2 - k3 y2 y3``, ``y3' = k2 y2^2``;
    the total ``y1 + y2 + y3`` is conserved; usually started at ``(1, 0, 0)``.
    """
    y1, y2, y3 = sympy.symbols("y1 y2 y3", real=True)
    k1, k2, k3 = sympy.symbols("k1 k2 k3", positive=True)
    return Model(
        "robertson",
        (y1, y2, y3),
        (k1, k2, k3),
        {"k1": 0.04, "k2": 3e7, "k3": 1e4},
        rhs=[-k1 * y1 + k3 * y2 * y3, k1 * y1 - k2 * y2**2 - k3 * y2 * y3, k2 * y2**2],
        first_integral=y1 + y2 + y3,
        description=inspect.getdoc(robertson),
        equations="Robertson 1966",
    )
