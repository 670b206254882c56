"""Benchmark: where a neuron of the one-clock network goes, in cells after Yosys' synthesis.

    python benchmarks/neuron_cost.py [--n 16] [--latency 3] [--parts paper,no-noise,...]
        [--flows ice40,ecp5] [--jobs 2]

One :class:`gaba.hdl.nwta.LeanNeuron` (the parallel network's neuron, one Euler step a clock)
alone, its ports the network's (the tree's sum in, x, its gate, ``over`` and the saturation
hits out), synthesised with ``synth_ice40`` and ``synth_ecp5`` (the bare-core flows of
``gaba.boards.build``, synthesis only: a neuron alone has more ports than the boards have
pins). Parts, each a Config of ``Config.paper(n, latency)``:

- ``paper``: the neuron as the boards build it (products by shifts and adds);
- ``no-noise``: sigma = 0 (no generator, Irwin-Hall sum or OU loop: c_xi = 0 removes them), so
  ``paper`` minus ``no-noise`` is the noise's share;
- ``no-inhibition``: beta = 0 (no D, no beta*D), the inhibition's share likewise;
- ``multiplier``: the products by ``*`` (``Config.products``), on the ECP5 in MULT18X18D blocks.

Prints LUT4, carry cells (SB_CARRY or CCU2C), DSP blocks and flip-flops per part and flow, and
logic cells as the devices count them: an iCE40 logic cell holds a LUT4, its carry and a
flip-flop, so about max(LUT4, FF); an ECP5 ``TRELLIS_COMB`` is a LUT4, a CCU2C two. The network
adds the adder tree, the arg-max and the gate's delay line per neuron (``core_cost.py`` and
``gaba build`` measure whole designs). Outputs go to build/neuron_cost/.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

from amaranth.back import rtlil

from gaba.boards.build import add_core_arguments, core_command_lines, core_cost
from gaba.golden.config import Config
from gaba.hdl.nwta import LeanNeuron
from gaba.sim.runner import build_root

PARTS = {
    "paper": {},
    "no-noise": {"sigma": 0.0},
    "no-inhibition": {"beta": 0.0},
    "multiplier": {"products": "multiplier"},
}


def neuron_ports(neuron: LeanNeuron) -> list:
    """The ports the network wires (the debug copies of eta and the generator left out, as
    the network leaves them unread)."""
    names = ("prime", "commit", "load", "master", "b", "s_inh", "x", "over", "g_sum")
    return [getattr(neuron, name) for name in (*names, "eta_hit", "r_hit")]


def measure(n: int, latency: int, part: str, flow: str) -> dict:
    cfg = Config.paper(n=n, latency=latency, **PARTS[part])
    neuron = LeanNeuron(cfg, salt=0x9E3779B9)
    text = rtlil.convert(neuron, name="top", ports=neuron_ports(neuron))
    directory = build_root() / "neuron_cost" / f"n{n}-L{latency}-{part}-{flow}"
    row = core_cost(text, directory, flow, pnr=False)
    if flow.startswith("ice40"):
        row["cells"] = max(row["lut4"], row["ff"])
    else:
        row["cells"] = row["lut4"] + 2 * row["carry"]
    return {"part": part, "flow": flow, **row}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=16, help="the network's n (the tree's width)")
    ap.add_argument("--latency", type=int, default=3)
    ap.add_argument("--parts", default=",".join(PARTS))
    add_core_arguments(ap, flows="ice40,ecp5")
    args = ap.parse_args()
    parts = args.parts.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        ap.error(f"unknown parts {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    jobs = [(part, flow) for part in parts for flow in args.flows.split(",")]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda job: measure(args.n, args.latency, *job), jobs))
    print(f"{'part':<15}{'flow':<7}{'LUT4':>6}{'carry':>7}{'DSP':>5}{'FF':>5}{'cells':>7}")
    for r in rows:
        print(
            f"{r['part']:<15}{r['flow']:<7}{r['lut4']:>6}{r['carry']:>7}{r['dsp']:>5}{r['ff']:>5}"
            f"{r['cells']:>7}"
        )
    print(
        f"\nOne LeanNeuron of Config.paper(n={args.n}, latency={args.latency}); cells: iCE40 "
        "max(LUT4, FF), ECP5 LUT4 + 2 x CCU2C.\nCommands, in "
        "build/neuron_cost/n<n>-L<latency>-<part>-<flow>/:"
    )
    print("\n".join(core_command_lines(args.flows.split(","), pnr=False)))


if __name__ == "__main__":
    main()
