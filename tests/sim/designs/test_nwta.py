"""nWTA and WTA hardware against the golden model under cocotb, on Verilator and Icarus.

Every configuration here is built once per session (builds are cached under build/sim by
Config digest); each check has a companion that proves it reports a perturbed side, at the
cycle where the two sides really diverge.
"""

import numpy as np
import pytest

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.hdl.nwta import decision_phase, prime_clocks
from gaba.sim import designs


def compare(cfg, *args, **kwargs):
    """The scoreboard of the registry's design for ``cfg``'s kind (nwta or wta)."""
    return designs.get(cfg.kind).compare(cfg, *args, **kwargs)


def first_divergent_step(cfg_a, cfg_b, seed, trial, trace_a=fixed.trace, trace_b=fixed.trace):
    """Step at which two golden runs of one trial first differ (x, eta, rng or flags)."""
    a, b = trace_a(cfg_a, seed, trial), trace_b(cfg_b, seed, trial)
    steps = min(a.steps, b.steps) + 1
    for k in range(steps):
        if (
            not np.array_equal(a.x[k], b.x[k])
            or not np.array_equal(a.eta[k], b.eta[k])
            or a.eta_sat[k] != b.eta_sat[k]
            or a.r_sat[k] != b.r_sat[k]
        ):
            return k
    return steps  # one trace ended (decided) before the other


def _id(c):
    return (
        f"{c.kind}-n{c.n}-L{c.latency}"
        + (f"-P{c.step_clocks}" if c.step_clocks > 1 else "")
        + (f"-K{c.lanes}" if c.lanes is not None else "")
        + ("-shared" if c.shared_noise else "")
    )


# Every Verilator configuration is a build of its own (20 to 50 s on two cores): the default
# run keeps the one its companions below run on (n = 5), Icarus (a build of a second or two)
# holds every other feature (the folded network's lockstep and its companion too), and the
# Verilator variants of those run with -m "slow or not slow" (the folded n = 6 with its
# trials-mode companion).
def case(*values, slow=False):
    """A test case named by its simulator and Config; ``slow``: in the slow tier."""
    name = "-".join(v if isinstance(v, str) else _id(v) for v in values)
    return pytest.param(*values, id=name, marks=pytest.mark.slow if slow else ())


# dt = 2**-4: trials of a few hundred steps, for the folded benches that read n neurons a step
FAST = dict(dt=2.0**-4, horizon=30.0)

LOCKSTEP = [
    case("verilator", Config.paper(n=2, delta=0.1), slow=True),
    case("verilator", Config.paper(n=5)),  # odd, not a power of two
    case("verilator", Config.paper(n=7, kind="wta", latency=1, horizon=15.0), slow=True),
    case("verilator", Config.paper(n=6, latency=2), slow=True),
    # D above d_max: the lossless clamp acts (beta 5, inhibition 40 steps late)
    case("verilator", Config.paper(n=4, beta=5.0, latency=40, dt=2**-4, horizon=20.0), slow=True),
    case("icarus", Config.paper(n=4, beta=5.0, latency=40, dt=2**-4, horizon=20.0)),
    case("icarus", Config.paper(n=3)),
    case("icarus", Config.paper(n=5, latency=2, delta=0.1)),
    case("icarus", Config.paper(n=4, kind="wta", horizon=8.0)),
    # a step over several clocks: the same states, step_clocks cycles apart
    case("verilator", Config.paper(n=5, step_clocks=6), slow=True),
    case("verilator", Config.paper(n=6, latency=2, step_clocks=3), slow=True),
    case("verilator", Config.paper(n=5, latency=1, step_clocks=8), slow=True),  # products halved
    case("icarus", Config.paper(n=3, latency=1, step_clocks=4)),
    # a noise unit per step_clocks neurons (the second unit serving one)
    case("verilator", Config.paper(n=9, latency=2, step_clocks=4, shared_noise=True), slow=True),
    case(
        "icarus",
        Config.paper(n=5, latency=2, step_clocks=4, shared_noise=True, pipelined=True, **FAST),
    ),
    # folded: K lanes, the state in memory, read through the peek port at every step
    case("verilator", Config.paper(n=6, lanes=2, latency=1, **FAST), slow=True),
    case("icarus", Config.paper(n=5, lanes=4, **FAST)),  # a padded last row, L = 0
    case("icarus", Config.paper(n=4, kind="wta", lanes=1, latency=2, **FAST), slow=True),
]


@pytest.mark.parametrize(("simulator", "cfg"), LOCKSTEP)
def test_lockstep_bit_exact(simulator, cfg):
    trials = 2 if simulator == "verilator" else 1
    report = compare(cfg, simulator, "lockstep", trials=trials, seed=7)
    assert report.first_mismatch is None, report.first_mismatch.describe()
    assert report.bit_exact and report.summary["trials"] == trials
    golden = fixed.run_trials(cfg, trials, seed=7)
    assert report.unit == "cycles"
    assert report.compared == int(golden.steps.sum()) + trials  # state 0 .. last step


# Each n is a Verilator build of its own: the default run holds trials mode on the n = 5
# build of the lockstep tests (the companions below, with the same bench bit-exact again after
# them) and the demo's n = 16 (tests/cli/test_demo.py, tests/sim/test_sweep.py)
TRIALS = [
    case(Config.paper(n=24, delta=0.1), slow=True),
    # conventional WTA's trials (undecided: the whole horizon) in the slow tier; the default
    # run holds WTA to the golden model in lockstep (n = 4 on Icarus)
    case(Config.paper(n=24, kind="wta", delta=0.1, horizon=20.0), slow=True),
    case(Config.paper(n=64, delta=0.1), slow=True),
    case(Config.paper(n=64, delta=0.1, latency=2), slow=True),
    case(Config.paper(n=64, kind="wta", delta=0.1, horizon=40.0), slow=True),
    case(Config.paper(n=64, kind="wta", delta=0.1, horizon=40.0, latency=1), slow=True),
    case(Config.paper(n=64, delta=0.1, step_clocks=6), slow=True),
    case(
        Config.paper(n=64, delta=0.1, latency=4, step_clocks=8, shared_noise=True, pipelined=True),
        slow=True,
    ),
    case(Config.paper(n=64, delta=0.1, lanes=4, latency=1), slow=True),
    case(Config.paper(n=64, kind="wta", delta=0.1, horizon=40.0, lanes=8), slow=True),
    # large n, folded (the acceptance runs; a few minutes each)
    case(Config.paper(n=1024, delta=0.1, lanes=16, latency=1), slow=True),
    case(Config.paper(n=4096, delta=0.1, lanes=16, latency=1), slow=True),
]


@pytest.mark.parametrize("cfg", TRIALS)
def test_trials_bit_exact_on_verilator(cfg):
    report = compare(cfg, "verilator", "trials", trials=200, seed=11)
    assert report.first_mismatch is None, report.first_mismatch.describe()
    assert report.bit_exact and report.compared == report.summary["trials"] == 200
    golden = fixed.run_trials(cfg, 200, seed=11)
    hw_steps = np.array(report.outputs["decision_steps"])
    assert np.array_equal(hw_steps, np.where(golden.decided, golden.steps, -1))
    if cfg.kind == "wta":
        assert golden.decided_fraction == 0.0  # conventional WTA fails at n = 24 and 64 ...
    else:
        assert golden.decided_fraction == 1.0  # ... where nWTA decides


def test_host_inputs_match_the_golden_model():
    cfg = Config.paper(n=5)
    tops = [4, 0, 2]
    report = compare(cfg, "verilator", "trials", trials=3, seed=5, tops=tops, delta_q=400)
    assert report.bit_exact, report.first_mismatch
    report = compare(cfg, "verilator", "lockstep", trials=2, seed=5, tops=tops[:2], delta_q=400)
    assert report.bit_exact, report.first_mismatch


# -- the benches can fail -----------------------------------------------------------------


def _round_half_down(v, c, cf):
    return (v * c + (1 << (cf - 1)) - 1) >> cf


@pytest.fixture
def perturbed_trace(monkeypatch):
    """fixed.trace with the one rounding rule changed (half down instead of half up)."""

    def trace(*args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(primitives, "mulr", _round_half_down)
            return fixed.trace(*args, **kwargs)

    return trace


@pytest.mark.parametrize(
    "simulator",
    # Verilator's traced build (the kept waveform) is a build of its own: slow tier
    [pytest.param("verilator", marks=pytest.mark.slow), "icarus"],
)
def test_lockstep_reports_a_perturbed_golden_model_at_the_right_cycle(simulator, perturbed_trace):
    cfg = Config.paper(n=3) if simulator == "icarus" else Config.paper(n=5)
    report = compare(cfg, simulator, "lockstep", trials=1, seed=7, golden_trace=perturbed_trace)
    assert not report.bit_exact
    want = first_divergent_step(cfg, cfg, 7, 0, trace_b=perturbed_trace)
    mm = report.first_mismatch
    assert (mm["trial"], mm["step"]) == (0, want)
    # the start strobe's edge, the priming clocks, then one step per clock
    assert mm["cycle"] == want + 1 + prime_clocks(cfg)
    assert mm.signal in ("x", "eta") and mm["neuron"] is not None
    good = fixed.trace(cfg, 7, 0)
    bad = perturbed_trace(cfg, 7, 0)
    signal = getattr(bad, mm.signal)
    assert (
        mm.golden == signal[want][mm["neuron"]]
        and mm.hardware == getattr(good, mm.signal)[want][mm["neuron"]]
    )
    assert report.waveform is not None and report.waveform.endswith((".vcd", ".fst"))


@pytest.mark.parametrize(
    "hw",
    # hardware the lockstep tests built: one clock per step, and eight (every multiplier
    # halved; a build of its own in the default run, so in the slow tier with its lockstep)
    [
        Config.paper(n=5),
        pytest.param(Config.paper(n=5, latency=1, step_clocks=8), marks=pytest.mark.slow),
        pytest.param(
            Config.paper(n=9, latency=2, step_clocks=4, shared_noise=True), marks=pytest.mark.slow
        ),
    ],
    ids=_id,
)
def test_trials_report_a_perturbed_config_at_the_right_cycle(hw):
    cfg = hw.replace(beta=0.61)  # held to a golden model of a slightly different Config
    report = compare(
        cfg, "verilator", "trials", trials=20, seed=7, hw_config=hw, mismatch_waves=False
    )
    assert not report.bit_exact and report.mismatches > 0
    mm = report.first_mismatch
    golden, other = fixed.run_trials(cfg, 20, seed=7), fixed.run_trials(hw, 20, seed=7)
    differs = (golden.steps != other.steps) | (golden.state_hash != other.state_hash)
    assert mm["trial"] == int(np.argmax(differs))
    # located by replaying that trial in lockstep: the first step where the two runs differ
    assert mm["step"] == first_divergent_step(cfg, hw, 7, mm["trial"])
    assert mm.signal in ("x", "eta")
    # the start strobe's edge, the priming clocks or the decision clock's offset, then
    # step_clocks cycles per step
    clocks = hw.step_clocks
    offset = prime_clocks(hw) + decision_phase(hw)
    assert mm["cycle"] == 1 + offset + mm["step"] * clocks


def test_folded_lockstep_reports_a_perturbed_golden_model(perturbed_trace):
    cfg = Config.paper(n=5, lanes=4, **FAST)  # the Icarus lockstep build above
    report = compare(
        cfg,
        "icarus",
        "lockstep",
        trials=1,
        seed=7,
        golden_trace=perturbed_trace,
        mismatch_waves=False,
    )
    assert not report.bit_exact
    want = first_divergent_step(cfg, cfg, 7, 0, trace_b=perturbed_trace)
    mm = report.first_mismatch
    assert (mm["trial"], mm["step"]) == (0, want)
    assert mm.signal in ("x", "eta") and mm["neuron"] is not None
    good, bad = fixed.trace(cfg, 7, 0), perturbed_trace(cfg, 7, 0)
    assert mm.golden == getattr(bad, mm.signal)[want][mm["neuron"]]
    assert mm.hardware == getattr(good, mm.signal)[want][mm["neuron"]]


@pytest.mark.slow  # with the Verilator build of its hardware (the folded lockstep above)
def test_folded_trials_report_a_perturbed_config_at_its_step():
    hw = Config.paper(n=6, lanes=2, latency=1, **FAST)  # the Verilator lockstep build above
    same = compare(hw, "verilator", "trials", trials=10, seed=7)  # trials mode: bit-exact ...
    assert same.bit_exact and same.compared == 10
    cfg = hw.replace(beta=0.61)  # ... and held to a slightly different Config: caught
    report = compare(
        cfg, "verilator", "trials", trials=10, seed=7, hw_config=hw, mismatch_waves=False
    )
    assert not report.bit_exact and report.mismatches > 0
    mm = report.first_mismatch
    golden, other = fixed.run_trials(cfg, 10, seed=7), fixed.run_trials(hw, 10, seed=7)
    differs = (golden.steps != other.steps) | (golden.state_hash != other.state_hash)
    assert mm["trial"] == int(np.argmax(differs))
    assert mm["step"] == first_divergent_step(cfg, hw, 7, mm["trial"])
    assert mm.signal in ("x", "eta")


def test_equivalence_holds_after_the_perturbation_is_removed():
    # the same bench, same build, same seed: bit-exact again (the failure above was real)
    report = compare(Config.paper(n=5), "verilator", "trials", trials=20, seed=7)
    assert report.bit_exact


def test_the_trials_scoreboard_names_every_result_field():
    # the scoreboard on its own (as the board host uses it): decoded words of the golden
    # model itself are bit-exact; one field off by one is caught at its trial and field
    design = designs.get("nwta")
    cfg = design.config(n=5)
    golden = design.golden(cfg, 6, seed=3, first=2)
    words = [
        {
            "winner": int(max(golden.winner[j], 0)),
            "top": int(golden.top[j]),
            "steps": int(golden.steps[j]),
            "decided": int(golden.decided[j]),
            "eta_sat": int(golden.eta_sat[j]),
            "r_sat": int(golden.r_sat[j]),
            "digest": int(golden.state_hash[j]),
        }
        for j in range(6)
    ]
    tally, _ = design.score_trials(cfg, words, seed=3, first=2)
    assert tally.mismatches == 0 and tally.compared == 6 * 7
    words[4]["steps"] += 1
    tally, _ = design.score_trials(cfg, words, seed=3, first=2)
    assert tally.mismatches == 1
    assert tally.first.to_json() == {
        "trial": 6,
        "signal": "steps",
        "index": [],
        "golden": words[4]["steps"] - 1,
        "hardware": words[4]["steps"],
    }
