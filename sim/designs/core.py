"""The evidence-in core as the exported building block: its design entries and scoreboard.

``nwta-core`` and ``wta-core`` are ``gaba.hdl.core.AxiStreamCore`` (AXI-Stream evidence in and
results out, a Wishbone register file) for an nWTA or conventional WTA Config: the parallel
network of one clock per step, or the folded one (``lanes``). The bench
(``gaba.sim.benches.core``) drives it with cocotbext-axi and cocotbext-wishbone, stalling both
streams at random; every trial's result (winner, steps, decided, timeout, the flags, the
final-state digest) is held to ``gaba.golden.evidence.run_evidence`` on the same evidence, and
every register read back to what was written. Two modes: ``vector`` (one vector a trial: fixed
evidence) and ``updates`` (``vectors`` vectors a trial, each lasting ``hold`` steps: evidence
that changes as it arrives). The evidence is ``gaba.golden.evidence.channel_trials``: noisy
channel scores.
"""

from __future__ import annotations

import numpy as np

from gaba.golden.config import Config
from gaba.golden.evidence import Registers, channel_trials, run_evidence
from gaba.golden.validate import check_count, check_number, check_seed
from gaba.hdl.core import (
    AxiStreamCore,
    clocks_per_step,
    core_result_layout,
    info_word,
    register_values,
)
from gaba.sim.design import Design
from gaba.sim.designs.nwta import OPTIONS
from gaba.sim.scoreboard import Tally

__all__ = ["NWTA_CORE", "WTA_CORE", "EvidenceCoreDesign"]

#: Vectors a trial and steps a vector of each mode's default run.
MODE_DEFAULTS = {"vector": (1, 1), "updates": (32, 4)}


class EvidenceCoreDesign(Design):
    """The exported core of one network kind (see the module's description)."""

    config_type = Config
    bench = "gaba.sim.benches.core"
    modes = ("vector", "updates")
    # cocotbext-axi and cocotbext-wishbone sample the ports at the clock's edge
    output_delay_ns = 1
    # one clock a step (the core's trial timing): no clocks per step, so no shared noise
    options = {
        k: v for k, v in OPTIONS.items() if k not in ("step_clocks", "shared_noise", "pipelined")
    }

    def component(self, cfg, *, debug: bool = False):
        return AxiStreamCore(cfg)

    def describe(self, cfg) -> str:
        noise = "noise" if cfg.c_xi else "no noise"
        return f"n={cfg.n} ({cfg.kind}, {cfg.architecture}, latency {cfg.latency}, {noise})"

    def result_layout(self, cfg):
        return core_result_layout(cfg)

    def evidence(self, cfg, count: int, seed: int, mode: str, *, vectors=None, sd=0.1):
        """The evidence of a run: ``count`` trials of noisy channel scores."""
        vectors = MODE_DEFAULTS[self.check_mode(mode)][0] if vectors is None else vectors
        return channel_trials(cfg, count, seed, vectors=vectors, sd=sd)[0]

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        trials = channel_trials(cfg, count, seed, first=first)[0]
        return run_evidence(cfg, trials, seed, first_trial=first)

    def compare(
        self,
        cfg,
        simulator="verilator",
        mode=None,
        *,
        trials=200,
        seed=1,
        vectors=None,
        hold=None,
        sd=0.1,
        pause_in=0.3,
        pause_out=0.3,
        hw_config=None,
        golden_registers=None,
        waves=False,
        progress=None,
    ):
        """Run ``trials`` trials of channel evidence on the core of ``hw_config`` (default
        ``cfg``) and hold each result to the golden model of ``cfg``, and the registers read
        back to those written. ``golden_registers`` (default: those written) gives the
        golden model other register values (a companion's perturbation)."""
        mode = self.check_mode(mode)
        check_count("Trial count", trials, 1)
        seed = check_seed(seed)
        for name, p in (("pause_in", pause_in), ("pause_out", pause_out)):
            check_number(name, p, low=0, high=1, high_open=True)
        default_vectors, default_hold = MODE_DEFAULTS[mode]
        hold = default_hold if hold is None else hold
        evidence = self.evidence(cfg, trials, seed, mode, vectors=vectors, sd=sd)
        registers = Registers(hold=hold)
        want = run_evidence(cfg, evidence, seed, registers=golden_registers or registers)
        written = register_values(cfg, registers, seed)
        hw = hw_config or cfg
        sim = self.simulate(
            hw,
            simulator,
            "evidence",
            {
                "trials": [np.asarray(t).ravel().tolist() for t in evidence],
                "registers": written,
                "pause_in": pause_in,
                "pause_out": pause_out,
                "pace": seed,
                "step_clocks": clocks_per_step(hw),
            },
            name=f"evidence-{mode}-s{seed}-k{trials}-v{len(evidence[0])}-h{hold}",
            waves=waves,
            progress=progress,
            doing=f"running {trials} evidence trials",
        )
        tally = Tally()
        readback = sim.out["readback"]
        for name, value in {**written, "INFO": info_word(hw)}.items():
            tally.value(f"register {name}", value, readback[name], trial=0)
        results = [self.decode(hw, int(word, 16)) for word in sim.out["results"]]
        for j, hw_row in enumerate(results):
            if j >= len(want):
                break
            row = want.row(j)
            pairs = [
                ("decided", row["decided"], hw_row["decided"]),
                ("timeout", 1 - row["decided"], hw_row["timeout"]),
                ("steps", row["steps"], hw_row["steps"]),
                ("eta_sat", row["eta_sat"], hw_row["eta_sat"]),
                ("r_sat", row["r_sat"], hw_row["r_sat"]),
                ("in_sat", row["in_sat"], hw_row["in_sat"]),
                ("digest", row["state_hash"], hw_row["digest"]),
            ]
            if row["decided"] and hw_row["decided"]:
                pairs.insert(1, ("winner", row["winner"], hw_row["winner"]))
            tally.fields(pairs, trial=j)
        tally.value("results", trials, len(results), trial=len(results))
        # the core's own count of results handed out: none before, each once
        tally.value("register TRIALS", 0, readback["TRIALS"], trial=0)
        tally.value("register TRIALS", trials, sim.out["end"]["TRIALS"], trial=len(results))
        summary = {
            "trials": trials,
            "vectors": len(evidence[0]),
            "hold": hold,
            "seed": seed,
            "pause_in": pause_in,
            "pause_out": pause_out,
            "decided": int(want.decided.sum()),
            "in_sat": int(want.in_sat.sum()),
        }
        return sim.report(
            tally, self, mode, trials, "trials", summary=summary, outputs={"results": results}
        )


class NwtaCore(EvidenceCoreDesign):
    name = "nwta-core"
    module = "gaba_nwta_core"
    title = "nWTA evidence-in core: AXI-Stream evidence and results, Wishbone registers"
    config_fixed = {"kind": "nwta"}


class WtaCore(EvidenceCoreDesign):
    name = "wta-core"
    module = "gaba_wta_core"
    title = "conventional WTA evidence-in core: AXI-Stream evidence and results, Wishbone registers"
    config_fixed = {"kind": "wta"}
    options = {k: v for k, v in EvidenceCoreDesign.options.items() if k != "theta"}


NWTA_CORE = NwtaCore()
WTA_CORE = WtaCore()
DESIGNS = (NWTA_CORE, WTA_CORE)
