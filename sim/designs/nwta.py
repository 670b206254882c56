"""nWTA and conventional WTA: the trial engine's design entries and its scoreboard.

Two comparison modes (``gaba compare nwta --mode ...``):

``trials`` (the default)
    The engine runs on its own and each trial's result word (top, decided, winner, steps,
    flags, final-state digest) is held to ``gaba.golden.fixed.run_trials``; a mismatching
    trial is then replayed in lockstep to find its first divergent cycle, neuron and signal.
``lockstep``
    The bench records the network's full state (the debug ``state`` port) after every step;
    each is held to ``gaba.golden.fixed.trace``, signal by signal, neuron by neuron, and the
    steps must come exactly ``Config.step_clocks`` clocks apart (cycle accuracy).

On a mismatch the report names the trial, the clock cycle (counted from the run's start
strobe), the step, the neuron and signal, golden and hardware values, and keeps a waveform of
the run up to a few cycles past the mismatch. :meth:`Network.score_trials` is the trials-mode
scoreboard on its own: the board host holds a board's results with it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import numpy as np

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.golden.results import TrialResults
from gaba.golden.validate import check_count, check_seed
from gaba.hdl import engine
from gaba.hdl.folded import neuron_layout
from gaba.hdl.nwta import state_layout
from gaba.sim import runner
from gaba.sim.design import Design, Simulation
from gaba.sim.scoreboard import Report, Tally, decode

__all__ = ["NWTA", "WTA", "Lockstep", "Network"]

_WAVE_MARGIN = 16  # cycles kept past the first mismatch

#: The Config fields the command line sets (``--n``, ``--delta``, ...), and what they are.
OPTIONS = {
    "n": "number of options",
    "delta": "input gap",
    "sigma": "noise std",
    "theta": "nWTA gate",
    "dt": "Euler step in tau",
    "horizon": "timeout in tau",
    "latency": "inhibition latency in steps",
    "frac_bits": "fractional bits",
    "x_guard_bits": "guard bits of the x register below x's LSB",
    "step_clocks": "clocks per Euler step in hardware, 1 to 8: more give a higher fmax and the "
    "same results (gaba build: the board's default; gaba board: the board's)",
    "lanes": "folded network: K neuron datapaths (a power of two below n) serve the n neurons, "
    "their state in block RAM, ceil(n/K) or more clocks per step; default: parallel",
    "shared_noise": "parallel network whose noise units serve step_clocks neurons each, one a "
    "clock (about half a neuron's cells; step_clocks at least 3)",
    "pipelined": "with --shared-noise, latency >= 1 and step_clocks >= 4: free-running "
    "registers cut the step's paths into its clocks (a higher fmax, more flip-flops)",
    "products": "products by a Config constant: shifts and adds, or multipliers (DSP blocks "
    "where the board has them; shared noise units keep shifts and adds)",
}


def result_pairs(golden, j: int, hw: dict) -> list[tuple[str, int, int]]:
    """(field, golden, hardware) of trial j's result; the winner only where both decided."""
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


def _golden_state(cfg: Config, tr: fixed.Trace, k: int) -> dict:
    """The golden model's registers after step k, as the debug state port shows them."""
    lat = cfg.latency
    return {
        "x": tr.x[k],
        "eta": tr.eta[k],
        "rng": tr.rng[k],
        "s_inh": int(tr.s_sum[k - lat]) if k >= lat else 0,
        "eta_sat": int(tr.eta_sat[k]),
        "r_sat": int(tr.r_sat[k]),
    }


def decode_state(cfg: Config, word: int) -> dict:
    """The debug ``state`` word: x, eta, rng as int64[n]; s_inh, eta_sat, r_sat."""
    flat = decode(state_layout(cfg), word)
    out = {
        sig: np.array([neuron[sig] for neuron in flat["neurons"]], np.int64)
        for sig in ("x", "eta", "rng")
    }
    out.update(s_inh=flat["s_inh"], eta_sat=flat["eta_sat"], r_sat=flat["r_sat"])
    return out


def decode_peek(cfg: Config, state: dict) -> dict:
    """A folded network's state as its lockstep bench read it (``peek`` words, s_inh, the
    flags), in :func:`decode_state`'s form."""
    neurons = [decode(neuron_layout(cfg), int(word, 16)) for word in state["peek"]]
    out = {sig: np.array([nrn[sig] for nrn in neurons], np.int64) for sig in ("x", "eta", "rng")}
    out.update(s_inh=state["s_inh"], eta_sat=state["eta_sat"], r_sat=state["r_sat"])
    return out


@dataclass(frozen=True)
class Lockstep:
    """One lockstep bench run held to the golden model."""

    sim: Simulation
    tally: Tally
    compared: int  # states compared, one per step of each trial, each at its clock
    decision_steps: list  # per trial: the golden model's decision step, -1 undecided


@dataclass
class _Run:
    """One comparison's inputs, shared by its bench runs (trials, then lockstep replays)."""

    design: Network
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
        return golden_config(self.cfg, self.delta_q)

    def top(self, trial: int) -> int | None:
        return None if self.tops is None else int(self.tops[trial - self.first0])

    def tops_of(self, first: int, count: int):
        return None if self.tops is None else [self.top(first + j) for j in range(count)]

    def lockstep(self, first: int, count: int, *, waves: bool, max_cycles: int) -> Lockstep:
        """Record ``count`` trials from ``first`` at every step and compare every register."""
        name = f"lockstep-s{self.seed}-f{first}-k{count}" + ("-waves" if waves else "")
        sim = self.design.simulate(
            self.hw_cfg,
            self.simulator,
            "lockstep",
            self.params(first, count, max_cycles=max_cycles),
            name=name,
            debug=True,
            waves=waves,
            progress=self.progress,
            doing=f"simulating {count} trial(s) in lockstep on {self.simulator}",
        )
        rows_by_trial: dict[int, list] = {}
        for trial, cycle, step, state in sim.out["rows"]:
            rows_by_trial.setdefault(trial, []).append((cycle, step, state))
        tally, compared, decisions = Tally(), 0, []
        golden = fixed.run_trials(
            self.golden_cfg, count, self.seed, first_trial=first, top=self.tops_of(first, count)
        )
        clocks = self.hw_cfg.step_clocks
        folded = self.hw_cfg.lanes is not None
        for j in range(count):
            trial = first + j
            tr = self.golden_trace(self.golden_cfg, self.seed, trial, top=self.top(trial))
            rows = rows_by_trial.get(j, [])
            decisions.append(tr.steps if tr.winner >= 0 else -1)
            for k, (cycle, step, state) in enumerate(rows):
                at = {"trial": trial, "cycle": cycle, "step": k}
                compared += 1
                # one step per step_clocks clocks (the folded network pauses for the bench;
                # its clocks are checked in trials mode)
                paced = folded or not k or cycle == rows[k - 1][0] + clocks
                if step != k or not paced:
                    tally.value("steps", k, step, **at)
                elif k > tr.steps:
                    tally.value("decided", 1, 0, **at)  # golden decided at tr.steps
                else:
                    golden_state, hw = (
                        _golden_state(self.cfg, tr, k),
                        decode_peek(self.hw_cfg, state)
                        if folded
                        else decode_state(self.hw_cfg, int(state, 16)),
                    )
                    for sig in ("x", "eta", "rng"):
                        tally.array(sig, golden_state[sig], hw[sig], axes=("neuron",), **at)
                    for sig in ("s_inh", "eta_sat", "r_sat"):
                        tally.value(sig, golden_state[sig], hw[sig], **at)
            end = {"trial": trial, "cycle": rows[-1][0] if rows else None, "step": len(rows) - 1}
            if j < len(sim.out["results"]) and tally.first is None:
                # the trial's result word too: winner (tie-break), top, flags, digest
                hw = self.design.decode(self.hw_cfg, int(sim.out["results"][j], 16))
                for f, g, h in result_pairs(golden, j, hw):
                    tally.value(f"result.{f}", g, h, **end)
            if len(rows) < tr.steps + 1:  # the hardware decided (or stopped) early
                tally.value("decided", 0, 1, **end)
        return Lockstep(sim, tally, compared, decisions)

    def waveform_of(self, first: int, tally: Tally) -> str | None:
        """Rerun with waves on, up to a few cycles past the first mismatch; keep the dump."""
        mm = tally.first
        if mm is None or mm["cycle"] is None:
            return None
        count = mm["trial"] - first + 1
        if self.progress:
            self.progress("re-running with waveforms to keep the mismatch window")
        sim = self.lockstep(first, count, waves=True, max_cycles=mm["cycle"] + _WAVE_MARGIN).sim
        tag = f"mismatch-{self.cfg.kind}-n{self.cfg.n}-s{self.seed}-t{mm['trial']}"
        return keep_waveform(sim, f"lockstep-s{self.seed}-f{first}-k{count}-waves", tag)


def golden_config(cfg: Config, delta_q: int | None) -> Config:
    """``cfg`` with a host-set input gap ``delta_q`` (x's LSBs), if any, as its delta."""
    return cfg if delta_q is None else cfg.replace(delta=delta_q / 2**cfg.frac_bits)


def keep_waveform(sim: Simulation, run_name: str, tag: str) -> str | None:
    """Copy a run's waveform dump to ``build/waves/<tag>``; its path, or None if none."""
    b = sim.build
    candidates = [
        b.directory / run_name / "dump.vcd",
        b.directory / run_name / "dump.fst",
        b.directory / f"{b.toplevel}.fst",
        b.directory / f"{b.toplevel}.vcd",
    ]
    for c in candidates:
        if c.exists():
            keep = runner.build_root() / "waves" / f"{tag}{c.suffix}"
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(c, keep)
            return str(keep)
    return None


class Network(Design):
    """The nWTA (``kind`` "nwta") or conventional WTA ("wta") trial engine
    (:class:`gaba.hdl.engine.TrialEngine`) and its golden model (:mod:`gaba.golden.fixed`)."""

    module = "gaba_nwta"
    bench = "gaba.sim.benches.nwta"
    modes = ("trials", "lockstep")
    debug = True
    config_type = Config
    options = OPTIONS

    def __init__(self, kind: str, title: str):
        self.name = self.kind = kind
        self.title = title
        self.config_fixed = {"kind": kind}

    def component(self, cfg: Config, *, debug: bool = False):
        return engine.TrialEngine(cfg, debug=debug)

    def result_layout(self, cfg: Config):
        return engine.result_layout(cfg)

    def golden(self, cfg: Config, count: int, seed: int, *, first: int = 0, top=None):
        return fixed.run_trials(cfg, count, seed, first_trial=first, top=top)

    def describe(self, cfg: Config) -> str:
        return f"n={cfg.n} ({cfg.kind}, {cfg.architecture}, latency {cfg.latency})"

    def header(self, cfg: Config, *, debug: bool = False) -> str:
        return engine.port_comment(cfg, debug=debug)

    def run(self, cfg, simulator, mode, *, count=None, seed=1, waves=False, progress=None):
        mode = self.check_mode(mode)
        trials = count or (1 if mode == "lockstep" else 200)
        return self.compare(
            cfg, simulator, mode, trials=trials, seed=seed, waves=waves, progress=progress
        )

    def summary_lines(self, report: Report) -> list[tuple[str, str]]:
        s = report.summary
        mean = s["mean_decision_steps"]
        clocks = f", {s['step_clocks']} clocks each" if s["step_clocks"] > 1 else ""
        return [
            (
                "decisions",
                f"{100 * s['decided_fraction']:.1f} % decided, mean "
                + ("n/a" if mean is None else f"{mean:.1f}")
                + f" Euler steps{clocks}",
            )
        ]

    def score_trials(
        self,
        cfg: Config,
        results: list[dict],
        *,
        seed: int,
        first: int = 0,
        tops=None,
        delta_q: int | None = None,
        hw_trials: list[int] | None = None,
    ) -> tuple[Tally, fixed.FixedTrialResults]:
        """Hold decoded result words (in trial order from ``first``) to the golden model.

        ``tops`` (one per trial) and ``delta_q`` are the host's inputs, if it set them;
        ``hw_trials`` the trial index each result came with (a board's RESULT frames), held
        to ``first + j`` (mod 2**32). Returns the tally and the golden results.
        """
        golden = self.golden(golden_config(cfg, delta_q), len(results), seed, first=first, top=tops)
        tally = Tally()
        for j, hw in enumerate(results):
            if hw_trials is not None:
                tally.value("trial", (first + j) & 0xFFFFFFFF, hw_trials[j], trial=first + j)
            tally.fields(result_pairs(golden, j, hw), trial=first + j)
        return tally, golden

    def report(self, tally, golden, results, *, source, mode, seed, hw_cfg, sim=None, **kw):
        """The trials-mode Report of decoded ``results`` held to ``golden``."""
        steps = [hw["steps"] if hw["decided"] else -1 for hw in results]
        decided = np.array([bool(hw["decided"]) for hw in results])
        hardware = TrialResults(
            winner=np.where(decided, [hw["winner"] for hw in results], -1),
            top=np.array([hw["top"] for hw in results]),
            steps=np.array([hw["steps"] for hw in results]),
            decided=decided,
            dt=hw_cfg.params.dt,
        )
        run = (
            {}
            if sim is None
            else {"seconds": sim.seconds, "cycles": sim.cycles, "build_seconds": sim.build.seconds}
        )
        return Report.of(
            tally,
            self.name,
            source,
            mode,
            len(results),
            "trials",
            summary=self._summary(hw_cfg, seed, len(results), steps),
            outputs={
                "results": results,
                "hardware": hardware,
                "golden": golden,
                "decision_steps": steps,
            },
            **run,
            **kw,
        )

    def check_board(
        self,
        cfg: Config,
        results,
        *,
        seed: int,
        first: int,
        top: int | None = None,
        delta_q: int | None = None,
        source: str = "board",
    ) -> Report:
        """Hold a board's run to the golden model (mode "trials"): ``results`` are its RESULT
        frames in order (objects with ``trial``, the index the frame carries, and ``word``);
        ``top`` and ``delta_q`` the host's inputs of every trial, if it set them. Every word
        is decoded and held to the golden model field by field as on the simulators, and
        every frame's trial index to the trial it should carry."""
        decoded = [self.decode(cfg, r.word) for r in results]
        tally, golden = self.score_trials(
            cfg,
            decoded,
            seed=seed,
            first=first,
            tops=None if top is None else [top] * len(results),
            delta_q=delta_q,
            hw_trials=[r.trial for r in results],
        )
        return self.report(
            tally, golden, decoded, source=source, mode="trials", seed=seed, hw_cfg=cfg
        )

    @staticmethod
    def _summary(hw_cfg: Config, seed: int, trials: int, steps: list[int]) -> dict:
        decided = [s for s in steps if s >= 0]
        return {
            "trials": trials,
            "n": hw_cfg.n,
            "step_clocks": hw_cfg.step_clocks,
            "seed": seed,
            "mean_decision_steps": float(np.mean(decided)) if decided else None,
            "decided_fraction": float(np.mean([s >= 0 for s in steps])) if steps else None,
        }

    def compare(
        self,
        cfg: Config,
        simulator: str = "verilator",
        mode: str | None = None,
        *,
        trials: int = 1,
        seed: int = 1,
        first: int = 0,
        tops=None,
        delta_q: int | None = None,
        waves: bool = False,
        hw_config: Config | None = None,
        locate: bool = True,
        mismatch_waves: bool = True,
        progress=None,
        golden_trace=None,
    ) -> Report:
        """Run the hardware of ``cfg`` on ``simulator`` and hold it to the golden model.

        ``hw_config`` builds the hardware from a different Config (to prove a perturbed side
        is caught); ``golden_trace`` replaces ``fixed.trace`` for the same purpose. ``tops``
        (one per trial) and ``delta_q`` exercise the trial engine's host inputs. ``locate``: a
        trials-mode mismatch is replayed in lockstep to name its cycle, neuron and signal;
        ``mismatch_waves``: a mismatch's window is run again with waves on and kept (a build
        with tracing of its own).
        """
        mode = self.check_mode(mode)
        check_count("Trial count", trials, 1)
        check_seed(seed)
        if tops is not None and len(tops) != trials:
            raise ValueError(f"tops must give one option per trial ({trials}), not {len(tops)}")
        run = _Run(
            self,
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
        hw_cfg = run.hw_cfg
        if mode == "lockstep":
            # every trial's clocks (load, steps, decision), its result handshake, the start
            max_cycles = (engine.trial_clocks(hw_cfg, cfg.max_steps) + 4) * trials + 8
            if hw_cfg.lanes is not None:  # the bench reads n neurons at every step
                max_cycles += (cfg.n + 4) * (cfg.max_steps + 1) * trials
            ls = run.lockstep(first, trials, waves=waves, max_cycles=max_cycles)
            if waves:
                name = f"lockstep-s{seed}-f{first}-k{trials}-waves"
                waveform = keep_waveform(ls.sim, name, f"{cfg.kind}-n{cfg.n}-s{seed}")
            else:
                waveform = run.waveform_of(first, ls.tally) if mismatch_waves else None
            steps = ls.decision_steps
            return ls.sim.report(
                ls.tally,
                self,
                mode,
                ls.compared,
                "cycles",
                waveform=waveform,
                summary=self._summary(hw_cfg, seed, trials, steps),
                outputs={"decision_steps": steps},
            )

        sim = self.simulate(
            hw_cfg,
            simulator,
            "trials",
            run.params(first, trials),
            name=f"trials-s{seed}-f{first}-k{trials}",
            debug=True,
            waves=waves,
            progress=progress,
            doing=f"simulating {trials} trials on {simulator}",
        )
        results = [self.decode(hw_cfg, int(w, 16)) for w in sim.out["results"]]
        tally, golden = self.score_trials(
            cfg, results, seed=seed, first=first, tops=tops, delta_q=delta_q
        )
        tally.value("results", trials, len(results), trial=first + len(results))
        waveform = None
        if tally.first is not None and locate:
            # replay the first failing trial alone in lockstep: its cycle, neuron and signal
            bad = tally.first["trial"]
            budget = engine.trial_clocks(hw_cfg, cfg.max_steps) + 12
            if hw_cfg.lanes is not None:
                budget += (cfg.n + 4) * (cfg.max_steps + 1)
            where = run.lockstep(bad, 1, waves=False, max_cycles=budget).tally
            if where.first is not None:
                tally.first = where.first
                waveform = run.waveform_of(bad, where) if mismatch_waves else None
        return self.report(
            tally,
            golden,
            results,
            source=simulator,
            mode=mode,
            seed=seed,
            hw_cfg=hw_cfg,
            sim=sim,
            waveform=waveform,
        )


NWTA = Network(
    "nwta", "winner-take-all with nonlinear inhibition (Kriener, Chaudhuri & Fiete 2020)"
)
WTA = Network("wta", "conventional winner-take-all, g(x) = x")
DESIGNS = (NWTA, WTA)
