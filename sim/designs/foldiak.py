"""The Földiák layer: its design entry and its scoreboard, for a simulator or a board.

The bench (``gaba.sim.benches.foldiak``) starts a run, trains it and tests it; a board does
the same over its host link (``gaba.boards.host.FoldiakBoard``). :meth:`Layer.score` holds
everything either of them recorded to the golden model:

- every presentation's result: the settled y* of every unit, the pattern's bars (label), its
  index, whether it trained, and the sticky flags where the golden side has them per
  presentation; then the number of results;
- the state read back (every q_ij, w_ij, t_i and both flags) at the points it was read: after
  CMD_INIT, after every presentation (``lockstep``), after chunks of training (learning-curve
  snapshots) or at the end;
- the test patterns' y* on the final state.

The golden side is the readable model (``gaba.golden.foldiak.fixed.trace``: every state, the
flags of every presentation) for lockstep and for short board runs, else the numba kernel
(``gaba.golden.foldiak.fixed.train`` with snapshots). A mismatch names the phase, the
presentation, the clock cycle at which the hardware produced the value, the signal with its
unit (and input) index, and the golden and hardware values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from gaba.golden import digits
from gaba.golden.foldiak import bars, sources
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.golden.foldiak.results import Learned, snapshot_points
from gaba.golden.validate import check_count, check_seed
from gaba.hdl.foldiak import FoldiakLayer, cycles_per_presentation, presentation_layout
from gaba.sim import runner
from gaba.sim.design import Design
from gaba.sim.pool import Done, Pool, Task, blocks
from gaba.sim.scoreboard import Report, Tally

__all__ = [
    "FOLDIAK",
    "FOLDIAK_DIGITS",
    "DigitsLayer",
    "GoldenRun",
    "Layer",
    "bars_block",
    "bars_run",
    "learn_bars",
    "lanes",
]

#: Up to this many presentations a board run's golden side is the readable model (every
#: presentation's flags too), beyond it the numba kernel.
TRACE_PRESENTATIONS = 5000


def lanes(word: int, bits: int, n: int, signed: bool) -> np.ndarray:
    """int64[n]: the ``bits``-wide lanes of a read-back row, lane 0 lowest."""
    mask = (1 << bits) - 1
    v = np.array([(word >> (bits * i)) & mask for i in range(n)], np.int64)
    return np.where(v >> (bits - 1), v - (1 << bits), v) if signed else v


@dataclass(frozen=True)
class GoldenRun:
    """The golden model's run: every presentation's y* and label, the flags after each
    presentation (None from the kernel), and the state at the points asked for (by
    presentations done, 0 = after INIT)."""

    ystar: np.ndarray
    labels: np.ndarray
    flags: tuple | None
    states: dict


class Layer(Design):
    """Földiák's anti-Hebbian layer, learning on chip (:class:`gaba.hdl.foldiak.FoldiakLayer`),
    and its golden model (:mod:`gaba.golden.foldiak.fixed`)."""

    name = "foldiak"
    module = "gaba_foldiak"
    title = "Földiák's anti-Hebbian sparse-coding layer, learning on chip"
    bench = "gaba.sim.benches.foldiak"
    modes = ("run", "lockstep")
    config_type = FoldiakConfig
    options = {"n": "output units", "frac_bits": "fractional bits"}

    #: The pattern source (``gaba.golden.foldiak.sources``) the hardware and the golden model
    #: draw from.
    source = "bars"

    def component(self, cfg: FoldiakConfig, *, debug: bool = False):
        return FoldiakLayer(cfg, self.source)

    def result_layout(self, cfg: FoldiakConfig):
        return presentation_layout(cfg)

    def golden(self, cfg: FoldiakConfig, count: int, seed: int, *, first: int = 0):
        """The kernel's learning of run ``first``: ``count`` presentations, pre-run included."""
        return foldiak.train(
            cfg,
            1,
            max(0, count - cfg.pre_presentations),
            seed,
            first_run=first,
            source=sources.source(self.source).train,
        )

    def describe(self, cfg: FoldiakConfig) -> str:
        return f"the Földiák layer ({cfg.m} inputs, {cfg.n} units)"

    def header(self, cfg: FoldiakConfig, *, debug: bool = False) -> str:
        return (
            f"// gaba foldiak: {cfg.m} inputs, {cfg.n} units, FoldiakConfig {cfg.digest()}; "
            f"{cycles_per_presentation(cfg)} clocks per training presentation (gaba.hdl.foldiak)\n"
        )

    # decoding ---------------------------------------------------------------------------------

    def decode(self, cfg: FoldiakConfig, word: int) -> dict:
        """One result word as {ystar: int64[n], label, index, train, w_sat, t_sat}."""
        flat = super().decode(cfg, word)
        return {**flat, "ystar": np.array(flat["ystar"], np.int64)}

    def decode_rows(self, cfg: FoldiakConfig, q_rows, w_rows, t_row) -> dict:
        """q [n, m], w [n, n], t [n] from read-back rows (ints; row j holds column j)."""
        return {
            "q": np.stack([lanes(r, cfg.q_bits, cfg.n, False) for r in q_rows], axis=1),
            "w": np.stack([lanes(r, cfg.w_bits, cfg.n, True) for r in w_rows], axis=1),
            "t": lanes(t_row, cfg.t_bits, cfg.n, True),
        }

    def decode_state(self, cfg: FoldiakConfig, rec: dict) -> dict:
        """The bench's read-back record: q, w, t, w_sat, t_sat, presentations, cycle."""
        rows = self.decode_rows(
            cfg, [int(h, 16) for h in rec["q"]], [int(h, 16) for h in rec["w"]], int(rec["t"], 16)
        )
        keep = ("w_sat", "t_sat", "presentations", "cycle")
        return {**rows, **{k: rec[k] for k in keep}}

    # the golden side --------------------------------------------------------------------------

    def golden_run(
        self, cfg: FoldiakConfig, seed: int, run: int, count: int, *, trace: bool, every: int = 0
    ) -> GoldenRun:
        """``count`` presentations (pre-run included) of run ``run``: the readable model's
        (``trace``: every state) or the kernel's (the states after INIT, at its snapshots
        every ``every`` presentations after the pre-run, and at the end)."""
        pre = cfg.pre_presentations
        extra = max(0, count - pre)
        names = ("q", "w", "t", "w_sat", "t_sat")
        draw = sources.source(self.source).train
        if trace:
            tr = foldiak.trace(cfg, seed, run, extra, source=draw)
            signals = tr.signals()
            states = {k: {s: signals[s][k] for s in names} for k in range(count + 1)}
            return GoldenRun(tr.ystar, tr.labels, (tr.w_sat[1:], tr.t_sat[1:]), states)
        learned = foldiak.train(
            cfg, 1, extra, seed, first_run=run, snapshot_every=every, source=draw
        )
        streams = foldiak.stream_seeds(seed, 1, foldiak.STREAM_TRAIN, run)
        labels = draw(streams, count)[1][0] if count else np.zeros(0, np.int64)
        start = foldiak.initial_state(cfg, seed, run)
        states = {0: {"q": start.q, "w": start.w, "t": start.t, "w_sat": False, "t_sat": False}}
        for s, point in enumerate(learned.snapshot_at if count else []):
            states[int(point) + pre] = {
                "q": learned.q_hist[0, s],
                "w": learned.w_hist[0, s],
                "t": learned.t_hist[0, s],
                "w_sat": learned.w_sat_hist[0, s],
                "t_sat": learned.t_sat_hist[0, s],
            }
        final = {name: getattr(learned, name)[0] for name in names}
        if count:
            states[count] = final
        return GoldenRun(learned.ystar[0], labels, None, states)

    # the scoreboard ---------------------------------------------------------------------------

    def score(
        self,
        cfg: FoldiakConfig,
        golden: GoldenRun,
        *,
        seed: int,
        run: int,
        count: int,
        train: list | None = None,
        states: list | None = None,
        test: list | None = None,
    ) -> Tally:
        """Hold a run to ``golden`` (see the module docstring).

        ``train`` and ``test`` are decoded results (dicts of :meth:`decode`, with their
        ``cycle`` and, from a board, the RESULT frame's ``frame`` index; None: not streamed);
        ``states`` are (presentations done, read-back state) pairs.
        """
        tally = Tally()
        for phase, results in (("train", train or []), ("test", test or [])):
            for k, hw in enumerate(results):  # a RESULT frame's index: the result's own
                if "frame" in hw:
                    tally.value("frame_index", k, hw["frame"], phase=phase, presentation=k)
        if train is not None:
            self._results(tally, "train", count, train, golden.ystar, golden.labels, golden.flags)
        final = golden.states.get(count)
        for k, hw in states or []:
            phase, at = ("train", k - 1) if k else ("init", 0)
            where = {"phase": phase, "presentation": at, "cycle": hw.get("cycle")}
            want = golden.states[k]
            for name in ("q", "w", "t"):
                tally.array(name, want[name], hw[name], **where)
            for name in ("w_sat", "t_sat", "presentations"):
                g = k if name == "presentations" else want[name]
                tally.value(name, g, hw[name], **where)
        if test is not None:
            x, labels = sources.source(self.source).tests(seed, run, len(test))
            q, w, t = (final[name][None] for name in ("q", "w", "t"))
            ystar = foldiak.respond(cfg, q, w, t, x[None])[0]
            self._results(tally, "test", len(test), test, ystar, labels, None)
        return tally

    @staticmethod
    def _results(tally: Tally, phase: str, count: int, results, ystar, labels, flags) -> None:
        """Each result's y*, label, index and kind (and flags, when given) against the
        golden ``ystar[k]``, ``labels[k]``; then their number against ``count``."""
        for k, hw in enumerate(results):
            where = {"phase": phase, "presentation": k, "cycle": hw.get("cycle")}
            tally.array("ystar", ystar[k], hw["ystar"], **where)
            tally.value("label", labels[k], hw["label"], **where)
            tally.value("index", k, hw["index"], **where)
            tally.value("train", phase == "train", hw["train"], **where)
            if flags is not None:
                tally.value("w_sat", flags[0][k], hw["w_sat"], **where)
                tally.value("t_sat", flags[1][k], hw["t_sat"], **where)
        tally.value("results", count, len(results), phase=phase, presentation=count)

    def compare(
        self,
        cfg: FoldiakConfig,
        simulator: str = "verilator",
        mode: str | None = None,
        *,
        presentations: int = 0,
        tests: int = 0,
        seed: int = 1,
        run: int = 0,
        hw_config: FoldiakConfig | None = None,
        snapshot_every: int = 0,
        waves: bool = False,
        progress=None,
    ) -> Report:
        """Simulate the layer built from ``hw_config`` (default ``cfg``) and hold it to the
        golden model of ``cfg`` over ``presentations`` training presentations (the pre-run
        included) and ``tests`` test patterns of run ``run`` of ``seed``.

        ``snapshot_every`` (run mode): the state is also read back and compared after the
        pre-run and every so many presentations after it (the kernel's snapshots).
        """
        mode = self.check_mode(mode)
        for name, value in (("Presentation count", presentations), ("Test count", tests)):
            check_count(name, value, 0)
        check_seed(seed)
        check_count("Run", run, 0)
        pre = cfg.pre_presentations
        if mode == "run" and 0 < presentations < pre:
            raise ValueError(
                f"a run of {presentations} presentations ends inside the {pre}-"
                "presentation threshold pre-run; use lockstep mode or at least the pre-run"
            )
        hw_cfg = hw_config or cfg
        extra = max(0, presentations - pre)
        every = snapshot_every if mode == "run" else 0
        at = snapshot_points(extra, every)
        chunks = [int(v) for v in np.diff([0, *(at + pre)])] if extra else None
        params = {
            "seed": seed,
            "run": run,
            "presentations": presentations,
            "tests": tests,
            "lockstep": mode == "lockstep",
            "chunks": chunks,
        }
        sim = self.simulate(
            hw_cfg,
            simulator,
            "run",
            params,
            name=f"{mode}-s{seed}-r{run}-p{presentations}-t{tests}",
            waves=waves,
            progress=progress,
            doing=f"simulating {presentations} presentations and {tests} tests on {simulator}",
        )
        out = sim.out
        states = [self.decode_state(hw_cfg, rec) for rec in out["states"]]
        # presentations done at each read-back: INIT, then every one (lockstep) or each chunk
        if mode == "lockstep":
            points = list(range(presentations + 1))
        elif extra:
            points = [0, *(int(p) + pre for p in at)]
        else:
            points = [0, presentations] if presentations else [0]
        golden = self.golden_run(
            cfg, seed, run, presentations, trace=mode == "lockstep", every=every
        )

        def results(key):
            return [{**self.decode(hw_cfg, int(h, 16)), "cycle": c} for h, c in out[key]]

        train, test = results("train"), results("test")
        tally = self.score(
            cfg,
            golden,
            seed=seed,
            run=run,
            count=presentations,
            train=train if presentations else None,
            states=list(zip(points, states, strict=False)),
            test=test if tests else None,
        )
        tally.value("states", len(points), len(states), phase="train", presentation=presentations)
        snapshots = None
        if mode == "run" and presentations:
            later = states[1:]
            snapshots = {"at": at, **{k: np.array([s[k] for s in later]) for k in ("q", "w", "t")}}
            snapshots |= {k: np.array([s[k] for s in later], bool) for k in ("w_sat", "t_sat")}
        summary = {
            "trials": presentations,
            "presentations": presentations,
            "tests": tests,
            "seed": seed,
            "run": run,
            "train_cycles": int(out["train_cycles"]),
            "train_seconds": round(float(out["train_seconds"]), 3),
        }
        outputs = {
            "final": {k: states[-1][k] for k in ("q", "w", "t")},
            "train_ystar": np.array([hw["ystar"] for hw in train]),
            "test_ystar": np.array([hw["ystar"] for hw in test]) if tests else None,
            "test_labels": np.array([hw["label"] for hw in test]) if tests else None,
            "snapshots": snapshots,
        }
        return sim.report(
            tally, self, mode, tally.compared, "values", summary=summary, outputs=outputs
        )

    def run(self, cfg, simulator, mode, *, count=None, seed=1, waves=False, progress=None):
        """``count`` presentations (the pre-run included; default: the pre-run and 10 more in
        lockstep, 3000 more in a run), then 10 (lockstep) or 1000 test patterns."""
        mode = self.check_mode(mode)
        extra, tests = (10, 10) if mode == "lockstep" else (3000, 1000)
        presentations = count or cfg.pre_presentations + extra
        return self.compare(
            cfg,
            simulator,
            mode,
            presentations=presentations,
            tests=tests,
            seed=seed,
            waves=waves,
            progress=progress,
        )

    def summary_lines(self, report: Report) -> list[tuple[str, str]]:
        s = report.summary
        return [
            (
                "learning",
                f"{s['presentations']} training presentations ({s['train_cycles']} cycles), "
                f"{s['tests']} test patterns; run {s['run']} of seed {s['seed']}",
            )
        ]

    def check_board(
        self,
        cfg: FoldiakConfig,
        *,
        seed: int,
        run: int = 0,
        presentations: int | None = None,
        train=None,
        state: dict | None = None,
        test=None,
        hw_config: FoldiakConfig | None = None,
        source: str = "board",
    ) -> Report:
        """Hold a board's run to the golden model (mode "board").

        The run: F_INIT (``seed``, ``run``), ``presentations`` training presentations
        (default ``len(train)``) whose RESULT frames are ``train`` (objects with ``trial``,
        the frame's index, and ``word``; None: not streamed), the state read back after them
        (``state``; None: not read) and the RESULT frames of one F_TEST after them
        (``test``). The words are decoded with ``hw_config`` (default ``cfg``).
        """
        hw_cfg = hw_config or cfg

        def results(frames):
            if frames is None:
                return None
            return [{**self.decode(hw_cfg, r.word), "frame": r.trial} for r in frames]

        train_res, test_res = results(train), results(test)
        count = len(train_res or []) if presentations is None else presentations
        trace = count < cfg.pre_presentations or count <= TRACE_PRESENTATIONS
        golden = self.golden_run(cfg, seed, run, count, trace=trace)
        tally = self.score(
            cfg,
            golden,
            seed=seed,
            run=run,
            count=count,
            train=train_res,
            states=None if state is None else [(count, state)],
            test=test_res,
        )
        summary = {
            "trials": count,
            "presentations": count,
            "tests": len(test_res or []),
            "seed": seed,
            "run": run,
        }
        outputs = {"final": {} if state is None else {k: state[k] for k in ("q", "w", "t")}}
        return Report.of(
            tally,
            self.name,
            source,
            "board",
            tally.compared,
            "values",
            summary=summary,
            outputs=outputs,
        )

    def bars(
        self,
        cfg: FoldiakConfig,
        runs: int,
        presentations: int,
        seed: int,
        *,
        simulator: str = "verilator",
        test_patterns: int = 1000,
        snapshot_every: int = 100,
        progress=None,
        say=None,
        pool: Pool | None = None,
    ):
        """The bars experiment of ``gaba.golden.foldiak.experiments.run_bars`` on the simulated
        hardware: each run learns on chip (pre-run, then ``presentations``), its state is
        read back every ``snapshot_every`` presentations, and it codes ``test_patterns``
        fresh ones; every value is also held to the golden model. Each run is a task of
        ``pool`` (this process by default; :mod:`gaba.sim.pool`).

        Returns the BarsOutcome scored from the hardware's own weights and outputs, and a
        summary of the runs' comparisons with the golden model (bit_exact, mismatches, values
        compared, the first mismatch, clocks and seconds).
        """
        from gaba.golden.foldiak.experiments import BarsOutcome

        check_count("Run count", runs, 1)
        start = time.monotonic()
        pool = pool or Pool()
        pool.require(simulator)
        total = cfg.pre_presentations + presentations
        tasks = [
            Task(
                bars_run,
                (cfg, simulator, total, test_patterns, seed, r, snapshot_every),
                f"run {r + 1}/{runs}",
            )
            for r in range(runs)
        ]
        reports = pool.run(tasks, say=say, unit="runs")
        if progress:
            progress(runs * total, runs * total)
        outs = [rep.outputs for rep in reports]
        snaps = [o["snapshots"] for o in outs]
        learned = Learned(
            q=np.array([o["final"]["q"] for o in outs]),
            w=np.array([o["final"]["w"] for o in outs]),
            t=np.array([o["final"]["t"] for o in outs]),
            y=np.array([o["train_ystar"] > cfg.half for o in outs]),
            ystar=np.array([o["train_ystar"] for o in outs]),
            snapshot_at=snaps[0]["at"],
            q_hist=np.array([s["q"] for s in snaps]),
            w_hist=np.array([s["w"] for s in snaps]),
            t_hist=np.array([s["t"] for s in snaps]),
            w_sat=np.array([s["w_sat"][-1] for s in snaps]),
            t_sat=np.array([s["t_sat"][-1] for s in snaps]),
            w_sat_hist=np.array([s["w_sat"] for s in snaps]),
            t_sat_hist=np.array([s["t_sat"] for s in snaps]),
            pre_presentations=cfg.pre_presentations,
            scale=float(cfg.one),
        )
        y = np.array([o["test_ystar"] > cfg.half for o in outs])
        masks = np.array([o["test_labels"] for o in outs])
        outcome = BarsOutcome(
            model=simulator,
            seed=seed,
            learned=learned,
            represented=bars.bars_represented(learned.q),
            curve=bars.bars_represented(learned.q_hist).mean(axis=0),
            code_error=bars.code_errors(y, masks, bars.unit_bars(learned.q)).mean(axis=1),
            test_patterns=test_patterns,
            seconds=time.monotonic() - start,
            config=cfg,
        )
        first = next((r.first_mismatch for r in reports if r.first_mismatch), None)
        summary = {
            "bit_exact": all(r.bit_exact for r in reports),
            "mismatches": sum(r.mismatches for r in reports),
            "values_compared": sum(r.compared for r in reports),
            "first_mismatch": None if first is None else first.describe(),
            "clocks_per_presentation": cycles_per_presentation(cfg),
            "train_cycles": sum(r.summary["train_cycles"] for r in reports),
            "sim_cycles": sum(r.cycles for r in reports),
            "sim_seconds": round(sum(r.seconds for r in reports), 3),
            "build_seconds": round(reports[0].build_seconds, 2),
        }
        return outcome, summary


class DigitsLayer(Layer):
    """Földiák's layer learning scikit-learn's digits on chip, from its image ROM (the
    ``digits`` pattern source): the training images drawn by the training stream, every image
    coded in order as the test patterns."""

    name = "foldiak-digits"
    module = "gaba_foldiak_digits"
    title = "Földiák's anti-Hebbian layer learning scikit-learn's digits on chip from a ROM"
    source = "digits"

    def describe(self, cfg: FoldiakConfig) -> str:
        return f"the Földiák layer on the digits ({cfg.m} inputs, {cfg.n} units)"

    def run(self, cfg, simulator, mode, *, count=None, seed=1, waves=False, progress=None):
        """``count`` presentations (the pre-run included; default: the pre-run and 10 more in
        lockstep, an epoch's 1347 more in a run), then 10 (lockstep) or all 1797 images."""
        mode = self.check_mode(mode)
        extra, tests = (10, 10) if mode == "lockstep" else (digits.TRAIN, digits.IMAGES)
        return self.compare(
            cfg,
            simulator,
            mode,
            presentations=count or cfg.pre_presentations + extra,
            tests=tests,
            seed=seed,
            waves=waves,
            progress=progress,
        )


FOLDIAK = Layer()
FOLDIAK_DIGITS = DigitsLayer()


def bars_run(
    cfg: FoldiakConfig,
    simulator: str,
    total: int,
    tests: int,
    seed: int,
    run: int,
    snapshot_every: int,
    *,
    progress=None,
) -> tuple[Report, Done]:
    """One run of the bars on ``simulator`` held to the golden model (a
    :class:`gaba.sim.pool.Task` of :meth:`Layer.bars`)."""
    done = Done()
    done.built = not runner.is_built(FOLDIAK, cfg, simulator, debug=True)
    report = FOLDIAK.compare(
        cfg,
        simulator,
        "run",
        presentations=total,
        tests=tests,
        seed=seed,
        run=run,
        snapshot_every=snapshot_every,
        progress=progress if run == 0 else None,
    )
    return report, done


def bars_block(
    model: str, first: int, count: int, presentations: int, seed: int, *, progress=None
) -> tuple:
    """Runs ``first .. first + count - 1`` of the bars on the float or fixed-point model (a
    :class:`gaba.sim.pool.Task` of :func:`learn_bars`)."""
    from gaba.golden.foldiak.experiments import run_bars

    outcome = run_bars(model, count, presentations, seed, first_run=first)
    return outcome, Done()


def learn_bars(
    model: str, runs: int, presentations: int, seed: int, *, pool: Pool, say=None, block=None
):
    """The bars on the float or fixed-point model in blocks of ``block`` runs (default: as
    many blocks as ``pool`` has slots), each a task of ``pool``, joined in run order
    (:meth:`gaba.golden.foldiak.experiments.BarsOutcome.join`): the outcome of one run of
    them all."""
    from gaba.golden.foldiak.experiments import BarsOutcome

    check_count("Run count", runs, 1)
    start = time.monotonic()
    size = block or -(-runs // pool.slots)
    tasks = [
        Task(
            bars_block,
            (model, first, count, presentations, seed),
            f"runs {first}..{first + count - 1}",
            count,
        )
        for first, count in blocks(runs, size)
    ]
    return BarsOutcome.join(pool.run(tasks, say=say, unit="runs"), seconds=time.monotonic() - start)


DESIGNS = (FOLDIAK, FOLDIAK_DIGITS)
