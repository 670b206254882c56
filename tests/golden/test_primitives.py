"""The integer primitives: by hand (gaba.golden.primitives), and the numba twins every kernel
calls (gaba.golden.kernels) held equal to them on edge and random inputs, in both datapath
types, with a companion proving that the comparison catches a perturbed side."""

import numba
import numpy as np
import pytest

from gaba.golden import kernels, primitives

MASK32 = primitives.MASK32
I32, I64, U32 = np.int32, np.int64, np.uint32


# -- the readable primitives by hand -------------------------------------------------------------


def test_mulr_rounds_half_up():
    assert [primitives.mulr(v, 1, 1) for v in (-3, -2, -1, 0, 1, 2, 3)] == [-1, -1, 0, 0, 1, 1, 2]
    assert primitives.mulr(3, 3 << 12, 14) == 2  # 2.25 -> 2
    assert primitives.mulr(-3, 3 << 12, 14) == -2  # -2.25 -> -2
    assert primitives.mulr(5, 1 << 13, 14) == 3 and primitives.mulr(-5, 1 << 13, 14) == -2


def test_ou_step_saturates_and_says_so():
    # mulr(100, 2**13, 14) + mulr(-4, 2**14, 14) = 50 - 4
    assert primitives.ou_step(100, -4, 1 << 13, 1 << 14, 14, -50, 50) == (46, False)
    assert primitives.ou_step(100, 10, 1 << 13, 1 << 14, 14, -50, 50) == (50, True)
    assert primitives.ou_step(-100, -10, 1 << 13, 1 << 14, 14, -50, 50) == (-50, True)
    assert primitives.ou_step(100, 0, 1 << 13, 1 << 14, 14, -50, 50) == (50, False)  # at the bound
    eta, sat = primitives.ou_step(np.array([100, 100]), np.array([-4, 10]), 1 << 13, 1 << 14, 14,
                                  -50, 50)  # fmt: skip
    assert eta.tolist() == [46, 50] and sat.tolist() == [False, True]


def test_xorshift32_matches_marsaglia():
    # Marsaglia (2003), "Xorshift RNGs": from y = 2463534242 the first output is 723471715.
    assert primitives.xorshift32(2463534242) == 723471715


def test_xorshift32_stays_32_bit_and_nonzero():
    s = 1
    for _ in range(10000):
        s = primitives.xorshift32(s)
        assert 0 < s <= MASK32


def test_fmix32_known_values_and_bijection_on_a_sample():
    assert primitives.fmix32(0) == 0
    assert primitives.fmix32(1) == 0x514E28B7
    sample = np.arange(0, 2**32, 2**32 // 50000, dtype=np.int64)
    hashed = primitives.fmix32(sample)
    assert len(set(hashed.tolist())) == len(sample)
    assert [primitives.fmix32(int(v)) for v in sample[:100]] == hashed[:100].tolist()


def test_irwin_hall4_range_and_exact_moments():
    # every 32-bit word equally likely <=> every byte uniform: moments from the 4-byte sum
    byte = np.arange(256)
    words = byte[:, None] + (byte[None, :] << 8)  # two bytes enumerate the distribution
    two = (words & 0xFF) + ((words >> 8) & 0xFF)
    dist = np.bincount(two.ravel())
    four = np.convolve(dist, dist) / 256**4
    values = np.arange(four.size) - primitives.XI_MEAN
    assert values.min() == -510 and values.max() == 510
    assert np.isclose(np.sum(four * values), 0.0)
    assert np.isclose(np.sqrt(np.sum(four * values**2)), primitives.XI_STD)
    assert primitives.irwin_hall4(0) == -510 and primitives.irwin_hall4(MASK32) == 510
    assert primitives.irwin_hall4(0x01020304) == 10 - 510


def test_trial_keys_are_a_weyl_sequence_and_tops_cover_all_options():
    k0 = primitives.trial_key(7, 0)
    assert primitives.trial_key(7, 5) == (k0 + 5 * primitives.WEYL) & MASK32
    tops = [primitives.trial_top(primitives.trial_key(7, t), 10) for t in range(2000)]
    counts = np.bincount(tops, minlength=10)
    assert counts.min() > 150 and counts.max() < 250  # uniform: 200 +- 3.7 sd of a binomial


def test_neuron_seeds_are_odd_distinct_and_salted():
    salts = primitives.neuron_salts(64)
    assert salts.dtype == np.int64
    assert salts.tolist() == [primitives.fmix32(i + 1) for i in range(64)]
    seeds = primitives.neuron_seed(0x12345678, salts)
    assert seeds.dtype == np.int64
    assert np.all(seeds & 1) and len(set(seeds.tolist())) == 64
    assert seeds.tolist() == [(0x12345678 ^ int(s)) | 1 for s in salts]


# -- the numba twins against the readable primitives ---------------------------------------------
#
# Each twin runs inlined into a small loop kernel, as the golden kernels call it, with the datapath
# type(s) given last. The readable side runs twice: on int64 arrays and on Python ints.


@numba.njit
def _mulr(v, c, cf, T):
    out = np.empty(v.shape[0], np.int64)
    for i in range(v.shape[0]):
        out[i] = kernels.mulr(T(v[i]), T(c[i]), cf, T)
    return out


@numba.njit
def _ou_step(eta, xi, a, c_xi, cf, eta_min, eta_max, T):
    out = np.empty(eta.shape[0], np.int64)
    sat = np.empty(eta.shape[0], np.bool_)
    for i in range(eta.shape[0]):
        e, s = kernels.ou_step(T(eta[i]), T(xi[i]), T(a), T(c_xi), cf, T(eta_min), T(eta_max), T)
        out[i] = e
        sat[i] = s
    return out, sat


@numba.njit
def _xorshift32(s, U):
    out = np.empty(s.shape[0], np.int64)
    for i in range(s.shape[0]):
        out[i] = kernels.xorshift32(U(s[i]), U)
    return out


@numba.njit
def _irwin_hall4(s, T, U):
    out = np.empty(s.shape[0], np.int64)
    for i in range(s.shape[0]):
        out[i] = kernels.irwin_hall4(U(s[i]), T)
    return out


@numba.njit
def _fmix32(h):
    out = np.empty(h.shape[0], np.int64)
    for i in range(h.shape[0]):
        out[i] = kernels.fmix32(h[i])
    return out


@numba.njit
def _trial_key(seed, trial):
    out = np.empty(seed.shape[0], np.int64)
    for i in range(seed.shape[0]):
        out[i] = kernels.trial_key(seed[i], trial[i])
    return out


@numba.njit
def _trial_master(key):
    out = np.empty(key.shape[0], np.int64)
    for i in range(key.shape[0]):
        out[i] = kernels.trial_master(key[i])
    return out


@numba.njit
def _trial_top(key, n):
    out = np.empty(key.shape[0], np.int64)
    for i in range(key.shape[0]):
        out[i] = kernels.trial_top(key[i], n)
    return out


@numba.njit
def _neuron_seed(master, salt, U):
    out = np.empty(master.shape[0], np.int64)
    for i in range(master.shape[0]):
        out[i] = U(kernels.neuron_seed(master[i], salt[i]))
    return out


def differences(readable, jitted, arrays, consts=(), types=()):
    """The inputs on which ``readable`` and the twin ``jitted`` disagree: a list of
    (index, inputs, readable's value, jitted's value), empty when they agree everywhere.

    ``arrays`` are the per-element arguments, ``consts`` the common ones; ``jitted(*arrays,
    *consts, *types)`` computes all elements; ``readable`` is called once on the int64 arrays
    and once per element on Python ints (all three must agree).
    """
    arrays = [np.asarray(a, dtype=np.int64) for a in arrays]

    def columns(value):  # one or several results, as int64 columns
        return [np.asarray(v).astype(np.int64) for v in (value if isinstance(value, tuple) else
                                                          (value,))]  # fmt: skip

    got = columns(jitted(*arrays, *consts, *types))
    vectorised = columns(readable(*arrays, *consts))
    bad = []
    for i in range(arrays[0].shape[0]):
        inputs = tuple(int(a[i]) for a in arrays)
        one = tuple(int(v) for v in columns(readable(*inputs, *consts)))
        vec = tuple(int(col[i]) for col in vectorised)
        twin = tuple(int(col[i]) for col in got)
        if not one == vec == twin:
            bad.append((i, inputs, one if one != twin else vec, twin))
    return bad


RNG = np.random.default_rng(20240611)
EDGE_WORDS = [0, 1, 2, 3, 0xFF, 0x100, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, MASK32]
WORDS = np.array(EDGE_WORDS + RNG.integers(0, 2**32, 3000).tolist(), np.int64)
STATES = WORDS[WORDS != 0]  # xorshift32 states are non-zero (0 is a fixed point)


def _products(bits, cf, count=3000):
    """(v, c) pairs, ties and edges included, whose v*c + 2**(cf-1) fits ``bits`` signed bits."""
    c_max = (1 << cf) - 1
    v_max = ((1 << (bits - 1)) - (1 << (cf - 1)) - 1) // c_max
    edges = [(v, c) for v in (0, 1, -1, 2, -2, 3, -3, v_max, -v_max, v_max - 1, -v_max + 1)
             for c in (0, 1, 1 << (cf - 1), c_max, c_max - 1)]  # fmt: skip
    v = RNG.integers(-v_max, v_max + 1, count)
    c = RNG.integers(0, c_max + 1, count)
    return [*(e[0] for e in edges), *v], [*(e[1] for e in edges), *c]


@pytest.mark.parametrize(("T", "bits"), [(I32, 32), (I64, 64)], ids=["int32", "int64"])
@pytest.mark.parametrize("cf", [1, 4, 14, 24])
def test_mulr_twin(T, bits, cf):
    v, c = _products(bits, cf)
    assert differences(primitives.mulr, _mulr, [v, c], (cf,), (T,)) == []


@pytest.mark.parametrize("T", [I32, I64], ids=["int32", "int64"])
@pytest.mark.parametrize("eta_int_bits", [0, 2])
def test_ou_step_twin(T, eta_int_bits):
    frac_bits, cf = 12, 14
    eta_max = (1 << (eta_int_bits + frac_bits)) - 1
    eta_min = -eta_max - 1
    edges = [eta_min, eta_min + 1, -1, 0, 1, eta_max - 1, eta_max]
    eta = np.array(edges * 3 + RNG.integers(eta_min, eta_max + 1, 3000).tolist())
    xi = np.array([-510] * len(edges) + [0] * len(edges) + [510] * len(edges)
                  + RNG.integers(-510, 511, 3000).tolist())  # fmt: skip
    consts = (16220, eta_max // 2, cf, eta_min, eta_max)  # a near the paper's, a strong xi
    assert differences(primitives.ou_step, _ou_step, [eta, xi], consts, (T,)) == []
    _, sat = primitives.ou_step(eta, xi, *consts)
    assert sat.any() and not sat.all()  # the saturation bounds were reached and not


@pytest.mark.parametrize("U", [U32, I64], ids=["uint32", "int64"])
def test_xorshift32_twin(U):
    assert differences(primitives.xorshift32, _xorshift32, [WORDS], (), (U,)) == []


@pytest.mark.parametrize(("T", "U"), [(I32, U32), (I64, I64)], ids=["int32", "int64"])
def test_irwin_hall4_twin(T, U):
    assert differences(primitives.irwin_hall4, _irwin_hall4, [WORDS], (), (T, U)) == []


def test_hash_and_seeding_twins():
    wide = np.concatenate([WORDS, [-1, -(2**31), 2**32, 2**40 + 5, 2**62]])
    assert differences(primitives.fmix32, _fmix32, [wide]) == []
    assert differences(primitives.trial_master, _trial_master, [WORDS]) == []
    trials = np.concatenate([WORDS[::-1][:-3], [2**32, 2**32 + 7, 2**40]])
    assert differences(primitives.trial_key, _trial_key, [WORDS, trials]) == []
    for n in (1, 2, 7, 1024, 2**31 - 1):
        assert differences(primitives.trial_top, _trial_top, [WORDS], (n,)) == []
    salts = primitives.neuron_salts(WORDS.size)
    for U in (U32, I64):
        assert differences(primitives.neuron_seed, _neuron_seed, [WORDS, salts], (), (U,)) == []


def test_xorshift32_words_run_each_generator_on():
    states = STATES[:5].copy()
    words = np.empty((5, 40), np.int64)
    kernels.xorshift32_words(states, words)
    for r in range(5):
        s = int(STATES[r])
        for k in range(40):
            s = primitives.xorshift32(s)
            assert words[r, k] == s
        assert states[r] == s


# -- the comparison can fail ---------------------------------------------------------------------


def _round_half_down(v, c, cf):
    return (v * c + (1 << (cf - 1)) - 1) >> cf


def _xorshift32_13_17_6(s):
    s = s ^ ((s << 13) & MASK32)
    s = s ^ (s >> 17)
    return s ^ ((s << 6) & MASK32)


def _ou_step_unclamped(eta, xi, a, c_xi, cf, eta_min, eta_max):
    e = primitives.mulr(eta, a, cf) + primitives.mulr(xi, c_xi, cf)
    return e, (e < eta_min) | (e > eta_max)


def _irwin_hall4_three_bytes(s):
    return (s & 0xFF) + ((s >> 8) & 0xFF) + ((s >> 16) & 0xFF) - 510


@pytest.mark.parametrize(
    ("perturbed", "jitted", "arrays", "consts", "types"),
    [
        (_round_half_down, _mulr, _products(32, 14, 200), (14,), (I32,)),
        (_xorshift32_13_17_6, _xorshift32, [WORDS[:200]], (), (U32,)),
        (_irwin_hall4_three_bytes, _irwin_hall4, [WORDS[:200]], (), (I32, U32)),
        (
            _ou_step_unclamped,
            _ou_step,
            [np.full(200, 16383), RNG.integers(-510, 511, 200)],
            (16220, 8191, 14, -16384, 16383),
            (I64,),
        ),
    ],
    ids=["mulr-half-down", "xorshift-shift-6", "irwin-hall-3-bytes", "ou-unclamped"],
)
def test_the_comparison_catches_a_perturbed_primitive(perturbed, jitted, arrays, consts, types):
    bad = differences(perturbed, jitted, arrays, consts, types)
    assert bad
    index, inputs, theirs, twin = bad[0]
    assert theirs != twin and inputs == tuple(int(a[index]) for a in arrays)


def test_the_comparison_catches_a_perturbed_twin():
    @numba.njit
    def off_by_one_twin(v, c, cf, T):  # the twin changed instead: exact products one low
        out = np.empty(v.shape[0], np.int64)
        for i in range(v.shape[0]):
            out[i] = kernels.mulr(T(v[i]), T(c[i]), cf, T) - ((v[i] * c[i]) % (1 << cf) == 0)
        return out

    v, c = _products(64, 14, 300)
    assert differences(primitives.mulr, off_by_one_twin, [v, c], (14,), (I64,))
