"""The ``dynsys phase`` and ``dynsys explore`` commands (``dynsys.cli`` only wires them here)."""

import os
import sys


def _checked(model, x, y, fixed, error):
    from .portrait import plane

    try:
        x, y = plane(model, x, y)
    except ValueError as exc:
        raise error(str(exc)) from None
    names = [s.name for s in model.state]
    for name in fixed:
        if name not in names:
            raise error(f"unknown state variable '{name}' for --fix; state: {', '.join(names)}")
        if name in (x, y):
            raise error(f"--fix {name}: '{name}' is plotted; fix only the other state variables")
    return x, y


def phase(args, model, params, fixed, error):
    """Write the portrait to ``args.out`` (PNG or PDF, atomically); print or return the fixed points."""
    from dynsys.figures import style
    from dynsys.io import atomic_open, check_writable

    from .portrait import format_eigenvalues, phase_portrait

    values = model.param_values(**params)
    x, y = _checked(model, args.x, args.y, fixed, error)
    ext = os.path.splitext(args.out)[1].lower().lstrip(".")
    if ext not in ("png", "pdf"):
        raise error(f"--out must end in .png or .pdf, got {args.out!r}")
    check_writable(args.out)
    fig, axes = style.figure(width=5.6, height=5.2)
    try:
        box = None if args.box is None else {x: args.box, y: args.box}
        portrait = phase_portrait(axes[0, 0], model, values, x=x, y=y, fixed=fixed, box=box)
    except ValueError as exc:
        style.plt.close(fig)
        raise error(str(exc)) from None
    with atomic_open(args.out, "wb") as handle:
        fig.savefig(handle, format=ext)
    style.plt.close(fig)
    document = {"id": model.id, "params": values, "x": x, "y": y, "fixed": portrait.fixed,
                "fixed_points": portrait.as_json(), "out": args.out}
    if args.json:
        return document
    print(f"{model.id} at " + ", ".join(f"{k} = {v:g}" for k, v in values.items())
          + (f"; plane ({x}, {y}), " + ", ".join(f"{k} = {v:.6g}" for k, v in portrait.fixed.items())
             if portrait.fixed else ""))
    for p in portrait.fixed_points:
        point = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}" for k, v in p["point"].items())
        print(f"  fixed point ({point}): {p['class']}")
        if p["eigenvalues"]:
            print(f"    eigenvalues {format_eigenvalues(p['eigenvalues'])}")
    print(f"  wrote {args.out}")
    return None


def _interactive_backend(error):
    import matplotlib.pyplot as plt

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise error("no display for an interactive window; use `dynsys phase ID --out FILE.png` instead")
    for backend in ("QtAgg", "TkAgg", "GTK4Agg", "GTK3Agg", "MacOSX", "WXAgg"):
        try:
            plt.switch_backend(backend)
            return plt
        except Exception:  # noqa: BLE001 - that toolkit is not installed: try the next
            continue
    raise error("no interactive matplotlib backend (Qt, Tk, GTK, macOS) available; use `dynsys phase` instead")


def explore(args, model, params, fixed, error):
    """Open the interactive window (blocks until it is closed)."""
    values = model.param_values(**params)
    x, y = _checked(model, args.x, args.y, fixed, error)
    plt = _interactive_backend(error)
    from .explore import explore as build

    fig, sliders = build(model, values, x=x, y=y, fixed=fixed)
    plt.show()
    document = {"id": model.id, "params": {k: float(s.val) for k, s in sliders.items()}, "x": x, "y": y}
    return document if args.json else None
