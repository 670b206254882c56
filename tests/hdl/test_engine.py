# amaranth: UnusedElaboratable=no
"""gaba.hdl.engine.TrialEngine against gaba.golden.fixed.run_trials, trial by trial.

The testbench strobes ``start``, then watches ``res`` cycle by cycle (driving ``res.ready``
from a pattern), decodes each accepted payload and compares it with the golden kernel's
results for the same seed, first trial and host overrides. It also counts cycles, so the
engine's cycle budget (load + steps + decision + result cycles per trial) is checked.
"""

import numpy as np
import pytest
from amaranth.hdl import DomainRenamer, Fragment, Module, ResetInserter, Shape, Signal

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.hdl.engine import (
    ReplicatedEngine,
    TrialEngine,
    engine_signature,
    port_comment,
    result_layout,
    trial_clocks,
)
from gaba.hdl.nwta import decision_phase, prime_clocks, winner_clocks
from tests.simulate import simulate

# dt = 2**-4 makes trials decide in about 150 to 400 steps; the datapath is the paper's
FAST = dict(dt=2.0**-4, horizon=30.0)
FIELDS = ("winner", "top", "steps", "decided", "eta_sat", "r_sat", "digest")


def run_engine(
    cfg: Config,
    *,
    seed: int,
    first: int,
    count: int,
    tops=None,
    delta_in: int | None = None,
    ready=lambda cycle: True,
    restart_at: int | None = None,
    trace_first: bool = False,
    max_cycles: int = 20000,
) -> dict:
    """Run one batch on a TrialEngine(cfg, debug=True); return what the testbench saw.

    ``tops`` (one per trial) drives top_en/top_in, changed after each accepted result so that
    the next load samples the next one; ``delta_in`` drives delta_en/delta_in. Cycle 0 is the
    first cycle after the start strobe. ``restart_at``: strobe start again (with other
    inputs) in that cycle, which a busy engine must ignore.
    """
    dut = TrialEngine(cfg, debug=True)
    log = {
        "results": [],  # (cycle accepted, payload fields, raw payload bits)
        "valid_cycles": [],
        "stalled": [],  # (cycle, payload fields) of cycles with valid and not ready
        "running": 0,
        "idle_at": None,
        "busy_before": None,
        "states": [],  # (steps, x, rng, eta, s_inh) of the first trial, with trace_first
    }

    def fields(ctx):
        p = ctx.get(dut.res.payload)
        return {name: int(getattr(p, name)) for name in FIELDS}

    async def bench(ctx):
        log["busy_before"] = ctx.get(dut.busy)
        ctx.set(dut.seed, seed)
        ctx.set(dut.first, first)
        ctx.set(dut.count, count)
        if tops is not None:
            ctx.set(dut.top_en, 1)
            ctx.set(dut.top_in, tops[0])
        if delta_in is not None:
            ctx.set(dut.delta_en, 1)
            ctx.set(dut.delta_in, delta_in)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        # the run's parameters were latched at start
        ctx.set(dut.seed, seed ^ 0xFFFF)
        ctx.set(dut.first, first + 7)
        ctx.set(dut.count, count + 3)
        for cycle in range(max_cycles):
            if not ctx.get(dut.busy):
                log["idle_at"] = cycle
                return
            ctx.set(dut.start, int(cycle == restart_at))
            go = bool(ready(cycle))
            ctx.set(dut.res.ready, go)
            log["running"] += ctx.get(dut.running)
            if trace_first and cfg.lanes is None and not log["results"] and ctx.get(dut.in_run):
                st = ctx.get(dut.state)
                log["states"].append(
                    (
                        ctx.get(dut.steps),
                        [int(st.neurons[i].x) for i in range(cfg.n)],
                        [int(st.neurons[i].rng) for i in range(cfg.n)],
                        [int(st.neurons[i].eta) for i in range(cfg.n)],
                        int(st.s_inh),
                    )
                )
            if ctx.get(dut.res.valid):
                log["valid_cycles"].append(cycle)
                if go:
                    raw = ctx.get(dut.res.payload.as_value())
                    log["results"].append((cycle, fields(ctx), raw))
                    if tops is not None and len(log["results"]) < len(tops):
                        ctx.set(dut.top_in, tops[len(log["results"])])
                else:
                    log["stalled"].append((cycle, fields(ctx)))
            await ctx.tick()
        raise AssertionError("the engine did not finish within max_cycles")

    simulate(dut, bench)
    return log


def golden(cfg: Config, count: int, seed: int, first: int, tops=None) -> list[dict]:
    res = fixed.run_trials(cfg, count, seed, first_trial=first, top=tops)
    rows = []
    for j in range(count):
        rows.append(
            {
                "winner": int(res.winner[j]),
                "top": int(res.top[j]),
                "steps": int(res.steps[j]),
                "decided": int(res.decided[j]),
                "eta_sat": int(res.eta_sat[j]),
                "r_sat": int(res.r_sat[j]),
                "digest": int(res.state_hash[j]) & 0xFFFFFFFF,
            }
        )
    return rows


def assert_matches(hw_rows: list[dict], gold_rows: list[dict]):
    assert len(hw_rows) == len(gold_rows)
    for j, (hw, gd) in enumerate(zip(hw_rows, gold_rows, strict=True)):
        for name in FIELDS:
            if name == "winner" and not gd["decided"]:
                continue  # meaningless for an undecided trial
            assert hw[name] == gd[name], (j, name, hw, gd)


def decode(cfg: Config, raw: int) -> dict:
    """Fields of a payload from its bits, by result_layout's offsets."""
    out = {}
    for name, field in result_layout(cfg):
        width = Shape.cast(field.shape).width
        out[name] = (raw >> field.offset) & ((1 << width) - 1)
    return out


def budget(cfg: Config, log: dict, gold_rows: list[dict]) -> None:
    """Per trial: trial_clocks (load, priming, step_clocks per step, the arg-max's pipeline,
    decision) + result cycles."""
    result_cycles = len(log["valid_cycles"])
    steps = sum(r["steps"] for r in gold_rows)
    clocks = sum(trial_clocks(cfg, r["steps"]) for r in gold_rows)
    if cfg.lanes is None:
        per_trial = 2 + prime_clocks(cfg) + decision_phase(cfg)
        per_trial += winner_clocks(cfg)
        assert clocks == len(gold_rows) * per_trial + steps * cfg.step_clocks
    assert log["idle_at"] == clocks + result_cycles
    assert log["running"] == steps
    # with ready high, trial j's result appears trial_clocks cycles after its load
    accepted = [c for c, _, _ in log["results"]]
    load = 0
    for cycle, row in zip(accepted, gold_rows, strict=True):
        stalls = sum(1 for c, _ in log["stalled"] if load <= c < cycle)
        assert cycle == load + trial_clocks(cfg, row["steps"]) + stalls
        load = cycle + 1


# -- trials against the golden kernel --------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "seed", "first", "count"),
    [
        (dict(n=3, **FAST), 7, 0, 5),
        (dict(n=5, latency=1, **FAST), 0xC0FFEE, 1000, 4),
        (dict(kind="wta", n=4, **FAST), 3, 2**32 - 2, 3),  # the trial index wraps to 0
        # a step spread over several clocks: the same trials, step_clocks cycles per step
        (dict(n=3, step_clocks=2, **FAST), 7, 0, 3),
        (dict(n=5, latency=1, step_clocks=3, **FAST), 0xC0FFEE, 1000, 2),
        (dict(n=4, step_clocks=5, **FAST), 11, 5, 2),
        (dict(kind="wta", n=3, latency=2, step_clocks=8, **FAST), 3, 0, 2),
        # a noise unit per 4 neurons (three units, the last serving one), and pipelined
        (dict(n=9, latency=2, step_clocks=4, shared_noise=True, **FAST), 8, 0, 3),
        (dict(n=9, latency=2, step_clocks=4, shared_noise=True, pipelined=True, **FAST), 8, 0, 3),
        # folded: K lanes, the state in memory (gaba.hdl.folded); padded last rows (6 of 8, 7 of 8)
        (dict(n=6, lanes=4, **FAST), 7, 0, 1),
        (dict(n=7, lanes=2, latency=1, **FAST), 5, 0, 3),
        (dict(kind="wta", n=3, lanes=1, latency=2, **FAST), 3, 2**32 - 2, 3),
    ],
    ids=[
        "nwta-n3",
        "nwta-n5-L1",
        "wta-n4-wrap",
        "P2",
        "L1-P3",
        "P5",
        "wta-L2-P8",
        "shared-n9-L2-P4",
        "shared-pipelined-n9-L2-P4",
        "folded-n6-K4",
        "folded-n7-K2-L1",
        "folded-wta-K1-L2",
    ],
)
def test_trials_match_golden(changes, seed, first, count):
    cfg = Config.paper(**changes)
    gold = golden(cfg, count, seed, first)
    assert all(r["decided"] for r in gold)
    log = run_engine(cfg, seed=seed, first=first, count=count, trace_first=True)
    hw = [f for _, f, _ in log["results"]]
    assert_matches(hw, gold)
    for _, f, raw in log["results"]:
        assert decode(cfg, raw) == f
    assert log["busy_before"] == 0
    budget(cfg, log, gold)
    if cfg.lanes is not None:
        return  # the folded network's state is read through its peek port (test_folded)
    # while a trial runs, the debug state is that trial's state after `steps` steps
    tr = fixed.trace(cfg, seed, first)
    assert [s for s, *_ in log["states"]] == list(range(gold[0]["steps"] + 1))
    for s, x, rngs, eta, s_inh in log["states"]:
        assert x == tr.x[s].tolist() and rngs == tr.rng[s].tolist(), s
        assert eta == tr.eta[s].tolist(), s
        # the sum the next step's inhibition reads: S of the state L steps ago (0 before 0)
        assert s_inh == (tr.s_sum[s - cfg.latency] if s >= cfg.latency else 0), s


def test_host_top_and_gap():
    cfg = Config.paper(n=3, **FAST)
    delta_in = 400  # a wider gap than the Config's delta_q
    assert delta_in != cfg.delta_q
    gap = cfg.replace(delta=delta_in / 2**cfg.frac_bits)
    assert gap.delta_q == delta_in and gap.b_lo == cfg.b_hi - delta_in
    tops = [2, 2, 0, 1]
    seed, first = 11, 5
    gold = golden(gap, len(tops), seed, first, tops=np.array(tops))
    log = run_engine(cfg, seed=seed, first=first, count=len(tops), tops=tops, delta_in=delta_in)
    hw = [f for _, f, _ in log["results"]]
    assert [r["top"] for r in hw] == tops
    assert_matches(hw, gold)
    # the drawn tops differ from the host's somewhere, so the host's were really used
    assert golden(cfg, len(tops), seed, first) != gold


def test_host_top_only_and_gap_only():
    cfg = Config.paper(n=3, **FAST)
    seed, first = 4, 0
    tops = [1, 1, 1]
    log = run_engine(cfg, seed=seed, first=first, count=3, tops=tops)
    assert_matches([f for _, f, _ in log["results"]], golden(cfg, 3, seed, first, np.array(tops)))
    gap = cfg.replace(delta=0.0)  # no gap at all: b_lo = b_hi
    log = run_engine(cfg, seed=seed, first=first, count=3, delta_in=0)
    assert_matches([f for _, f, _ in log["results"]], golden(gap, 3, seed, first))


@pytest.mark.parametrize(
    ("changes", "count", "which"),
    [
        (dict(n=6, sigma=0.9, eta_int_bits=0, x_int_bits=1, frac_bits=10, horizon=1.0), 2, "both"),
        (dict(n=3, eta_int_bits=0, sigma=0.6, dt=2.0**-4, horizon=5.0), 2, "eta"),
        (dict(n=3, x_int_bits=1, **FAST), 4, "r"),
        # pipelined: a pair of flags per noise unit (of 4 neurons), the network's their OR
        (
            dict(
                n=6,
                sigma=0.9,
                eta_int_bits=0,
                x_int_bits=1,
                frac_bits=10,
                horizon=1.0,
                step_clocks=4,
                latency=2,
                shared_noise=True,
                pipelined=True,
            ),
            2,
            "both",
        ),
    ],
    ids=["both", "eta-only", "r-only", "both-pipelined"],
)
def test_saturation_flags_reported(changes, count, which):
    cfg = Config.paper(**changes)
    gold = golden(cfg, count, 0, 0)
    eta_any, r_any = any(r["eta_sat"] for r in gold), any(r["r_sat"] for r in gold)
    assert (eta_any, r_any) == {"both": (True, True), "eta": (True, False), "r": (False, True)}[
        which
    ]
    log = run_engine(cfg, seed=0, first=0, count=count)
    assert_matches([f for _, f, _ in log["results"]], gold)


def test_undecided_trials_report_max_steps():
    cfg = Config.paper(n=3, horizon=2.0)  # 256 steps: far too short to decide
    gold = golden(cfg, 3, 21, 0)
    assert not any(r["decided"] for r in gold)
    log = run_engine(cfg, seed=21, first=0, count=3)
    hw = [f for _, f, _ in log["results"]]
    assert [r["steps"] for r in hw] == [cfg.max_steps] * 3
    assert [r["decided"] for r in hw] == [0, 0, 0]
    assert_matches(hw, gold)
    budget(cfg, log, gold)


def test_horizon_boundary():
    # a trial deciding at step k: with max_steps = k it is still decided (the decision and the
    # timeout coincide); with max_steps = k - 1 it is undecided after k - 1 steps
    base = Config.paper(n=3, **FAST)
    seed = 2
    k = golden(base, 1, seed, 0)[0]["steps"]
    for steps, decided in ((k, 1), (k - 1, 0)):
        cfg = base.replace(horizon=steps * base.params.dt)
        assert cfg.max_steps == steps
        gold = golden(cfg, 1, seed, 0)
        assert gold[0]["decided"] == decided and gold[0]["steps"] == steps
        log = run_engine(cfg, seed=seed, first=0, count=1)
        assert_matches([f for _, f, _ in log["results"]], gold)


def test_mixed_decided_and_undecided():
    cfg = Config.paper(n=3, dt=2.0**-4, horizon=14.0)  # 224 steps
    gold = golden(cfg, 6, 7, 0)
    assert 0 < sum(r["decided"] for r in gold) < 6
    log = run_engine(cfg, seed=7, first=0, count=6)
    assert_matches([f for _, f, _ in log["results"]], gold)
    budget(cfg, log, gold)


# -- handshake and control -------------------------------------------------------------------


def test_ready_low_stalls_and_holds_the_result():
    cfg = Config.paper(n=3, **FAST)
    seed, count = 7, 3
    gold = golden(cfg, count, seed, 0)

    def ready(cycle):  # long stalls, then a few cycles of ready, repeated
        return cycle % 40 >= 33

    log = run_engine(cfg, seed=seed, first=0, count=count, ready=ready, restart_at=100)
    hw = [f for _, f, _ in log["results"]]
    assert_matches(hw, gold)
    assert len(log["stalled"]) >= 3 * 5
    # every stalled cycle showed the payload that was accepted after it
    accepted = [(c, f) for c, f, _ in log["results"]]
    for cycle, f in log["stalled"]:
        nxt = next(a for a in accepted if a[0] > cycle)
        assert f == nxt[1], cycle
    # valid rises once per trial and stays high, with ready low, until the result is taken
    prev = -1
    for c, _ in accepted:
        seg = [v for v in log["valid_cycles"] if prev < v <= c]
        assert seg == list(range(seg[0], c + 1))
        assert not any(ready(v) for v in seg[:-1]) and ready(c)
        prev = c
    budget(cfg, log, gold)


def test_count_zero_does_nothing():
    cfg = Config.paper(n=3, **FAST)
    dut = TrialEngine(cfg, debug=True)
    seen = []

    async def bench(ctx):
        ctx.set(dut.seed, 1)
        ctx.set(dut.count, 0)
        ctx.set(dut.start, 1)
        ctx.set(dut.res.ready, 1)
        for _ in range(20):
            await ctx.tick()
            seen.append(
                (
                    ctx.get(dut.busy),
                    ctx.get(dut.res.valid),
                    ctx.get(dut.running),
                    ctx.get(dut.in_run),
                )
            )
        # and the engine still works afterwards
        ctx.set(dut.count, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        seen.append(ctx.get(dut.busy))

    simulate(dut, bench)
    assert seen[:-1] == [(0, 0, 0, 0)] * 20
    assert seen[-1] == 1


# -- the result layout and the port documentation --------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 5, 16, 17])
def test_result_layout_packs_fields_in_order(n):
    cfg = Config.paper(n=n)
    layout = result_layout(cfg)
    names = [name for name, _ in layout]
    assert names == list(FIELDS)
    offset = 0
    for _, field in layout:
        assert field.offset == offset
        offset += Shape.cast(field.shape).width
    assert layout.size == offset
    widths = {name: Shape.cast(field.shape).width for name, field in layout}
    assert 2 ** widths["winner"] >= n and 2 ** widths["top"] >= n
    assert 2 ** (widths["winner"] - 1) < n or widths["winner"] == 1
    assert 2 ** widths["steps"] > cfg.max_steps
    assert widths["digest"] == 32 and widths["decided"] == widths["eta_sat"] == 1


@pytest.mark.parametrize("debug", [False, True])
def test_port_comment_lists_every_port(debug):
    cfg = Config.paper(n=5, latency=1)
    text = port_comment(cfg, debug=debug)
    lines = text.splitlines()
    assert all(line.startswith("//") for line in lines)
    assert cfg.digest() in lines[0]
    ports = {}
    for line in lines:
        parts = line[2:].split()
        if len(parts) >= 4 and parts[1] in ("in", "out"):
            ports[parts[0]] = (parts[1], int(parts[2]), " ".join(parts[3:]))
    sig = engine_signature(cfg, debug=debug)
    want = {"clk": ("in", 1), "rst": ("in", 1)}
    for path, member in sig.members.flatten():
        if member.is_port:
            flow = "in" if member.flow.name == "In" else "out"
            want["__".join(map(str, path))] = (flow, Shape.cast(member.shape).width)
    assert {k: v[:2] for k, v in ports.items()} == want
    assert all(v[2] for v in ports.values()), "every port has a description"
    # the engine's own signature is the documented one
    assert TrialEngine(cfg, debug=debug).signature.members == sig.members
    assert ("state" in ports) == debug
    assert ports["res__payload"][1] == result_layout(cfg).size
    # payload fields with their bit ranges
    for name, field in result_layout(cfg):
        width = Shape.cast(field.shape).width
        assert f"//   [{field.offset + width - 1}:{field.offset}] {name}" in lines


def test_engine_needs_a_config():
    with pytest.raises(ValueError, match="^TrialEngine needs a gaba Config, not None$"):
        TrialEngine(None)


SHARED_PIPELINED = dict(n=9, latency=2, step_clocks=4, shared_noise=True, pipelined=True, **FAST)


@pytest.mark.parametrize(
    ("changes", "abort_at"),
    [
        (dict(n=3, **FAST), 1),
        (dict(n=3, **FAST), None),
        (SHARED_PIPELINED, 2),
        (SHARED_PIPELINED, 9),
        (SHARED_PIPELINED, None),
    ],
    ids=["nwta-n3-load", "nwta-n3-step", "pipelined-load", "pipelined-priming", "pipelined-step"],
)
def test_an_abort_resets_the_engine_but_not_its_network_and_the_next_run_is_exact(
    changes, abort_at
):
    # As a board top wires it (HostLinkTop.abort_spares): ABORT's ResetInserter covers the
    # engine, its network's domain is renamed to sync outside it. An abort ``abort_at``
    # clocks after a run's start (in its serial seeding or load, or in the network's
    # priming), or in the decision clock of step 20 (None), leaves the network where it was:
    # a run started in the next clock gives the golden model's trials.
    cfg = Config.paper(**changes)
    abort = Signal()
    engine = TrialEngine(cfg, debug=True, network_domain="network")
    top = Module()
    top.submodules.engine = DomainRenamer({"network": "sync"})(ResetInserter(abort)(engine))
    gold = golden(cfg, 3, 2, 0)
    seen = {}

    def state(ctx):
        st = ctx.get(engine.state)
        return [(int(st.neurons[i].x), int(st.neurons[i].rng)) for i in range(cfg.n)]

    async def bench(ctx):
        ctx.set(engine.seed, 5)
        ctx.set(engine.count, 4)
        ctx.set(engine.res.ready, 1)
        ctx.set(engine.start, 1)
        await ctx.tick()
        ctx.set(engine.start, 0)
        if abort_at is None:
            while not (ctx.get(engine.in_run) and ctx.get(engine.steps) >= 20):
                await ctx.tick()
        else:
            await ctx.tick().repeat(abort_at)
        ctx.set(abort, 1)
        await ctx.tick()
        ctx.set(abort, 0)
        seen["busy"] = ctx.get(engine.busy)
        seen["after"] = state(ctx)
        ctx.set(engine.seed, 2)
        ctx.set(engine.count, 3)
        ctx.set(engine.start, 1)
        await ctx.tick()
        ctx.set(engine.start, 0)
        results = []
        for _ in range(20000):
            if ctx.get(engine.res.valid):
                p = ctx.get(engine.res.payload)
                results.append({name: int(getattr(p, name)) for name in FIELDS})
            if not ctx.get(engine.busy):
                break
            await ctx.tick()
        seen["results"] = results

    simulate(top, bench)
    assert seen["busy"] == 0
    if abort_at is None:  # the abort left the network mid-trial (no reset state: x = 0)
        assert any(x != 0 for x, _ in seen["after"])
    assert_matches(seen["results"], gold)


@pytest.mark.parametrize("domain", ["", "2x", None, "a b", "comb"])
def test_the_network_domain_must_be_an_identifier(domain):
    with pytest.raises(ValueError, match="clock domain's name must be an identifier"):
        TrialEngine(Config.paper(n=3), network_domain=domain)
    with pytest.raises(ValueError, match="clock domain's name must be an identifier"):
        ReplicatedEngine(Config.paper(n=3), 2, network_domain=domain)


def test_replicas_take_the_network_domain():
    # each replica's network registers are in the domain named (and the engine's are not)
    engine = ReplicatedEngine(Config.paper(n=3), 2, network_domain="network").engine(1)
    frag = Fragment.get(engine, None)
    assert engine.network_domain == "network"
    assert set(frag.find_subfragment("network").statements) == {"comb", "network"}
    assert "sync" in frag.statements
