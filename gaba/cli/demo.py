"""``gaba demo``: the main job at a small default: generate the Verilog, simulate it under
cocotb on Verilator, compare it with the golden model trial by trial, summarise."""

from __future__ import annotations

import math

from gaba.cli.common import (
    UsageError,
    add_seed,
    checked,
    fmt,
    positive_int,
    simulator_errors,
    stage,
    write_output,
)

__all__ = ["register"]


def register(sub) -> None:
    d = sub.add_parser(
        "demo", help="generate, simulate on Verilator, compare with the golden model"
    )
    d.add_argument("--n", type=positive_int, default=16, help="number of options (default 16)")
    d.add_argument("--trials", type=positive_int, default=200, help="trials (default 200)")
    add_seed(d)
    d.add_argument("-o", "--out", default=None, help="Verilog file (default under build/)")
    d.add_argument("--quiet", action="store_true", help="no progress on stderr")
    d.set_defaults(func=_demo)


def _demo(args):
    from gaba.sim import designs

    design = designs.get("nwta")
    if args.out == "-":
        raise UsageError("gaba demo: -o needs a file name (the demo prints its summary)")
    cfg = checked("demo", lambda: design.config(n=args.n, delta=0.10))
    p = cfg.params
    say = stage(args.quiet)
    print(
        f"gaba demo: nWTA, n={p.n}, delta={p.delta}, sigma={p.sigma}, theta={p.theta}, "
        f"dt=2^{math.log2(p.dt):.0f} tau; x Q{cfg.x_int_bits}.{cfg.frac_bits} (register "
        f"Q{cfg.x_int_bits}.{cfg.frac_bits + cfg.x_guard_bits}), Config "
        f"{cfg.digest()}"
    )
    out = write_output(args.out, design.file_name(cfg), design.verilog(cfg))
    print(f"  Verilog          {out} ({out.stat().st_size // 1024} KiB)")
    with simulator_errors():
        report = design.compare(
            cfg, "verilator", "trials", trials=args.trials, seed=args.seed, progress=say
        )
    golden = report.outputs["golden"].summary()
    j = report.to_json()
    verdict = "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"
    print(
        f"  hardware         Verilator, {args.trials} trials, {int(j['sim_cycles'])} cycles "
        f"in {j['sim_seconds']:.2f} s ({j['cycles_per_second'] / 1e3:.0f} k cycles/s), "
        f"build {j['build_seconds']:.1f} s"
    )
    print(
        f"  golden model     {verdict} against the hardware, trial by trial "
        "(winner, steps, flags, final-state digest)"
    )
    if report.first_mismatch is not None:
        print(f"  first mismatch   {report.first_mismatch.describe()}")
        if report.waveform:
            print(f"  waveform         {report.waveform}")
    print(
        f"  decisions        {100 * j['decided_fraction']:.1f} % decided, mean "
        f"{fmt(j['mean_decision_steps'], None, 1)} steps = "
        f"{fmt(golden['mean_decision_time'], None, 2)} tau, accuracy {fmt(golden['accuracy'])}"
    )
    return 0 if report.bit_exact else 1
