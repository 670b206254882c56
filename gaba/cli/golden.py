"""``gaba golden {nwta,wta}``: many trials of the float reference or the fixed-point model."""

from __future__ import annotations

import json
import time

from gaba.cli.common import (
    Progress,
    add_output,
    add_seed,
    checked,
    config,
    fmt,
    network_args,
    params,
    positive_int,
)

__all__ = ["register"]


def register(sub) -> None:
    g = sub.add_parser("golden", help="run the float or fixed-point model over many trials")
    network_args(g)
    g.add_argument(
        "--model",
        choices=["float", "fixed"],
        default="fixed",
        help="float reference or fixed-point golden model (default fixed)",
    )
    g.add_argument("--trials", type=positive_int, default=200, help="trials (default 200)")
    add_seed(g)
    add_output(g)
    g.set_defaults(func=_golden)


def _golden(args):
    from gaba.golden import fixed, reference

    network = checked("golden", lambda: params(args))
    progress = Progress(f"golden {args.kind} n={network.n} ({args.model})", enabled=not args.quiet)
    start = time.monotonic()
    if args.model == "float":
        res = reference.simulate_float(network, args.trials, args.seed, progress=progress)
        extra = {}
    else:
        cfg = checked("golden", lambda: config(args, network))
        res = fixed.run_trials(cfg, args.trials, args.seed, progress=progress)
        extra = {
            "frac_bits": cfg.frac_bits,
            "x_guard_bits": cfg.x_guard_bits,
            "config_digest": cfg.digest(),
            "eta_saturated_trials": int(res.eta_sat.sum()),
            "r_saturated_trials": int(res.r_sat.sum()),
        }
    seconds = time.monotonic() - start
    out = {
        "kind": args.kind,
        "model": args.model,
        "n": network.n,
        "delta": args.delta,
        "sigma": args.sigma,
        "theta": args.theta,
        "seed": args.seed,
        **res.summary(),
        "mean_decision_steps": _mean_steps(res),
        **extra,
        "seconds": round(seconds, 3),
    }
    print(json.dumps(out) if args.json else _summary_text(out))
    return 0


def _mean_steps(res):
    return float(res.steps[res.decided].mean()) if res.decided.any() else None


def _summary_text(o):
    lines = [
        f"{o['kind']} n={o['n']} delta={o['delta']} sigma={o['sigma']} ({o['model']} model, "
        f"{o['trials']} trials, seed {o['seed']}, {o['seconds']:.2f} s)",
        f"  decided            {100 * o['decided_fraction']:.1f} % of trials",
        f"  mean decision time {fmt(o['mean_decision_time'], o['mean_decision_time_se'], 2)}"
        " tau (decided trials)",
        f"  accuracy           {fmt(o['accuracy'], o['accuracy_se'])} (decided trials)",
    ]
    if o.get("eta_saturated_trials"):
        lines.append(f"  WARNING: eta saturated in {o['eta_saturated_trials']} trials")
    if o.get("r_saturated_trials"):
        lines.append(f"  WARNING: r saturated in {o['r_saturated_trials']} trials")
    return "\n".join(lines)
