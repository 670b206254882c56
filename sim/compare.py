"""Golden model versus hardware: the scoreboard of both comparison modes.

``lockstep``: the bench records the network's full state after every clock; each step of each
trial is compared with ``gaba.golden.fixed.trace``, signal by signal, neuron by neuron, and the
steps must come one per ``Config.step_clocks`` clocks (cycle accuracy). ``trials``: the engine
runs on its own and each trial's result (top, decided, winner, cycles, flags, final-state
digest) is compared with ``gaba.golden.fixed.run_trials``; a mismatching trial is then
replayed in lockstep to find the first divergent cycle, neuron and signal.

On a mismatch the report names the trial, the clock cycle (counted from the run's start strobe),
the step, the neuron and signal, golden and hardware values, and keeps a waveform of the run up
to a few cycles past the mismatch.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field

import numpy as np

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.golden.validate import check_count, check_seed
from gaba.hdl.engine import trial_clocks
from gaba.sim import runner

__all__ = ["Mismatch", "Report", "compare", "decode_result", "decode_state"]

MODES = ("lockstep", "trials")
_WAVE_MARGIN = 16  # cycles kept past the first mismatch


def _fields(layout, prefix=""):
    """Flatten a StructLayout/ArrayLayout into (name, offset, width, signed) tuples."""
    from amaranth.hdl import Shape
    from amaranth.lib import data

    out = []
    for name, f in layout:
        shape = f.shape
        full = f"{prefix}{name}"
        if isinstance(shape, (data.StructLayout, data.ArrayLayout)):
            for sub, off, width, sgn in _fields(shape, f"{full}."):
                out.append((sub, f.offset + off, width, sgn))
        else:
            s = Shape.cast(shape)
            out.append((full, f.offset, s.width, s.signed))
    return out


def _decode(fields, value: int) -> dict:
    out = {}
    for name, off, width, sgn in fields:
        v = (value >> off) & ((1 << width) - 1)
        if sgn and v >> (width - 1):
            v -= 1 << width
        out[name] = v
    return out


def decode_state(cfg: Config, value: int) -> dict:
    """The debug ``state`` word as arrays: x, eta, rng [n]; s_inh, eta_sat, r_sat."""
    from gaba.hdl.nwta import state_layout

    flat = _decode(_fields(state_layout(cfg)), value)
    out = {
        sig: np.array([flat[f"neurons.{i}.{sig}"] for i in range(cfg.n)], dtype=np.int64)
        for sig in ("x", "eta", "rng")
    }
    out.update(s_inh=flat["s_inh"], eta_sat=flat["eta_sat"], r_sat=flat["r_sat"])
    return out


def decode_result(cfg: Config, value: int) -> dict:
    """One result payload as a dict of its fields."""
    from gaba.hdl.engine import result_layout

    return _decode(_fields(result_layout(cfg)), value)


@dataclass
class Mismatch:
    """The first place where hardware and golden model disagree."""

    trial: int
    signal: str
    golden: int
    hardware: int
    cycle: int | None = None  # clock cycle since the start strobe
    step: int | None = None  # Euler steps done in the trial
    neuron: int | None = None

    def describe(self) -> str:
        where = [f"trial {self.trial}"]
        if self.cycle is not None:
            where.append(f"cycle {self.cycle}")
        if self.step is not None:
            where.append(f"step {self.step}")
        if self.neuron is not None:
            where.append(f"neuron {self.neuron}")
        return f"{', '.join(where)}: {self.signal} golden {self.golden} hardware {self.hardware}"


@dataclass
class Report:
    """Outcome of one comparison (``to_json`` gives the keys of ``gaba compare --json``)."""

    design: str
    simulator: str
    mode: str
    n: int
    seed: int
    trials: int
    cycles_compared: int
    mismatches: int
    first_mismatch: Mismatch | None
    waveform: str | None = None
    build_seconds: float = 0.0
    sim_seconds: float = 0.0
    sim_cycles: float = 0.0
    decision_cycles: list = field(default_factory=list)  # per trial (steps), -1 undecided
    step_clocks: int = 1  # the hardware's clocks per step
    results: list = field(default_factory=list)  # trials mode: each trial's decoded result
    golden: object = None  # trials mode: the golden model's FixedTrialResults it was held to

    def hardware_trials(self, dt: float):
        """The hardware's results (trials mode) as TrialResults, for statistics."""
        from gaba.golden.reference import TrialResults

        decided = np.array([bool(r["decided"]) for r in self.results])
        return TrialResults(
            winner=np.where(decided, [r["winner"] for r in self.results], -1),
            top=np.array([r["top"] for r in self.results]),
            steps=np.array([r["steps"] for r in self.results]),
            decided=decided,
            dt=dt,
        )

    @property
    def bit_exact(self) -> bool:
        return self.mismatches == 0

    @property
    def cycles_per_second(self) -> float:
        return self.sim_cycles / self.sim_seconds if self.sim_seconds else 0.0

    @property
    def mean_decision_cycles(self) -> float | None:
        decided = [c for c in self.decision_cycles if c >= 0]
        return float(np.mean(decided)) if decided else None

    def to_json(self) -> dict:
        return {
            "bit_exact": self.bit_exact,
            "trials": self.trials,
            "cycles_compared": self.cycles_compared,
            "mismatches": self.mismatches,
            "first_mismatch": asdict(self.first_mismatch) if self.first_mismatch else None,
            "design": self.design,
            "simulator": self.simulator,
            "mode": self.mode,
            "n": self.n,
            "step_clocks": self.step_clocks,
            "seed": self.seed,
            "mean_decision_cycles": self.mean_decision_cycles,
            "decided_fraction": (
                float(np.mean([c >= 0 for c in self.decision_cycles]))
                if self.decision_cycles
                else None
            ),
            "waveform": self.waveform,
            "build_seconds": round(self.build_seconds, 3),
            "sim_seconds": round(self.sim_seconds, 3),
            "sim_cycles": self.sim_cycles,
            "cycles_per_second": round(self.cycles_per_second, 1),
        }


def _golden_trace_rows(cfg: Config, tr: fixed.Trace, k: int) -> dict:
    lat = cfg.latency
    return {
        "x": tr.x[k],
        "eta": tr.eta[k],
        "rng": tr.rng[k],
        "s_inh": int(tr.s_sum[k - lat]) if k >= lat else 0,
        "eta_sat": int(tr.eta_sat[k]),
        "r_sat": int(tr.r_sat[k]),
    }


def _compare_state(golden: dict, hw: dict):
    """Yield (signal, neuron, golden, hardware) for every differing value, in report order."""
    for sig in ("x", "eta", "rng"):
        bad = np.nonzero(golden[sig] != hw[sig])[0]
        for i in bad:
            yield sig, int(i), int(golden[sig][i]), int(hw[sig][i])
    for sig in ("s_inh", "eta_sat", "r_sat"):
        if golden[sig] != hw[sig]:
            yield sig, None, int(golden[sig]), int(hw[sig])


def _result_fields(cfg, golden, j, hw):
    """(field, golden, hardware) pairs of trial j's result."""
    decided = bool(golden.decided[j])
    pairs = [
        ("top", int(golden.top[j]), hw["top"]),
        ("decided", int(decided), hw["decided"]),
        ("steps", int(golden.steps[j]), hw["steps"]),
        ("eta_sat", int(golden.eta_sat[j]), hw["eta_sat"]),
        ("r_sat", int(golden.r_sat[j]), hw["r_sat"]),
        ("digest", int(golden.state_hash[j]), hw["digest"]),
    ]
    if decided and hw["decided"]:
        pairs.insert(2, ("winner", int(golden.winner[j]), hw["winner"]))
    return pairs


def _keep_waveform(b: runner.Build, run_name: str, tag: str) -> str | None:
    candidates = [
        b.directory / run_name / "dump.vcd",
        b.directory / run_name / "dump.fst",
        b.directory / f"{runner.TOPLEVEL}.fst",
        b.directory / f"{runner.TOPLEVEL}.vcd",
    ]
    for c in candidates:
        if c.exists():
            keep = runner.build_root() / "waves" / f"{tag}{c.suffix}"
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(c, keep)
            return str(keep)
    return None


@dataclass
class _Session:
    """One comparison: the two sides and the run's inputs, shared by its bench runs."""

    cfg: Config  # the golden side
    hw_cfg: Config  # the hardware side (the same Config unless a test perturbs it)
    simulator: str
    seed: int
    first0: int  # the run's first trial (``tops`` counts from it)
    tops: list | None
    delta_q: int | None
    progress: object
    golden_trace: object

    def params(self, first: int, count: int, **extra) -> dict:
        p = {"seed": self.seed, "first": first, "count": count, **extra}
        if self.tops is not None:
            p["tops"] = [int(t) for t in self.tops[first - self.first0 :][:count]]
        if self.delta_q is not None:
            p["delta_q"] = int(self.delta_q)
        return p

    @property
    def golden_cfg(self) -> Config:
        """The golden side with the host gap, if any, as its delta."""
        if self.delta_q is None:
            return self.cfg
        return self.cfg.replace(delta=self.delta_q / 2**self.cfg.frac_bits)

    def top(self, trial: int) -> int | None:
        return None if self.tops is None else int(self.tops[trial - self.first0])

    def lockstep(self, first: int, count: int, *, waves: bool, max_cycles: int):
        """Record ``count`` trials from ``first`` every clock and compare every register."""
        b = runner.build(
            self.hw_cfg, self.simulator, debug=True, waves=waves, progress=self.progress
        )
        name = f"lockstep-s{self.seed}-f{first}-k{count}" + ("-waves" if waves else "")
        if self.progress:
            self.progress(f"simulating {count} trial(s) in lockstep on {self.simulator}")
        out = runner.run_bench(
            b, "lockstep", self.params(first, count, max_cycles=max_cycles), name=name, waves=waves
        )
        rows_by_trial: dict[int, list] = {}
        for trial, cycle, step, state in out["rows"]:
            rows_by_trial.setdefault(trial, []).append((cycle, step, int(state, 16)))
        mismatches, first_mm, compared, decisions = 0, None, 0, []
        tops = None if self.tops is None else [self.top(first + j) for j in range(count)]
        golden = fixed.run_trials(self.golden_cfg, count, self.seed, first_trial=first, top=tops)
        for j in range(count):
            tr = self.golden_trace(self.golden_cfg, self.seed, first + j, top=self.top(first + j))
            rows = rows_by_trial.get(j, [])
            decisions.append(tr.steps if tr.winner >= 0 else -1)
            for k, (cycle, step, state) in enumerate(rows):
                found = []
                if step != k or (k and cycle != rows[k - 1][0] + self.hw_cfg.step_clocks):
                    # one step per step_clocks clocks, in order
                    found.append(("steps", None, k, step))
                elif k > tr.steps:
                    found.append(("decided", None, 1, 0))  # golden decided at tr.steps
                else:
                    hw = decode_state(self.hw_cfg, state)
                    found.extend(_compare_state(_golden_trace_rows(self.cfg, tr, k), hw))
                compared += 1
                if found:
                    mismatches += len(found)
                    if first_mm is None:
                        sig, neuron, g, h = found[0]
                        first_mm = Mismatch(first + j, sig, g, h, cycle, k, neuron)
            if j < len(out["results"]) and first_mm is None:
                # the trial's result word too: winner (tie-break), top, flags, digest
                hw = decode_result(self.hw_cfg, int(out["results"][j], 16))
                bad = [(f, g, h) for f, g, h in _result_fields(self.cfg, golden, j, hw) if g != h]
                mismatches += len(bad)
                if bad:
                    f, g, h = bad[0]
                    first_mm = Mismatch(
                        first + j,
                        f"result.{f}",
                        g,
                        h,
                        rows[-1][0] if rows else None,
                        len(rows) - 1,
                        None,
                    )
            if len(rows) < tr.steps + 1:  # the hardware decided (or stopped) early
                mismatches += 1
                if first_mm is None:
                    cycle = rows[-1][0] if rows else None
                    first_mm = Mismatch(first + j, "decided", 0, 1, cycle, len(rows) - 1, None)
        return b, out, mismatches, first_mm, compared, decisions

    def waveform_of(self, mm: Mismatch, first: int) -> str | None:
        """Rerun with waves on, up to a few cycles past the mismatch; keep the dump."""
        if mm.cycle is None:
            return None
        count = mm.trial - first + 1
        if self.progress:
            self.progress("re-running with waveforms to keep the mismatch window")
        b, *_ = self.lockstep(first, count, waves=True, max_cycles=mm.cycle + _WAVE_MARGIN)
        return _keep_waveform(
            b,
            f"lockstep-s{self.seed}-f{first}-k{count}-waves",
            f"mismatch-{self.cfg.kind}-n{self.cfg.n}-s{self.seed}-t{mm.trial}",
        )


def compare(
    cfg: Config,
    simulator: str = "verilator",
    mode: str = "trials",
    *,
    trials: int = 1,
    seed: int = 1,
    first: int = 0,
    tops=None,
    delta_q: int | None = None,
    waves: bool = False,
    hw_config: Config | None = None,
    locate: bool = True,
    progress=None,
    golden_trace=None,
) -> Report:
    """Run the hardware for ``cfg`` on ``simulator`` and compare it with the golden model.

    ``hw_config`` builds the hardware from a different Config (to prove a perturbed side is
    caught); ``golden_trace`` replaces ``fixed.trace`` for the same purpose. ``tops`` (one per
    trial) and ``delta_q`` exercise the host inputs of the trial engine.
    """
    if mode not in MODES:
        raise ValueError(f"Mode must be one of {', '.join(MODES)}, not {mode!r}")
    check_count("Trial count", trials, 1)
    check_seed(seed)
    if tops is not None and len(tops) != trials:
        raise ValueError(f"tops must give one option per trial ({trials}), not {len(tops)}")
    run = _Session(
        cfg,
        hw_config or cfg,
        simulator,
        seed,
        first,
        tops,
        delta_q,
        progress,
        golden_trace or fixed.trace,
    )
    if mode == "lockstep":
        # every trial's clocks (load, steps, decision), its result handshake, the start
        max_cycles = (trial_clocks(run.hw_cfg, cfg.max_steps) + 4) * trials + 8
        b, out, mm, first_mm, compared, decisions = run.lockstep(
            first, trials, waves=waves, max_cycles=max_cycles
        )
        if waves:
            waveform = _keep_waveform(
                b, f"lockstep-s{seed}-f{first}-k{trials}-waves", f"{cfg.kind}-n{cfg.n}-s{seed}"
            )
        else:
            waveform = run.waveform_of(first_mm, first) if first_mm is not None else None
        return Report(
            cfg.kind,
            simulator,
            mode,
            cfg.n,
            seed,
            trials,
            cycles_compared=compared,
            mismatches=mm,
            first_mismatch=first_mm,
            waveform=waveform,
            build_seconds=b.seconds,
            sim_seconds=out["seconds"],
            sim_cycles=out["cycles"],
            decision_cycles=decisions,
            step_clocks=run.hw_cfg.step_clocks,
        )

    b = runner.build(run.hw_cfg, simulator, debug=True, waves=waves, progress=progress)
    if progress:
        progress(f"simulating {trials} trials on {simulator}")
    out = runner.run_bench(
        b,
        "trials",
        run.params(first, trials),
        name=f"trials-s{seed}-f{first}-k{trials}",
        waves=waves,
    )
    golden = fixed.run_trials(run.golden_cfg, trials, seed, first_trial=first, top=tops)
    mismatches, first_mm, decisions, results = 0, None, [], []
    for j, word in enumerate(out["results"]):
        hw = decode_result(run.hw_cfg, int(word, 16))
        results.append(hw)
        decisions.append(hw["steps"] if hw["decided"] else -1)
        bad = [(f, g, h) for f, g, h in _result_fields(cfg, golden, j, hw) if g != h]
        mismatches += len(bad)
        if bad and first_mm is None:
            f, g, h = bad[0]
            first_mm = Mismatch(first + j, f, g, h)
    waveform = None
    if first_mm is not None and locate:
        # replay the first failing trial alone in lockstep: its cycle, neuron and signal
        _, _, _, where, _, _ = run.lockstep(
            first_mm.trial, 1, waves=False, max_cycles=trial_clocks(run.hw_cfg, cfg.max_steps) + 12
        )
        if where is not None:
            first_mm = where
            waveform = run.waveform_of(where, where.trial)
    return Report(
        cfg.kind,
        simulator,
        mode,
        cfg.n,
        seed,
        trials,
        cycles_compared=trials,
        mismatches=mismatches,
        first_mismatch=first_mm,
        waveform=waveform,
        build_seconds=b.seconds,
        sim_seconds=out["seconds"],
        sim_cycles=out["cycles"],
        decision_cycles=decisions,
        step_clocks=run.hw_cfg.step_clocks,
        results=results,
        golden=golden,
    )
