'''Your own model from a file: ``load_model_file(path)`` reads a TOML or a Python file.

Every command that takes a model id also takes ``--model-file F`` (the id may
then be left out; if given it must equal the file's id).

TOML
----
The state and the parameters are named with their SymPy assumptions (one of
``real``, ``positive``, ``negative``, ``nonnegative``, ``nonpositive``,
``nonzero``, ``integer``, ``finite``, ``complex``, or several in a list or a
comma-separated string); each parameter has a default. Then either an
``objective`` with the groups that move on it (``[[descent]]``: ``tau dx/dt =
-dL/dx``; ``[[ascent]]``: ``tau dalpha/dt = rate dL/dalpha``; ``tau`` and
``rate`` default to 1) or the vector field in ``[rhs]`` (which may use the time
``t``; optional ``[projections]``, ``alpha = "nonnegative"``). The Minnorm
chain (``dynsys.models.get("chain_minnorm")``)::

    id = "chain_minnorm_file"
    description = "Linear chain, Minnorm dual ascent on the augmented Lagrangian"
    equations = "Minnorm eq. 3, 12-14"     # optional
    objective = "(w1**2 + w2**2)/2 + alpha*(y - w2*w1*x) + rho/2*(w2*w1*x - y)**2"
    # first_integral = "..."               # optional, a known conserved quantity

    [state]
    w1 = "real"
    w2 = "real"
    alpha = "real"

    [params]
    x = { assume = "real", default = 1.0 }
    y = { assume = "real", default = 1.0 }
    tau = { assume = "positive", default = 1.0 }
    rho = { assume = "nonnegative", default = 0.3 }
    r = { assume = "positive", default = 2.0 }

    [[descent]]
    variables = ["w1", "w2"]
    tau = "tau"

    [[ascent]]
    variables = ["alpha"]
    tau = "tau"
    rate = "r"
    # projection = "nonnegative"           # for the multiplier of an inequality

An explicit field replaces ``objective`` and the groups by::

    [rhs]
    theta = "omega"
    omega = "-g/L*sin(theta) - b*omega"

Expressions are parsed strictly: only the declared symbols (and ``t`` in
``[rhs]``), numbers, ``+ - * / **`` and the functions ``exp log sqrt sin cos
tan tanh Abs Max Min`` and constants ``pi E``; an undefined name is an error,
never a new symbol, and there is no implicit multiplication (``2x`` is an
error, write ``2*x``).

Python
------
A file that defines ``model``, a ``dynsys.symbolic.Model`` or a function
without arguments returning one (``def model(): return Model(...)``). It is
run with ``runpy``; a failure is reported at the line of the file where it
happened.

Every mistake in a file is a ``ModelFileError`` (a ``ModelError``, exit status
2 on the command line) whose one-line message is ``FILE:LINE: what``.
'''

import re
import runpy
import tomllib
import traceback
from pathlib import Path

import sympy
from sympy.parsing.sympy_parser import auto_number, parse_expr

from dynsys.symbolic import Ascent, Descent, Model, ModelError
from dynsys.symbolic import t as TIME
from dynsys.symbolic.params import check_value

ASSUMPTIONS = ("real", "positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer", "finite", "complex")
FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "tanh": sympy.tanh, "Abs": sympy.Abs, "Max": sympy.Max, "Min": sympy.Min,
    "pi": sympy.pi, "E": sympy.E,
}
# What auto_number's generated code calls; nothing else is reachable from an expression.
_GLOBALS = {"__builtins__": {}, "Integer": sympy.Integer, "Float": sympy.Float, "Rational": sympy.Rational}
_TOP_KEYS = {"id", "description", "equations", "objective", "first_integral", "state", "params", "descent",
             "ascent", "rhs", "projections"}
_GROUP_KEYS = {"descent": {"variables", "tau"}, "ascent": {"variables", "tau", "rate", "projection"}}


class ModelFileError(ModelError):
    """A mistake in a model file; the message is one line, ``FILE:LINE: what``."""

    def __init__(self, path, line, message):
        self.path, self.line = str(path), int(line)
        super().__init__(f"{path}:{line}: {' '.join(str(message).split())}")


def load_model_file(path):
    """The model defined in the TOML or Python file ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ModelError(f"cannot read model file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ModelError(f"cannot read model file {path}: not UTF-8 text ({error.reason})") from None
    if path.suffix == ".toml":
        return _TomlModel(path, text).build()
    if path.suffix == ".py":
        return _load_python(path)
    raise ModelError(f"model file {path}: expected a .toml or .py file")


# --------------------------------------------------------------------- TOML


class _TomlModel:
    def __init__(self, path, text):
        self.path, self.text, self.lines = path, text, text.splitlines()

    def error(self, line, message):
        return ModelFileError(self.path, line, message)

    # Where a key is: the line of ``key =`` inside the section (the n-th ``[[section]]`` for arrays).
    def line_of(self, key=None, section=None, index=0):
        start, end = 0, len(self.lines)
        if section is not None:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(section)}\s*\]\]?\s*(#.*)?$")
            found = [i for i, line in enumerate(self.lines) if header.match(line)]
            if index >= len(found):
                return self._key_line(section, 0, end) or 1
            start = found[index]
            following = [i for i, line in enumerate(self.lines) if i > start and re.match(r"^\s*\[", line)]
            end = following[0] if following else end
            if key is None:
                return start + 1
        else:
            tables = [i for i, line in enumerate(self.lines) if re.match(r"^\s*\[", line)]
            end = tables[0] if tables else end
        return self._key_line(key, start, end) or start + 1

    def _key_line(self, key, start, end):
        pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[=.]""")
        for i in range(start, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return None

    def build(self):
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"\(at line (\d+), column \d+\)", str(error))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
            raise self.error(match.group(1) if match else 1, f"not valid TOML: {message}") from None
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise self.error(self.line_of(unknown[0]), f"unknown key '{unknown[0]}'; keys: {', '.join(sorted(_TOP_KEYS))}")
        self.id = self.string(data, "id", required=True)
        self.symbols = {}
        state = self.declare(data, "state")
        self.state_names = {s.name for s in state}
        params = self.declare(data, "params")
        defaults = {p.name: d for p, d in params}
        params = [p for p, _ in params]
        meta = dict(
            description=self.string(data, "description") or "",
            equations=self.string(data, "equations") or "",
        )
        has_objective, has_rhs = "objective" in data, "rhs" in data
        if has_objective and has_rhs:
            raise self.error(self.line_of(section="rhs"), "give either 'objective' (with groups) or [rhs], not both")
        if has_objective:
            for key in ("projections",):
                if key in data:
                    raise self.error(self.line_of(section=key), f"[{key}] is for [rhs] models; put projection = ... in the group")
            line = self.line_of("objective")
            meta.update(objective=self.expression(self.string(data, "objective"), line, "objective"),
                        groups=self.groups(data))
        elif has_rhs:
            for kind in _GROUP_KEYS:
                if kind in data:
                    raise self.error(self.line_of(section=kind), f"[[{kind}]] needs an 'objective', not [rhs]")
            line = self.line_of(section="rhs")
            meta.update(rhs=self.field(data["rhs"], state), projections=self.projections(data, state))
        else:
            raise self.error(1, "missing 'objective' (with [[descent]]/[[ascent]] groups) or [rhs] section")
        if "first_integral" in data:
            fi_line = self.line_of("first_integral")
            meta["first_integral"] = self.expression(self.string(data, "first_integral"), fi_line, "first_integral")
        try:
            return Model(self.id, state, params, defaults, **meta)
        except ModelError as error:
            raise self.error(line, str(error)) from None

    def string(self, data, key, required=False):
        if key not in data:
            if required:
                raise self.error(1, f"missing '{key}'")
            return None
        if not isinstance(data[key], str):
            raise self.error(self.line_of(key), f"'{key}' must be a string")
        return data[key]

    def assumptions(self, spec, line, name):
        if isinstance(spec, str):
            spec = [s for s in re.split(r"[,\s]+", spec) if s]
        if not isinstance(spec, list) or not all(isinstance(s, str) for s in spec):
            raise self.error(line, f"assumptions of '{name}' must be a string or a list of strings")
        bad = [s for s in spec if s not in ASSUMPTIONS]
        if bad:
            raise self.error(line, f"unknown assumption '{bad[0]}' for '{name}'; known: {', '.join(ASSUMPTIONS)}")
        return {s: True for s in spec}

    def declare(self, data, section):
        if section not in data:
            raise self.error(1, f"missing [{section}] section")
        table = data[section]
        if not isinstance(table, dict):
            raise self.error(self.line_of(section), f"'{section}' must be a table [{section}]")
        if section == "state" and not table:
            raise self.error(self.line_of(section=section), "[state] names no variable")
        declared = []
        for name, spec in table.items():
            line = self.line_of(name, section)
            if not name.isidentifier() or name in FUNCTIONS or name in _GLOBALS:
                raise self.error(line, f"'{name}' cannot be a symbol name")
            if name in self.symbols:
                raise self.error(line, f"'{name}' is declared twice (state and params)")
            if name == TIME.name:
                raise self.error(line, "'t' is the time symbol; it cannot be a state variable or parameter")
            default = None
            if section == "params":
                if isinstance(spec, dict):
                    extra = sorted(set(spec) - {"assume", "default"})
                    if extra:
                        raise self.error(line, f"parameter '{name}': unknown field '{extra[0]}' (use assume, default)")
                    default = spec.get("default")
                    spec = spec.get("assume", [])
                if isinstance(default, bool) or not isinstance(default, (int, float)):
                    raise self.error(line, f"parameter '{name}' needs a number default: {name} = "
                                           f'{{ assume = "real", default = 1.0 }}')
            symbol = sympy.Symbol(name, **self.assumptions(spec, line, name))
            if default is not None:
                try:
                    check_value(self.id, symbol, default)
                except ModelError as error:
                    raise self.error(line, str(error)) from None
            self.symbols[name] = symbol
            declared.append(symbol if section == "state" else (symbol, float(default)))
        return declared

    def expression(self, text, line, where, time=False):
        if not isinstance(text, str):
            raise self.error(line, f"{where} must be a string expression")
        local = {**FUNCTIONS, **self.symbols}
        if time:
            local[TIME.name] = TIME
        try:
            value = parse_expr(text, local_dict=local, global_dict=dict(_GLOBALS), transformations=(auto_number,))
        except NameError as error:
            match = re.search(r"name '(\w+)' is not defined", str(error))
            name = match.group(1) if match else str(error)
            raise self.error(line, f"undefined symbol '{name}' in {where} (declare it in [state] or [params])") from None
        except Exception as error:  # SyntaxError, TokenError, TypeError ...: the text is no expression
            detail = error.msg if isinstance(error, SyntaxError) else error
            raise self.error(line, f"cannot parse {where} {text!r}: {type(error).__name__}: {detail}") from None
        if not isinstance(value, sympy.Expr):
            raise self.error(line, f"{where} {text!r} is not an expression")
        return value

    def state_variable(self, name, line, where):
        if name not in self.symbols:
            raise self.error(line, f"{where} names '{name}', which is not declared")
        symbol = self.symbols[name]
        if name not in self.state_names:
            raise self.error(line, f"{where} names '{name}', which is a parameter, not a state variable")
        return symbol

    def groups(self, data):
        groups = []
        for kind in ("descent", "ascent"):
            entries = data.get(kind, [])
            if isinstance(entries, dict) or not isinstance(entries, list):
                raise self.error(self.line_of(kind), f"groups are written [[{kind}]]")
            for index, entry in enumerate(entries):
                header = self.line_of(section=kind, index=index)
                extra = sorted(set(entry) - _GROUP_KEYS[kind])
                if extra:
                    raise self.error(self.line_of(extra[0], kind, index),
                                     f"unknown field '{extra[0]}' in [[{kind}]]; fields: {', '.join(sorted(_GROUP_KEYS[kind]))}")
                line = self.line_of("variables", kind, index)
                names = entry.get("variables")
                if isinstance(names, str):
                    names = [names]
                if not names or not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise self.error(header, f"[[{kind}]] needs variables = [\"...\", ...]")
                variables = [self.state_variable(n, line, f"[[{kind}]]") for n in names]
                coefficients = {
                    name: self.expression(str(entry.get(name, 1)), self.line_of(name, kind, index), f"[[{kind}]] {name}")
                    for name in ("tau", "rate") if name in _GROUP_KEYS[kind]
                }
                projection = entry.get("projection")
                try:
                    group = (Descent if kind == "descent" else Ascent)(variables, **coefficients, projection=projection)
                except ModelError as error:
                    raise self.error(self.line_of("projection", kind, index), str(error)) from None
                groups.append(group)
        if not groups:
            raise self.error(self.line_of("objective"), "an objective needs [[descent]] and/or [[ascent]] groups")
        return groups

    def field(self, table, state):
        if not isinstance(table, dict):
            raise self.error(self.line_of("rhs"), "'rhs' must be a table [rhs]")
        for name in table:
            self.state_variable(name, self.line_of(name, "rhs"), "[rhs]")
        missing = [s.name for s in state if s.name not in table]
        if missing:
            raise self.error(self.line_of(section="rhs"), f"[rhs] has no right-hand side for '{missing[0]}'")
        return [self.expression(table[s.name], self.line_of(s.name, "rhs"), f"rhs of {s.name}", time=True)
                for s in state]

    def projections(self, data, state):
        table = data.get("projections")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.error(self.line_of("projections"), "'projections' must be a table [projections]")
        result = {}
        for name, kind in table.items():
            line = self.line_of(name, "projections")
            symbol = self.state_variable(name, line, "[projections]")
            if kind not in ("nonnegative",):
                raise self.error(line, f"unknown projection {kind!r}; known: 'nonnegative'")
            result[symbol] = kind
        return result


# ------------------------------------------------------------------- Python


def _line_in(path, tb, default=1):
    """The line of ``path`` in the traceback ``tb`` nearest to where the error was raised."""
    target = str(Path(path).resolve())
    line = default
    for frame in traceback.extract_tb(tb):
        try:
            if str(Path(frame.filename).resolve()) == target:
                line = frame.lineno
        except OSError:
            continue
    return line


def _load_python(path):
    try:
        namespace = runpy.run_path(str(path), run_name="__dynsys_model__")
    except SyntaxError as error:
        raise ModelFileError(path, error.lineno or 1, f"SyntaxError: {error.msg}") from None
    except Exception as error:
        raise ModelFileError(path, _line_in(path, error.__traceback__), f"{type(error).__name__}: {error}") from None
    if "model" not in namespace:
        raise ModelFileError(path, 1, "defines no 'model' (a dynsys.symbolic.Model, or def model(): returning one)")
    model = namespace["model"]
    line = 1
    if callable(model) and not isinstance(model, Model):
        line = getattr(getattr(model, "__code__", None), "co_firstlineno", 1)
        try:
            model = model()
        except Exception as error:
            raise ModelFileError(path, _line_in(path, error.__traceback__, line), f"{type(error).__name__}: {error}") from None
    else:
        text = Path(path).read_text(encoding="utf-8").splitlines()
        line = next((i + 1 for i, s in enumerate(text) if re.match(r"^model\s*(:[^=]*)?=", s)), 1)
    if not isinstance(model, Model):
        raise ModelFileError(path, line, f"'model' is a {type(model).__name__}, not a dynsys.symbolic.Model")
    return model
