import math

import numpy as np
import pytest

from gaba.golden import fixed, primitives
from gaba.golden.config import Config, ConfigWarning
from gaba.golden.reference import simulate_float

# -- semantics on hand-checked cases ---------------------------------------------------------


@pytest.mark.parametrize("guard", [0, 7])
def test_first_steps_by_hand_without_noise(guard):
    cfg = Config.paper(n=3, sigma=0.0, stop=1.6, x_guard_bits=guard)
    tr = fixed.trace(cfg, seed=0, top=1, steps=2)
    k = cfg.k_dt
    b = (cfg.b_lo, cfg.b_hi, cfg.b_lo)
    # step 1: X = 0, no inhibition: r = b; X1 = mulr(b * 2**G, k)
    x1 = [((bi << guard) * k + (1 << 13)) >> 14 for bi in b]
    assert tr.x[1].tolist() == x1
    # the network reads x = X >> G: rounded at G = 0 (30.4, 32), the exact b/128 at G = 7
    assert [v >> guard for v in x1] == [30, 32, 30]
    assert guard == 0 or x1 == list(b)
    # step 2: all below theta, so still no inhibition; r = b + mulr(x1 >> G, alpha)
    r2 = [
        bi + (((xi >> guard) * cfg.alpha_c + (1 << 13)) >> 14) for bi, xi in zip(b, x1, strict=True)
    ]
    x2 = [
        xi + ((((ri << guard) - xi) * k + (1 << 13)) >> 14) for xi, ri in zip(x1, r2, strict=True)
    ]
    assert tr.x[2].tolist() == x2
    assert np.all(tr.eta == 0) and not tr.eta_sat.any()


def test_gate_counts_x_equal_to_theta_as_active():
    cfg = Config.paper(n=3)
    x = np.array([cfg.theta_q - 1, cfg.theta_q, cfg.theta_q + 1])
    # gate reads the register X = x * 2**G plus guard bits, which it drops
    guard = cfg.x_guard_bits
    x_reg = (x << guard) + np.array([(1 << guard) - 1, 0, 1])
    assert fixed.gate(cfg, x_reg).tolist() == [0, cfg.theta_q, cfg.theta_q + 1]
    assert fixed.gate(cfg.replace(kind="wta"), x_reg).tolist() == x.tolist()


def test_latency_delays_all_inhibition_by_l_steps():
    # conventional WTA without noise (g = x): inhibition is non-zero from x(1) on; 16 fractional
    # bits make its first effect visible at once.
    base = Config.paper(kind="wta", n=4, sigma=0.0, stop=1.9, frac_bits=16)
    no_inh = fixed.trace(base.replace(beta=0.0), 0, top=0, steps=8)
    for latency in (0, 1, 3):
        tr = fixed.trace(base.replace(latency=latency), 0, top=0, steps=8)
        # steps 1..L+1 see x(t - L) with t - L <= 0, so zero inhibition; step L+2 sees x(1)
        differs = np.any(tr.x != no_inh.x, axis=1)
        assert int(np.argmax(differs)) == latency + 2
        assert np.all(tr.x[latency + 2] < no_inh.x[latency + 2])


def test_digest_sees_every_neuron_and_both_state_variables():
    cfg = Config.paper(n=40)
    rng = np.random.default_rng(0)
    x = rng.integers(0, cfg.x_state_max, 40)
    eta = rng.integers(cfg.eta_min, cfg.eta_max, 40)
    h = fixed.digest(cfg, x, eta)
    # by hand for neuron 1 alone: word rotated left by 1
    one = np.zeros(40, np.int64)
    one[1] = 3
    assert fixed.digest(cfg, one, np.zeros(40, np.int64)) == 6
    one[1], eta1 = 0, np.zeros(40, np.int64)
    eta1[0] = -1  # all eta bits set, above x's bits
    eta_word = ((1 << cfg.eta_bits) - 1) << cfg.x_state_bits
    assert fixed.digest(cfg, one, eta1) == eta_word & 0xFFFFFFFF
    for i in range(40):
        for arr in (x, eta):
            changed = arr.copy()
            changed[i] ^= 1
            args = (changed, eta) if arr is x else (x, changed)
            assert fixed.digest(cfg, *args) != h


def test_decision_tie_breaks_to_the_lowest_index():
    cfg = Config.paper(n=4)
    st = fixed.initial_state(cfg, seed=0)
    guard = cfg.x_guard_bits
    # the guard bits do not break the tie: neuron 2's register is larger, its x the same
    st.x[:] = [0, (cfg.stop_q + 5) << guard, ((cfg.stop_q + 5) << guard) + 1, 3]
    assert fixed.decision(cfg, st) == 1
    st.x[:] = [0, ((cfg.stop_q - 1) << guard) | ((1 << guard) - 1), 0, 0]
    assert fixed.decision(cfg, st) == -1


def test_undecided_trials_are_reported_never_dropped():
    cfg = Config.paper(kind="wta", n=64, delta=0.1, horizon=20.0)
    res = fixed.run_trials(cfg, 16, seed=2)
    assert res.trials == 16 and not res.decided.any()
    assert np.all(res.winner == -1) and np.all(res.steps == cfg.max_steps)
    assert res.decided_fraction == 0.0


# -- the readable model and the numba kernel agree bit for bit --------------------------------


def _kernel_vs_trace_mismatches(cfg, seed, trials):
    res = fixed.run_trials(cfg, trials, seed)
    bad = []
    for j in range(trials):
        tr = fixed.trace(cfg, seed, j)
        got = (
            res.winner[j],
            res.steps[j],
            res.top[j],
            res.eta_sat[j],
            res.r_sat[j],
            res.state_hash[j],
        )
        want = (
            tr.winner,
            tr.steps,
            tr.top,
            tr.eta_sat[-1],
            tr.r_sat[-1],
            fixed.digest(cfg, tr.x[-1], tr.eta[-1]),
        )
        if tuple(int(v) for v in got) != tuple(int(v) for v in want):
            bad.append((j, got, want))
    return bad


CASES = [
    Config.paper(n=2, delta=0.1),
    Config.paper(n=7),
    Config.paper(n=16, latency=2),
    Config.paper(n=7, frac_bits=16),  # needs the int64 kernel
    Config.paper(n=5, kind="wta", horizon=30.0),
    Config.paper(n=9, kind="wta", latency=1, delta=0.2, horizon=40.0),
    # strong, late inhibition: D exceeds d_max, so the (lossless) clamp acts
    Config.paper(n=4, beta=5.0, latency=40, dt=2**-4, horizon=20.0),
    # saturates both eta and r
    Config.paper(n=6, sigma=0.9, eta_int_bits=0, x_int_bits=1, frac_bits=10, horizon=20.0),
]


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: f"{c.kind}-n{c.n}-L{c.latency}")
def test_kernel_matches_readable_model(cfg):
    # three trials of each Config (the readable model steps in Python); the fuzz test draws
    # 200 more Configs (tests/golden/test_fuzz.py)
    assert _kernel_vs_trace_mismatches(cfg, seed=11, trials=3) == []


def test_int32_and_int64_kernels_agree():
    assert CASES[3].kernel_bits > 32 and CASES[1].kernel_bits <= 32
    cfg = Config.paper(n=33, latency=1)
    narrow = fixed.run_trials(cfg, 40, seed=9)
    cfg.__dict__["kernel_bits"] = 64  # override the cached property: force the wide kernel
    wide = fixed.run_trials(cfg, 40, seed=9)
    for name in ("winner", "steps", "state_hash", "eta_sat", "r_sat"):
        assert np.array_equal(getattr(narrow, name), getattr(wide, name))


def test_kernel_check_fails_when_the_readable_model_is_perturbed(monkeypatch):
    # companion: round half down instead of half up in one product must be caught
    monkeypatch.setattr(primitives, "mulr", lambda v, c, cf: (v * c + (1 << (cf - 1)) - 1) >> cf)
    assert len(_kernel_vs_trace_mismatches(CASES[1], seed=11, trials=3)) == 3  # every trial


def test_saturation_flags_are_raised_and_sticky():
    cfg = CASES[-1]
    res = fixed.run_trials(cfg, 8, seed=4)
    assert res.eta_sat.all() and res.r_sat.all()
    tr = fixed.trace(cfg, 4, 0)
    first = int(np.argmax(tr.eta_sat))
    assert first > 0 and tr.eta_sat[first:].all() and not tr.eta_sat[:first].any()
    assert tr.eta.min() == cfg.eta_min or tr.eta.max() == cfg.eta_max
    quiet = fixed.run_trials(Config.paper(n=6), 8, seed=4)
    assert not quiet.eta_sat.any() and not quiet.r_sat.any()


# -- determinism -----------------------------------------------------------------------------


def test_seed_reproducibility_and_slices():
    cfg = Config.paper(n=12)
    a = fixed.run_trials(cfg, 20, seed=5)
    b = fixed.run_trials(cfg, 20, seed=5)
    part = fixed.run_trials(cfg, 4, seed=5, first_trial=7)
    for name in ("winner", "steps", "top", "state_hash"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
        assert np.array_equal(getattr(a, name)[7:11], getattr(part, name))
    other = fixed.run_trials(cfg, 20, seed=6)
    assert not np.array_equal(a.state_hash, other.state_hash)
    # progress chunks do not change results
    calls = []
    chunked = fixed.run_trials(cfg, 20, seed=5, chunk=3, progress=lambda d, t: calls.append(d))
    assert calls == [3, 6, 9, 12, 15, 18, 20]
    assert np.array_equal(chunked.state_hash, a.state_hash)


def test_top_override():
    cfg = Config.paper(n=8, delta=0.3)
    res = fixed.run_trials(cfg, 8, seed=1, top=np.arange(8))
    assert res.top.tolist() == list(range(8))
    assert np.array_equal(res.winner, res.top)  # a gap of 0.3 is always resolved


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trials": 0}, "Trial count must be an integer of at least 1, not 0"),
        ({"seed": -1}, r"Seed must be an integer in 0..2\*\*32-1, not -1"),
        ({"seed": 2**32}, "Seed must be an integer in 0..2"),
        ({"top": [9, 0]}, r"Top options must lie in 0..7, not 9 \(trial 0\)"),
        ({"top": [1, 2, 3]}, r"Top options must be an integer array of shape \(2,\)"),
    ],
)
def test_run_trials_validation(kwargs, message):
    args = {"trials": 2, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        fixed.run_trials(Config.paper(n=8), **args)


# -- statistically the float model ---------------------------------------------------------


def _within_two_se(a, a_se, b, b_se):
    se = math.hypot(a_se, b_se)
    return a == b if se == 0 else abs(a - b) < 2 * se


def _agree(fx, fl):
    """Mean decision time and accuracy within two (combined) standard errors."""
    f, g = fx.summary(), fl.summary()
    return (
        f["decided_fraction"] == g["decided_fraction"] == 1.0
        and _within_two_se(
            f["mean_decision_time"],
            f["mean_decision_time_se"],
            g["mean_decision_time"],
            g["mean_decision_time_se"],
        )
        and _within_two_se(f["accuracy"], f["accuracy_se"], g["accuracy"], g["accuracy_se"])
    )


STAT_POINTS = [
    pytest.param(10, 0.05, 800, 400, id="n10"),
    # n = 10 holds the agreement (and its companion) in the default run
    pytest.param(100, 0.05, 800, 300, id="n100", marks=pytest.mark.slow),
    pytest.param(1000, 0.10, 400, 200, id="n1000", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("n", "delta", "fixed_trials", "float_trials"), STAT_POINTS)
def test_fixed_point_matches_float_reference(n, delta, fixed_trials, float_trials):
    cfg = Config.paper(n=n, delta=delta)
    fx = fixed.run_trials(cfg, fixed_trials, seed=101)
    fl = simulate_float(cfg.params, float_trials, seed=202)
    assert _agree(fx, fl), (fx.summary(), fl.summary())


def test_statistical_check_fails_for_a_perturbed_config():
    # companion: the same check must reject a model whose inhibition is 20 % stronger
    cfg = Config.paper(n=10)
    fx = fixed.run_trials(cfg.replace(beta=0.72), 800, seed=101)
    fl = simulate_float(cfg.params, 400, seed=202)
    assert not _agree(fx, fl)


def test_eight_fractional_bits_stall_where_the_float_model_decides():
    with pytest.warns(ConfigWarning):
        cfg8 = Config.paper(n=10, frac_bits=8, x_guard_bits=0, horizon=100.0)
    fx = fixed.run_trials(cfg8, 100, seed=3)
    fl = simulate_float(cfg8.params, 100, seed=3)
    assert fl.decided_fraction == 1.0
    assert fx.decided_fraction == 0.0
    # frozen short of stop: no neuron ever reaches it in 6000 steps (47 tau)
    tr = fixed.trace(cfg8, 3, 0, steps=6000)
    assert tr.winner == -1 and tr.x.max() < cfg8.stop_q
    # while the same Config with 12 fractional bits decides every trial
    assert fixed.run_trials(cfg8.replace(frac_bits=12), 100, seed=3).decided_fraction == 1.0
    # and so does 8 with 7 guard bits in the x register (the dead band below one LSB of x)
    assert fixed.run_trials(cfg8.replace(x_guard_bits=7), 100, seed=3).decided_fraction == 1.0
