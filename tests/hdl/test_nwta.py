# amaranth: UnusedElaboratable=no
"""gaba.hdl.nwta.Network in lockstep with the readable golden model, cycle by cycle.

The testbench first runs a different trial for a while (so that every register, the
inhibition history and the sticky flags hold something), then loads the trial under test with
``en`` also high (``load`` has priority), then steps it with ``en``. After every step it reads
every register through the debug ``state`` port plus the decision outputs, and
:func:`first_mismatch` compares them with ``gaba.golden.fixed.trace`` (run on past the
decision, as the hardware does while enabled). A few cycles with ``en`` low are inserted; the
state must not move in them.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from amaranth.hdl import Module, signed, unsigned
from amaranth.lib import wiring

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.golden.primitives import mulr
from gaba.hdl import nwta
from gaba.hdl.nwta import (
    STAGES,
    SUM_STAGE,
    Network,
    decision_phase,
    prime_clocks,
    state_layout,
    step_phases,
    winner_clocks,
)
from tests.simulate import simulate as run_testbench

# dt = 2**-4: trials decide in under 250 steps (about 1100 at the paper's dt = 2**-7), the
# datapath's widths and products otherwise the paper's; what a lockstep case varies is n, the
# latency, the clocks per step and how products are made, none of which depends on dt
FAST = dict(dt=2.0**-4, horizon=30.0)
GENERAL = dict(alpha=0.45, dt=0.06, horizon=30.0)  # alpha and dt/tau not powers of two
SATURATING = dict(n=6, sigma=0.9, eta_int_bits=0, x_int_bits=1, frac_bits=10, horizon=20.0)


def _master(seed: int, trial: int) -> int:
    return int(primitives.trial_master(primitives.trial_key(seed, trial)))


def simulate(
    cfg: Config,
    *,
    master: int,
    top: int,
    b_lo: int,
    steps: int,
    holds=(),
    dirty: tuple[int, int, int] | None = (0xDEADBEEF, 0, 200),
) -> dict:
    """Load one trial into a Network(cfg) and step it ``steps`` times.

    Returns the rows read after the load (row 0) and after every step, the rows read in the
    cycles with ``en`` low inserted after the steps in ``holds``, and what the state held just
    before the load. ``dirty`` = (master, top, steps) of the trial run before.
    """
    dut = Network(cfg, debug=True)
    out = {"rows": [], "holds": [], "before_load": None}
    # the step whose state the registers show, clock by clock after the load: the winner
    # port shows the arg-max of the state winner_clocks(cfg) clocks back
    shown: list[int] = []
    lag = winner_clocks(cfg)

    async def tick(ctx, count: int, step: int):
        for _ in range(count):
            await ctx.tick()
            shown.append(step)

    def read(ctx):
        st = ctx.get(dut.state)
        neurons = [st.neurons[i] for i in range(cfg.n)]
        return {
            "x": [int(v.x) for v in neurons],
            "eta": [int(v.eta) for v in neurons],
            "rng": [int(v.rng) for v in neurons],
            "s_inh": int(st.s_inh),
            "eta_sat": int(st.eta_sat),
            "r_sat": int(st.r_sat),
            "eta_sat_port": ctx.get(dut.eta_sat),
            "r_sat_port": ctx.get(dut.r_sat),
            "decided": ctx.get(dut.decided),
            "winner": ctx.get(dut.winner),
            "winner_of": shown[-1 - lag] if len(shown) > lag else None,
            "digest": ctx.get(dut.digest),
        }

    async def bench(ctx):
        if dirty is not None:
            d_master, d_top, d_steps = dirty
            ctx.set(dut.load, 1)
            ctx.set(dut.master, d_master)
            ctx.set(dut.top, d_top)
            ctx.set(dut.b_lo, cfg.b_lo)
            await ctx.tick()
            ctx.set(dut.load, 0)
            ctx.set(dut.en, 1)
            # d_steps steps, and with several clocks per step one clock into the next: the
            # load must restart the step, whatever clock of it the network is in
            await ctx.tick().repeat(d_steps * cfg.step_clocks + (cfg.step_clocks > 1))
            out["before_load"] = read(ctx)
        ctx.set(dut.en, 1)  # load has priority over en
        ctx.set(dut.load, 1)
        ctx.set(dut.master, master)
        ctx.set(dut.top, top)
        ctx.set(dut.b_lo, b_lo)
        await tick(ctx, 1, 0)
        ctx.set(dut.load, 0)
        ctx.set(dut.master, master ^ 0x5A5A5A5A)  # master is only sampled at load
        # with several clocks per step the state is read in each step's decision clock; with
        # one, after the priming clocks
        await tick(ctx, decision_phase(cfg) + prime_clocks(cfg), 0)
        assert ctx.get(dut.ready)
        out["rows"].append(read(ctx))
        for t in range(1, steps + 1):
            await tick(ctx, cfg.step_clocks, t)
            assert ctx.get(dut.ready)
            out["rows"].append(read(ctx))
            if t in holds:
                ctx.set(dut.en, 0)
                await tick(ctx, 2, t)
                out["holds"].append((t, read(ctx)))
                ctx.set(dut.en, 1)

    run_testbench(dut, bench)
    return out


def expected_row(cfg: Config, tr: fixed.Trace, t: int, winner_of: int | None) -> dict:
    """What the hardware must show after t steps, from the golden trace; the winner port
    shows the arg-max of the state after ``winner_of`` steps (None: not compared)."""
    lat = cfg.latency
    x, eta = tr.x[t], tr.eta[t]
    win = fixed.decision(cfg, SimpleNamespace(x=x))
    return {
        "x": x.tolist(),
        "eta": eta.tolist(),
        "rng": tr.rng[t].tolist(),
        "s_inh": int(tr.s_sum[t - lat]) if t >= lat else 0,
        "eta_sat": int(tr.eta_sat[t]),
        "r_sat": int(tr.r_sat[t]),
        "eta_sat_port": int(tr.eta_sat[t]),
        "r_sat_port": int(tr.r_sat[t]),
        "decided": int(win >= 0),
        # the port always shows the lowest index holding the maximum (np.argmax's rule)
        "winner": None if winner_of is None else int(np.argmax(fixed.view(cfg, tr.x[winner_of]))),
        "digest": fixed.digest(cfg, x, eta),
    }


def first_mismatch(cfg: Config, hw: dict, tr: fixed.Trace):
    """(step, field, hardware value, golden value) of the first difference, or None.

    The winner port is held to the arg-max of the state it shows (``winner_of``: the same
    step, or winner_clocks(cfg) clocks back with one clock per step; not compared in the
    clocks right after the load, when its pipeline still holds the previous trial's)."""
    reads = [(t, row) for t, row in enumerate(hw["rows"])]
    reads += [(("hold", t), row) for t, row in hw["holds"]]
    for at, row in reads:
        want = expected_row(cfg, tr, at[1] if isinstance(at, tuple) else at, row["winner_of"])
        for name, value in want.items():
            if value is not None and row[name] != value:
                return at, name, row[name], value
    return None


def golden_for(cfg: Config, seed: int, trial: int, *, extra: int = 20, limit: int = 3000):
    """The trial's trace up to its decision + ``extra`` steps (run on), and the decision step."""
    decided = fixed.trace(cfg, seed, trial, steps=limit)
    assert decided.winner >= 0, "pick a trial that decides within the limit"
    steps = decided.steps + extra
    return fixed.trace(cfg, seed, trial, steps=steps, run_on=True), decided.steps


def lockstep(cfg: Config, tr: fixed.Trace, seed: int, trial: int, **kw) -> dict:
    return simulate(
        cfg,
        master=_master(seed, trial),
        top=tr.top,
        b_lo=kw.pop("b_lo", cfg.b_lo),
        steps=tr.steps,
        **kw,
    )


# -- lockstep against the golden trace -------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "seed", "trial"),
    [
        (dict(n=3, **FAST), 1, 3),
        (dict(n=5, **FAST), 1, 3),
        (dict(n=5, latency=2, **FAST), 1, 3),
        (dict(kind="wta", n=4, latency=1, **FAST), 1, 3),
        (dict(n=2, latency=3, **FAST), 1, 3),  # more pipeline stages than the adder tree's depth
        # a step over several clocks; en low pauses it mid-step (holds)
        (dict(n=5, step_clocks=5, **FAST), 1, 3),
        (dict(n=5, latency=2, step_clocks=3, **FAST), 1, 3),
        (dict(kind="wta", n=4, latency=1, step_clocks=4, **FAST), 1, 3),
        (dict(n=2, latency=3, step_clocks=7, **FAST), 1, 3),
        # the x loops in the step's last clock, a noise unit per step_clocks neurons (the
        # second unit of n = 5 at P = 4 serves one)
        (dict(n=5, latency=2, step_clocks=4, shared_noise=True, **FAST), 1, 3),
        (dict(kind="wta", n=4, step_clocks=3, shared_noise=True, **FAST), 1, 3),
        # pipelined: the step's paths cut by free-running registers, the tree a 4-deep
        # pipeline under a 2-step history; at L = 1, P = 4 a 1-deep tree under S - g and
        # beta*D, alpha and dt/tau not powers of two (the step's general form)
        (dict(n=12, latency=4, step_clocks=6, shared_noise=True, pipelined=True, **FAST), 1, 3),
        (
            dict(n=4, latency=1, step_clocks=4, shared_noise=True, pipelined=True, **GENERAL),
            1,
            3,
        ),
        # beta*D by a multiplier (pipelined), the units' products by shifts and adds
        (
            dict(
                n=5,
                latency=3,
                step_clocks=4,
                shared_noise=True,
                pipelined=True,
                products="multiplier",
                **FAST,
            ),
            1,
            3,
        ),
        # products by a multiplier instead of shifts and adds, in one clock and split over two
        (dict(n=4, latency=1, products="multiplier", **FAST), 1, 3),
        (dict(n=4, step_clocks=8, products="multiplier", **FAST), 1, 3),
        # no guard bits in the x register
        (dict(n=4, latency=2, x_guard_bits=0, **FAST), 1, 3),
        # alpha and dt/tau not powers of two: the one-clock step's products by shifts and adds
        (dict(n=4, latency=2, **GENERAL), 1, 3),
    ],
    ids=[
        "nwta-n3-L0",
        "nwta-n5-L0",
        "nwta-n5-L2",
        "wta-n4-L1",
        "nwta-n2-L3",
        "nwta-n5-P5",
        "nwta-n5-L2-P3",
        "wta-n4-L1-P4",
        "nwta-n2-L3-P7",
        "nwta-n5-L2-P4-shared",
        "wta-n4-L0-P3-shared",
        "nwta-n12-L4-P6-shared-pipelined",
        "nwta-n4-L1-P4-shared-pipelined-general",
        "nwta-n5-L3-P4-shared-pipelined-mult",
        "nwta-n4-L1-mult",
        "nwta-n4-P8-mult",
        "nwta-n4-L2-G0",
        "nwta-n4-L2-alpha-dt",
    ],
)
def test_lockstep_through_the_decision(changes, seed, trial):
    cfg = Config.paper(**changes)
    tr, decision_step = golden_for(cfg, seed, trial)
    holds = (1, cfg.latency + 1, 57, decision_step - 1, decision_step)
    hw = lockstep(cfg, tr, seed, trial, holds=holds)
    assert len(hw["rows"]) == tr.steps + 1
    assert first_mismatch(cfg, hw, tr) is None
    # the run covered what it should: inhibition active, the decision rising at its step
    assert hw["before_load"]["s_inh"] > 0 and any(hw["before_load"]["x"])
    assert any(r["s_inh"] > 0 for r in hw["rows"])
    decided = [r["decided"] for r in hw["rows"]]
    assert decided.index(1) == decision_step
    # the winner, read two clocks after the deciding step (the arg-max's pipeline)
    assert winner_clocks(cfg) <= 2
    assert dict(hw["holds"])[decision_step]["winner"] == tr.winner


@pytest.mark.parametrize(
    ("step_clocks", "shared_noise"),
    [(1, False), (3, False), (4, True)],
    ids=["P1", "P3", "P4-shared"],
)
def test_lockstep_saturating_config_raises_both_flags(step_clocks, shared_noise):
    cfg = Config.paper(**SATURATING, step_clocks=step_clocks, shared_noise=shared_noise)
    seed, trial, steps = 0, 0, 300
    tr = fixed.trace(cfg, seed, trial, steps=steps, run_on=True)
    # both sticky flags rise inside the window, after the start
    assert not tr.eta_sat[0] and not tr.r_sat[0]
    assert tr.eta_sat[-1] and tr.r_sat[-1]
    first_eta, first_r = int(np.argmax(tr.eta_sat)), int(np.argmax(tr.r_sat))
    assert first_eta != first_r
    # the run before the load leaves both flags set: the load must clear them
    hw = lockstep(cfg, tr, seed, trial, holds=(first_eta, first_r), dirty=(0x1234567, 2, 300))
    assert hw["before_load"]["eta_sat"] and hw["before_load"]["r_sat"]
    assert first_mismatch(cfg, hw, tr) is None
    flags = [(r["eta_sat"], r["r_sat"]) for r in hw["rows"]]
    assert [f[0] for f in flags].index(1) == first_eta
    assert [f[1] for f in flags].index(1) == first_r


def test_lockstep_host_b_lo_and_top():
    # the weaker input comes from the b_lo port, the top option from the top port: a wider
    # gap and a chosen top, against the golden model of the Config with that gap
    cfg = Config.paper(n=3)
    wide = cfg.replace(delta=0.3)
    assert wide.b_lo != cfg.b_lo
    seed, trial, top = 9, 4, 2
    tr = fixed.trace(wide, seed, trial, steps=400, top=top, run_on=True)
    hw = lockstep(cfg, tr, seed, trial, b_lo=wide.b_lo)
    assert first_mismatch(wide, hw, tr) is None
    # and the same hardware run is not the paper gap's trajectory
    paper_gap = fixed.trace(cfg, seed, trial, steps=400, top=top, run_on=True)
    assert first_mismatch(cfg, hw, paper_gap) is not None


def _pre_activations(cfg: Config, tr: fixed.Trace) -> np.ndarray:
    """pre_i of every step t -> t + 1, recomputed from the trace (golden steps 2 and 4)."""
    cf, lat = cfg.coef_bits, cfg.latency
    b = np.full(cfg.n, cfg.b_lo)
    b[tr.top] = cfg.b_hi
    rows = []
    for t in range(tr.steps):
        d = np.minimum(tr.s_sum[t - lat] - tr.g[t - lat], cfg.d_max) if t >= lat else 0 * b
        inh = mulr(d, cfg.beta_c, cf)
        x = fixed.view(cfg, tr.x[t])
        rows.append(b + mulr(x, cfg.alpha_c, cf) - inh + tr.eta[t + 1])
    return np.array(rows)


def test_lockstep_pre_activation_equal_to_x_max_is_not_a_saturation():
    # few fractional bits make pre_i == x_max exactly likely: r_sat must stay low then (no
    # guard bits: this trial reaches pre == x_max before any pre > x_max)
    cfg = Config.paper(n=3, x_int_bits=1, frac_bits=8, dt=2.0**-4, sigma=0.4, x_guard_bits=0)
    seed, trial = 1, 5
    tr = fixed.trace(cfg, seed, trial, steps=300, run_on=True)
    pre = _pre_activations(cfg, tr)
    first_gt = int(np.argmax(np.any(pre > cfg.x_max, axis=1)))
    assert int(np.argmax(tr.r_sat)) == first_gt + 1  # the recomputation agrees with the model
    first_eq = int(np.argmax(np.any(pre == cfg.x_max, axis=1)))
    assert 0 < first_eq < first_gt and np.any(pre[first_eq] == cfg.x_max)
    hw = lockstep(cfg, tr, seed, trial)
    assert first_mismatch(cfg, hw, tr) is None


def test_lockstep_without_a_previous_trial():
    # straight after reset: rng registers start at 1, everything else at 0
    cfg = Config.paper(n=3, latency=1)
    tr = fixed.trace(cfg, 5, 0, steps=150, run_on=True)
    hw = lockstep(cfg, tr, 5, 0, dirty=None)
    assert first_mismatch(cfg, hw, tr) is None


def test_lockstep_comparison_finds_the_first_difference():
    # the same hardware against the golden model of a slightly different beta: the check must
    # fail, and at exactly the step where the two golden traces first part
    cfg = Config.paper(n=5, latency=2)
    other = cfg.replace(beta=cfg.params.beta + 2.0**-12)
    assert other.beta_c != cfg.beta_c
    seed, trial, steps = 1, 3, 500
    tr = fixed.trace(cfg, seed, trial, steps=steps, run_on=True)
    tr_other = fixed.trace(other, seed, trial, steps=steps, run_on=True)
    part = None
    for t in range(steps + 1):
        if any(
            not np.array_equal(a[t], b[t])
            for a, b in zip(tr.signals().values(), tr_other.signals().values(), strict=True)
        ):
            part = t
            break
    assert part is not None and part > cfg.latency + 1  # inhibition must act first
    hw = lockstep(cfg, tr, seed, trial)
    assert first_mismatch(cfg, hw, tr) is None
    found = first_mismatch(other, hw, tr_other)
    assert found is not None and found[0] == part, found


@pytest.mark.parametrize(
    "changes",
    [
        dict(n=5, latency=2, step_clocks=4),
        dict(n=5, latency=2, step_clocks=4, pipelined=True),
        # the free-running registers P - 1 deep (x to D and beta*D; a unit's read to its
        # write-back and next read), two slots empty
        dict(n=2, latency=1, step_clocks=4, pipelined=True),
        dict(n=2, step_clocks=3),  # a slot empty
        dict(kind="wta", n=7, step_clocks=5),
        # beta*D by a multiplier block at L = 5 (the ULX3S builds' latency), P = 5
        dict(n=5, latency=5, step_clocks=5, pipelined=True, products="multiplier"),
    ],
    ids=[
        "n5-L2-P4",
        "n5-L2-P4-pipelined",
        "n2-L1-P4-pipelined-slots-empty",
        "n2-P3-a-slot-empty",
        "wta-n7-L0-P5",
        "n5-L5-P5-pipelined-mult",
    ],
)
def test_shared_noise_through_random_pauses_and_loads_mid_priming(changes):
    # en low in 40 % of the clocks, anywhere in the step (its first and last clocks too); a
    # load in the middle of a trial's priming, then a load held two clocks: every step's state
    # is the golden model's
    cfg = Config.paper(shared_noise=True, **changes, **FAST)
    tr, rows, paused_phases = paused_run(cfg)
    assert paused_phases == set(range(cfg.step_clocks))  # pauses in every clock of a step
    assert sorted(rows) == list(range(121))
    assert all(row == paused_row(cfg, tr, t) for t, row in rows.items())


@pytest.mark.parametrize("pipelined", [False, True], ids=["", "pipelined"])
def test_noise_units_that_do_not_pause_are_caught(monkeypatch, pipelined):
    # the companion: units that advance in every clock, paused or not, fail the comparison
    cfg = Config.paper(
        n=5, latency=2, step_clocks=4, shared_noise=True, pipelined=pipelined, **FAST
    )
    unit = nwta.NoiseUnit

    class Restless(wiring.Component):
        def __init__(self, c, salts):
            self._unit = unit(c, salts)
            super().__init__(self._unit.signature)

        def elaborate(self, platform):
            m = Module()
            m.submodules.unit = u = self._unit
            m.d.comb += [u.step.eq(1), u.phase.eq(self.phase), u.first.eq(self.first)]
            m.d.comb += [u.master.eq(self.master), self.out.eq(u.out)]
            return m

    monkeypatch.setattr(nwta, "NoiseUnit", Restless)
    tr, rows, _ = paused_run(cfg)
    assert any(row != paused_row(cfg, tr, t) for t, row in rows.items())


def test_a_pipelined_tree_deeper_than_the_step_is_caught(monkeypatch):
    # the companion of the pipelined runs: the tree one free-running register deeper than the
    # step leaves it (x to the tree to S - g to D: P - 1 = 3 registers) fails the comparison
    cfg = Config.paper(n=5, latency=2, step_clocks=4, shared_noise=True, pipelined=True, **FAST)
    tree = nwta.AdderTree
    monkeypatch.setattr(nwta, "AdderTree", lambda n, width, stages: tree(n, width, stages + 1))
    tr, rows, _ = paused_run(cfg)
    assert any(row != paused_row(cfg, tr, t) for t, row in rows.items())


def test_a_pipelined_product_deeper_than_the_step_is_caught(monkeypatch):
    # the companion of the pipelined runs with L >= 2: beta*D one free-running register
    # deeper than the step leaves it (D to C: d_s, inh_m, inh_s, P - 1 = 3 registers) fails
    # the comparison
    cfg = Config.paper(n=5, latency=2, step_clocks=4, shared_noise=True, pipelined=True, **FAST)
    staging = nwta._staging

    def deeper(m, on, **kwargs):
        staged = staging(m, on, **kwargs)
        return lambda name, value: staged(
            name, staged(f"{name}_x", value) if name == "inh_m" else value
        )

    monkeypatch.setattr(nwta, "_staging", deeper)
    tr, rows, _ = paused_run(cfg)
    assert any(row != paused_row(cfg, tr, t) for t, row in rows.items())


def paused_run(cfg: Config, steps: int = 120):
    """A trial of ``cfg``'s network driven with ``en`` low in 40 % of the clocks, after a
    load in the middle of another trial's priming and a load held two clocks: (the golden
    trace, {step: (x, eta, rng, s_inh) read when ready}, the clocks of a step a pause held)."""
    seed, trial = 2, 1
    tr = fixed.trace(cfg, seed, trial, steps=steps, run_on=True)
    master = _master(seed, trial)
    dut = Network(cfg, debug=True)
    pace = np.random.default_rng(5)
    rows, paused_phases = {}, set()

    async def bench(ctx):
        ctx.set(dut.top, tr.top)
        ctx.set(dut.b_lo, cfg.b_lo)
        ctx.set(dut.master, 0x0BADF00D)
        ctx.set(dut.load, 1)
        await ctx.tick()
        ctx.set(dut.load, 0)
        ctx.set(dut.en, 1)
        await ctx.tick().repeat(cfg.step_clocks + 1)  # into the second priming step
        ctx.set(dut.master, master)
        ctx.set(dut.load, 1)
        await ctx.tick().repeat(2)
        ctx.set(dut.load, 0)
        done = clock = 0
        while done <= steps:
            en = int(pace.random() < 0.6)
            ctx.set(dut.en, en)
            if ctx.get(dut.ready) and done not in rows:
                st = ctx.get(dut.state)
                rows[done] = (
                    [int(st.neurons[i].x) for i in range(cfg.n)],
                    [int(st.neurons[i].eta) for i in range(cfg.n)],
                    [int(st.neurons[i].rng) for i in range(cfg.n)],
                    int(st.s_inh),
                )
            if done and not en:
                paused_phases.add(clock)  # the clock of the step the pause holds
            if ctx.get(dut.commit):
                done, clock = done + 1, 0
            elif en and done:
                clock += 1
            await ctx.tick()

    run_testbench(dut, bench)
    return tr, rows, paused_phases


def paused_row(cfg: Config, tr: fixed.Trace, t: int) -> tuple:
    """What :func:`paused_run` must read after t steps."""
    s_inh = int(tr.s_sum[t - cfg.latency]) if t >= cfg.latency else 0
    return tr.x[t].tolist(), tr.eta[t].tolist(), tr.rng[t].tolist(), s_inh


def test_noise_units_wired_to_the_wrong_neurons_are_caught(monkeypatch):
    # the companion of the shared-noise cases above: units that serve their neurons in the
    # reverse order (each neuron's noise from another's seed) must fail the comparison,
    # at the first read, on the generator state of the neurons that moved
    cfg = Config.paper(n=5, latency=2, step_clocks=4, shared_noise=True, **FAST)
    seed, trial = 1, 3
    tr, _ = golden_for(cfg, seed, trial)
    assert first_mismatch(cfg, lockstep(cfg, tr, seed, trial), tr) is None
    unit = nwta.NoiseUnit
    monkeypatch.setattr(nwta, "NoiseUnit", lambda c, salts: unit(c, salts[::-1]))
    hw = lockstep(cfg, tr, seed, trial)
    step, name, got, want = first_mismatch(cfg, hw, tr)
    assert (step, name) == (0, "rng")
    # neurons 0 to 3 share the first unit (reversed), neuron 4 the second (alone: unmoved)
    assert [g != w for g, w in zip(got, want, strict=True)] == [True] * 4 + [False]


def test_shared_noise_units_build_their_products_by_shifts_and_adds():
    # with products by multipliers, the DSP blocks go to the neurons' beta*D (one a neuron),
    # the units' two products (a*eta, c_xi*xi, per P neurons) stay shifts and adds
    from amaranth.back import rtlil

    cfg = Config.paper(n=8, latency=3, step_clocks=4, shared_noise=True, products="multiplier")
    unit = rtlil.convert(nwta.NoiseUnit(cfg, [3, 5, 7, 9]))
    neuron = rtlil.convert(nwta.LeanNeuron(cfg, 3))
    assert "cell $mul" not in unit and neuron.count("cell $mul") == 1
    lean = rtlil.convert(nwta.LeanNeuron(cfg.replace(step_clocks=1, shared_noise=False), 3))
    assert lean.count("cell $mul") == 3  # beta*D and the neuron's own noise products


# -- ports and validation --------------------------------------------------------------------


def test_step_phases_order_the_stages_within_the_step():
    for clocks in range(1, 9):
        phases = step_phases(clocks)
        assert len(phases) == STAGES and phases[0] == 0 and phases[-1] == clocks - 1
        assert list(phases) == sorted(phases)  # a stage never reads a later clock's value
        if clocks > 1:
            # the decision comes before the step's last clock (the engine's registered enable)
            assert phases[SUM_STAGE] < clocks - 1
            # a clock that no stage works in only lets the adder tree's pipeline advance
            assert set(range(clocks)) - set(phases) <= set(range(1, phases[SUM_STAGE]))
        if clocks >= 6:  # d, beta*d, pre and x' in clocks of their own
            assert phases[4] < phases[5] and phases[6] < phases[7] < phases[8]
        # every multiplier in two halves with 8 clocks; the tree's clocks grow to 3 at 7
        assert (phases[5] < phases[6]) == (clocks >= 8) == (phases[1] < phases[2])
        staged = Config.paper(step_clocks=clocks)
        assert decision_phase(staged) == {6: 2, 7: 3, 8: 3}.get(clocks, phases[SUM_STAGE])
        assert decision_phase(staged) == phases[SUM_STAGE]
    with pytest.raises(ValueError, match="^Clocks per step must be a positive integer, not 0$"):
        step_phases(0)


def test_state_layout_widths_come_from_the_config():
    cfg = Config.paper(**SATURATING)
    layout = state_layout(cfg)
    neuron = layout["neurons"].shape.elem_shape
    assert layout["neurons"].shape.length == cfg.n
    assert neuron["x"].shape == unsigned(cfg.x_state_bits) != unsigned(cfg.x_bits)
    assert neuron["eta"].shape == signed(cfg.eta_bits)
    assert neuron["rng"].shape == unsigned(32)
    assert layout["s_inh"].shape == unsigned(cfg.s_bits)
    net = Network(cfg)
    assert not hasattr(net, "state")
    assert net.b_lo.shape() == unsigned(cfg.x_bits) and net.digest.shape() == unsigned(32)
    assert net.config is cfg


def test_network_needs_a_config():
    with pytest.raises(ValueError, match="^Network needs a gaba Config, not 3$"):
        Network(3)
