import numpy as np
import pytest

from gaba.golden import primitives
from gaba.golden.foldiak import bars, letters
from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.golden.primitives import mulr

CFG = FoldiakConfig.paper()


# -- random streams and initial state -------------------------------------------------------


def test_stream_seed_formula():
    seed, run = 7, 3
    key = (primitives.fmix32(seed) + run * 0x9E3779B9) & 0xFFFFFFFF
    for stream in (fk.STREAM_INIT, fk.STREAM_TRAIN, fk.STREAM_TEST):
        assert fk.stream_seed(seed, run, stream) == primitives.fmix32(key ^ stream) | 1
    seeds = {fk.stream_seed(seed, r, s) for r in range(4) for s in (0x494E4954, 0x5452414E)}
    assert len(seeds) == 8


def test_initial_q_is_the_top_bits_of_the_init_stream():
    q = fk.initial_q(CFG, seed=5, runs=2)
    for r in range(2):
        s = fk.stream_seed(5, r, fk.STREAM_INIT)
        for i in range(CFG.n):
            for j in range(CFG.m):
                s = int(primitives.xorshift32(s))
                assert q[r, i, j] == s >> (32 - CFG.q_init_bits)
    big = fk.initial_q(CFG, seed=1, runs=20)
    assert big.min() >= 0 and big.max() < CFG.one // 4  # uniform [0, 1/4)
    assert abs(big.mean() / CFG.one - 0.125) < 0.005


# -- the readable model by hand --------------------------------------------------------------


def test_first_two_settling_steps_by_hand():
    cfg = FoldiakConfig.paper(n=3, m=4, settle_steps=2)
    q = np.array([[4000, 100, 0, 0], [50, 60, 70, 4095], [0, 0, 0, 1]], np.int64)
    w = np.array([[0, -9000, -50], [-9000, 0, 0], [-50, 0, 0]], np.int64)
    t = np.array([3000, -200, 10], np.int64)
    x = np.array([1, 1, 0, 1])
    ys, steps = fk.settle(cfg, q, w, t, x, trace=True)
    qx = [4100, 50 + 60 + 4095, 1]
    # step 1 from y* = 0: no lateral input
    f1 = [min(max(2048 + mulr(qx[i] - t[i], 40960, 14), 0), 4096) for i in range(3)]
    y1 = [mulr(f, 2048, 14) for f in f1]
    assert steps[1].tolist() == y1
    # step 2: lateral sums exact, rounded once (half up, also for negative sums)
    lat = [(sum(int(w[i, j]) * y1[j] for j in range(3)) + 2048) >> 12 for i in range(3)]
    f2 = [min(max(2048 + mulr(qx[i] + lat[i] - t[i], 40960, 14), 0), 4096) for i in range(3)]
    y2 = [y1[i] + mulr(f2[i] - y1[i], 2048, 14) for i in range(3)]
    assert steps[2].tolist() == ys.tolist() == y2
    assert steps[0].tolist() == [0, 0, 0]


def test_hard_sigmoid_by_hand():
    cfg = FoldiakConfig.paper(n=2, m=1)
    u = np.array([-(10**6), -819, -1, 0, 1, 818, 819, 10**6])
    # 2.5 * u rounded half up: -2.5 -> -2, 2.5 -> 3; clamped to [0, 4096]
    assert fk.sigmoid(cfg, u).tolist() == [0, 1, 2046, 2048, 2051, 4093, 4096, 4096]


def test_learning_step_by_hand():
    cfg = FoldiakConfig.paper(n=3, m=4)
    st = fk.State(
        q=np.array([[1000, 4000, 0, 30], [10, 20, 30, 40], [5, 5, 5, 5]], np.int64),
        w=np.array([[0, -100, -3], [-100, 0, -100], [-3, -100, 0]], np.int64),
        t=np.array([100, -100, 0], np.int64),
    )
    x = np.array([1, 0, 1, 0])
    fk.learn(cfg, st, x, np.array([1, 1, 0]))
    assert st.w.tolist() == [[0, -503, 0], [-503, 0, -94], [0, -94, 0]]  # -3 + 6 clips to 0
    beta = 328
    want_q0 = [1000 + mulr(4096 - 1000, beta, 14), 4000 + mulr(-4000, beta, 14),
               mulr(4096, beta, 14), 30 + mulr(-30, beta, 14)]  # fmt: skip
    assert st.q[0].tolist() == want_q0 and st.q[2].tolist() == [5, 5, 5, 5]
    assert st.t.tolist() == [172, -28, -10]
    assert not st.w_sat and not st.t_sat
    # the pre-run touches thresholds only, with the pre-run's increments
    before_q, before_w = st.q.copy(), st.w.copy()
    fk.learn(cfg, st, x, np.array([0, 1, 0]), pre=True)
    assert np.array_equal(st.q, before_q) and np.array_equal(st.w, before_w)
    assert st.t.tolist() == [172 - 51, -28 + 358, -10 - 51]


def test_saturation_clamps_and_raises_sticky_flags():
    cfg = FoldiakConfig.paper(n=2, m=1, w_min=-0.125, t_max=0.0625)  # w >= -512, t in +-256
    st = fk.State(
        q=np.zeros((2, 1), np.int64),
        w=np.array([[0, -300], [-300, 0]], np.int64),
        t=np.array([250, -250], np.int64),
    )
    fk.learn(cfg, st, [1], np.array([1, 1]))
    assert st.w.tolist() == [[0, -512], [-512, 0]] and st.w_sat
    assert st.t.tolist() == [255, -250 + 72] and st.t_sat
    fk.learn(cfg, st, [1], np.array([0, 0]))  # nothing saturates now: flags stay set
    assert st.w_sat and st.t_sat and st.w.tolist() == [[0, -506], [-506, 0]]


def test_trace_rows_and_first_settle():
    tr = fk.trace(CFG, seed=2, run=1, presentations=5)
    total = CFG.pre_presentations + 5
    assert tr.q.shape == (total + 1, 16, 64) and tr.ystar.shape == (total, 16)
    assert np.array_equal(tr.q[0], fk.initial_q(CFG, 2, 1, 1)[0])
    assert np.all(tr.w[: CFG.pre_presentations + 1] == 0)  # the pre-run leaves w alone
    assert np.array_equal(tr.y, tr.ystar > CFG.half)
    assert tr.settle.shape == (65, 16) and np.all(tr.settle[0] == 0)
    assert np.array_equal(tr.settle[-1], tr.ystar[0])
    x, _ = bars.prng_bars(fk.stream_seeds(2, 1, fk.STREAM_TRAIN, 1), total)
    assert np.array_equal(tr.x, x[0])


# -- the readable model and the numba kernel agree bit for bit --------------------------------


def _mismatches(kernel_cfg, trace_cfg, seed, runs, presentations, source=bars.prng_bars):
    res = fk.train(kernel_cfg, runs, presentations, seed, snapshot_every=1, chunk=37,
                   source=source)  # fmt: skip
    pre = kernel_cfg.pre_presentations
    bad = []
    for r in range(runs):
        tr = fk.trace(trace_cfg, seed, r, presentations, source=source)
        pairs = {
            "q": (res.q_hist[r], tr.q[pre:]),
            "w": (res.w_hist[r], tr.w[pre:]),
            "t": (res.t_hist[r], tr.t[pre:]),
            "w_sat": (res.w_sat_hist[r], tr.w_sat[pre:]),
            "t_sat": (res.t_sat_hist[r], tr.t_sat[pre:]),
            "ystar": (res.ystar[r], tr.ystar),
        }
        for name, (got, want) in pairs.items():
            differs = np.any((got != want).reshape(got.shape[0], -1), axis=1)
            if differs.any():
                bad.append((r, name, int(np.argmax(differs))))
        if (res.w_sat[r], res.t_sat[r]) != (tr.w_sat[-1], tr.t_sat[-1]):
            bad.append((r, "flags", -1))
        if not np.array_equal(res.q[r], tr.q[-1]) or not np.array_equal(res.w[r], tr.w[-1]):
            bad.append((r, "final", -1))
    return bad


# both flags rise during training (a short pre-run keeps t below t_max at first)
SATURATING = FoldiakConfig.paper(w_min=-0.5, t_max=1.0, pre_presentations=5)

CASES = [
    pytest.param(CFG, bars.prng_bars, id="paper-bars"),
    pytest.param(SATURATING, bars.prng_bars, id="saturating"),
    pytest.param(FoldiakConfig.paper(n=5, frac_bits=10, coef_bits=12, settle_steps=20,
                                     pre_presentations=7), bars.prng_bars, id="small"),
    pytest.param(FoldiakConfig.paper(t_max=32.0, w_min=-16.0), letters.prng_letters,
                 id="letters"),
]  # fmt: skip


@pytest.mark.parametrize(("cfg", "source"), CASES)
def test_kernel_matches_readable_model(cfg, source):
    assert _mismatches(cfg, cfg, seed=11, runs=2, presentations=200, source=source) == []


def test_the_saturating_case_saturates():
    res = fk.train(SATURATING, 2, 200, 11, snapshot_every=1)
    assert res.w_sat.all() and res.t_sat.all()
    for hist in (res.w_sat_hist, res.t_sat_hist):
        first = np.argmax(hist, axis=1)
        assert np.all(first > 0) and np.all(hist[:, -1])  # raised after the start, sticky
        assert all(hist[r, first[r] :].all() for r in range(2))
    assert res.t.max() == SATURATING.t_max_q and res.w.min() == SATURATING.w_min_q


def test_kernel_check_fails_when_the_rounding_is_perturbed(monkeypatch):
    # companion: round half down instead of half up in the readable model must be caught
    monkeypatch.setattr(primitives, "mulr", lambda v, c, cf: (v * c + (1 << (cf - 1)) - 1) >> cf)
    bad = _mismatches(CFG, CFG, seed=11, runs=1, presentations=20)
    assert {name for _, name, _ in bad} >= {"q", "ystar"}


def test_kernel_check_fails_when_one_constant_is_changed():
    # beta = 0.0201 changes beta_c from 328 to 329 and nothing else
    other = CFG.replace(beta=0.0201)
    diff = {k for k, v in other.constants().items() if CFG.constants()[k] != v}
    assert diff == {"beta_c"}
    bad = _mismatches(CFG, other, seed=11, runs=1, presentations=200)
    assert ("q" in {name for _, name, _ in bad}) and bad[0][2] > 0


def test_respond_matches_settle():
    res = fk.train(CFG, 3, 300, 4)
    x, _ = fk.test_patterns(4, 3, 20)
    ys = fk.respond(CFG, res.q, res.w, res.t, x)
    for r in range(3):
        for k in range(20):
            want = fk.settle(CFG, res.q[r], res.w[r], res.t[r], x[r, k])
            assert np.array_equal(ys[r, k], want)


# -- invariants after learning ---------------------------------------------------------------


@pytest.fixture(scope="module")
def learned():
    return fk.train(CFG, 6, 2500, 21, snapshot_every=500)


def test_weights_stay_in_their_ranges(learned):
    for q in (learned.q, learned.q_hist):
        assert q.min() >= 0 and q.max() <= CFG.q_max < CFG.one
    assert learned.ystar.min() >= 0 and learned.ystar.max() <= CFG.y_max
    w = learned.w
    assert np.array_equal(w, np.swapaxes(w, 1, 2))  # symmetric
    assert np.all(np.diagonal(w, axis1=1, axis2=2) == 0) and w.max() <= 0
    assert w.min() > CFG.w_min_q and not learned.w_sat.any() and not learned.t_sat.any()


def test_learning_finds_the_bars_and_codes_them(learned):
    assert bars.bars_represented(learned.q).tolist() == [16] * 6
    x, masks = fk.test_patterns(21, 6, 400)
    y = fk.respond(CFG, learned.q, learned.w, learned.t, x) > CFG.half
    assert bars.code_errors(y, masks, bars.unit_bars(learned.q)).mean() < 0.05
    # every unit fires at about the target rate p over the last 1000 presentations
    rate = learned.y[:, -1000:].mean(axis=1)
    assert np.all(np.abs(rate - 0.125) < 0.05)
    assert learned.snapshot_at.tolist() == [0, 500, 1000, 1500, 2000, 2500]
    assert bars.bars_represented(learned.q_hist[:, 0]).max() <= 2  # after the pre-run only


def test_runs_are_independent_slices_and_seeds_matter():
    whole = fk.train(CFG, 4, 150, 9)
    part = fk.train(CFG, 2, 150, 9, first_run=2, chunk=64)
    assert np.array_equal(whole.q[2:], part.q) and np.array_equal(whole.ystar[2:], part.ystar)
    other = fk.train(CFG, 4, 150, 10)
    assert not np.array_equal(whole.q, other.q)


def test_progress_counts_presentations():
    calls = []
    fk.train(CFG, 1, 150, 1, chunk=100, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(100, 250), (200, 250), (250, 250)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"runs": 0}, "Run count must be an integer of at least 1, not 0"),
        ({"presentations": -1}, "Presentation count must be an integer of at least 0, not -1"),
        ({"seed": 2**32}, r"Seed must be an integer in 0..2\*\*32-1"),
        ({"seed": True}, r"Seed must be an integer in 0..2\*\*32-1, not True"),
        (
            {"source": lambda states, count: (np.zeros((1, count, 3), np.uint8), None)},
            r"pattern source must return uint8 patterns of shape \(1, 110, 64\)",
        ),
    ],
)
def test_train_validation(kwargs, message):
    args = {"runs": 1, "presentations": 10, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        fk.train(CFG, **args)


# -- acceptance: the bars problem, 25 runs x 3000 presentations -----------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bars_acceptance(seed):
    res = fk.train(CFG, 25, 3000, seed, snapshot_every=500)
    represented = bars.bars_represented(res.q)
    assert (represented == 16).sum() >= 24
    x, masks = fk.test_patterns(seed, 25, 1000)
    y = fk.respond(CFG, res.q, res.w, res.t, x) > CFG.half
    assert bars.code_errors(y, masks, bars.unit_bars(res.q)).mean() <= 0.05
    curve = bars.bars_represented(res.q_hist).mean(axis=0)
    assert curve[2] >= 10 and curve[3] >= 14.5  # reference: 12.5 at 1000, 15.5 at 1500
    assert not res.w_sat.any() and not res.t_sat.any()
    assert -6 * CFG.one < res.w.min() and 2 * CFG.one < res.t.min() < res.t.max() < 6 * CFG.one
