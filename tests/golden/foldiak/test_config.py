from pathlib import Path

import pytest

from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams
from gaba.golden.primitives import mulr


def test_paper_point_constants():
    cfg = FoldiakConfig.paper()
    assert (cfg.frac_bits, cfg.coef_bits) == (12, 14)
    assert cfg.slope_c == 40960  # lambda/4 = 2.5 exactly
    assert cfg.settle_c == 2048  # dt = 1/8 exactly: a shift
    assert cfg.beta_c == round(0.02 * 2**14) == 328
    assert (cfg.dw_on, cfg.dw_off) == (round(0.1 * 63 / 64 * 4096), round(0.1 / 64 * 4096))
    assert (cfg.dw_on, cfg.dw_off) == (403, 6)
    assert (cfg.dt_on, cfg.dt_off, cfg.pre_dt_on, cfg.pre_dt_off) == (72, 10, 358, 51)
    assert (cfg.w_min_q, cfg.t_min_q, cfg.t_max_q) == (-8 * 4096, -8 * 4096, 8 * 4096 - 1)
    assert cfg.q_init_bits == 10  # uniform [0, 1/4): the top 10 bits of a draw
    for name, (want, got) in cfg.quantisation_report().items():
        assert abs(want - got) <= max(abs(want) * 0.07, 2.0**-12), name


def test_widths_at_the_paper_point():
    cfg = FoldiakConfig.paper()
    assert (cfg.q_bits, cfg.y_bits, cfg.f_bits) == (12, 12, 13)
    assert (cfg.q_max, cfg.y_max) == (4095, 4095)
    assert (cfg.w_bits, cfg.t_bits) == (16, 16)
    assert cfg.qx_bits == 18 and cfg.qx_max == 64 * 4095
    assert cfg.lsum_min == 15 * -32768 * 4095 and cfg.lsum_bits == 32
    assert cfg.lat_bits == 20 and cfg.u_bits == 20
    assert cfg.kernel_bits <= 63


def test_widths_hold_their_extremes():
    for cfg in (FoldiakConfig.paper(), FoldiakConfig.paper(n=100, m=300, w_min=-16.0)):
        assert -(2 ** (cfg.lsum_bits - 1)) <= cfg.lsum_min
        assert -(2 ** (cfg.lsum_bits - 2)) > cfg.lsum_min  # and no wider than needed
        lo, hi = cfg.u_range
        assert -(2 ** (cfg.u_bits - 1)) <= lo and hi < 2 ** (cfg.u_bits - 1)
        assert cfg.qx_max < 2**cfg.qx_bits and cfg.w_min_q >= -(2 ** (cfg.w_bits - 1))


def test_q_and_ystar_get_an_extra_bit_when_a_step_can_reach_its_target():
    # the convex-step proof needs C < 2**(CF-1); at exactly 1/2 the step can land on 2**F
    cfg = FoldiakConfig.paper(settle_dt=0.5)
    assert cfg.y_max == cfg.one and cfg.y_bits == 13
    assert mulr(1, cfg.settle_c, cfg.coef_bits) == 1  # from 2**F - 1 one step reaches 2**F


def test_u_clamp_is_lossless_and_tight():
    cfg = FoldiakConfig.paper()
    u, c, cf, h = cfg.u_lim, cfg.slope_c, cfg.coef_bits, cfg.half
    assert h + mulr(u, c, cf) >= cfg.one and h + mulr(-u, c, cf) <= 0
    v = u - 1
    assert h + mulr(v, c, cf) < cfg.one or h + mulr(-v, c, cf) > 0
    assert cfg.u_lim == 820 and cfg.u_lim_bits == 11


def test_hashable_digest_and_replace():
    a, b = FoldiakConfig.paper(), FoldiakConfig.paper()
    assert a == b and hash(a) == hash(b) and a.digest() == b.digest()
    assert len({a, b, FoldiakConfig.paper(n=17)}) == 2
    assert a.digest() != FoldiakConfig.paper(frac_bits=13).digest()
    assert a.digest() != a.replace(alpha=0.11).digest()
    c = a.replace(n=8, coef_bits=16)
    assert c.n == 8 and c.coef_bits == 16 and c.params.alpha == 0.1 and a.n == 16
    assert c.to_dict()["coef_bits"] == 16 and c.to_dict()["n"] == 8


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n": 1}, "Unit count n must be an integer in 2..1024, not 1"),
        ({"m": 0}, "Input count m must be an integer in 1..4096, not 0"),
        ({"alpha": -0.1}, "alpha must be >= 0, not -0.1"),
        ({"beta": 1.0}, "beta must be < 1, not 1.0"),
        ({"gamma": float("nan")}, "gamma must be a finite number, not nan"),
        ({"p": 0.0}, "p must be > 0, not 0.0"),
        ({"lam": 0}, "lam must be > 0, not 0"),
        ({"settle_dt": 1.5}, "settle_dt must be <= 1, not 1.5"),
        ({"settle_steps": 0}, "settle_steps must be an integer in 1..10000, not 0"),
        ({"pre_presentations": -1}, "pre_presentations must be an integer in 0..1000000"),
        ({"sigmoid": "tanh"}, "sigmoid must be one of hard, logistic, not 'tanh'"),
        ({"q_init": 0.3}, "q_init must be a power of two, not 0.3"),
        ({"w_min": 1.0}, "w_min must be < 0, not 1.0"),
        ({"t_max": 0.0}, "t_max must be > 0, not 0.0"),
        ({"sigmoid": "logistic"}, "the fixed-point layer implements the hard sigmoid"),
        ({"frac_bits": 30}, "frac_bits must be an integer in 6..24, not 30"),
        ({"coef_bits": 3}, "coef_bits must be an integer in 4..24, not 3"),
        (
            {"frac_bits": 8},
            r"alpha\*p\^2 = 0.0015625 quantises to 0 with frac_bits = 8; use frac_bits >= 9",
        ),
        ({"coef_bits": 4}, "beta = 0.02 quantises to 0 with coef_bits = 4; use coef_bits >= 5"),
        (
            {"q_init": 2.0**-13},
            "q_init = 0.00012207 quantises to 0 with frac_bits = 12; use frac_bits >= 14",
        ),
        ({"frac_bits": 24, "coef_bits": 24, "w_min": -1000.0}, "intermediate values need"),
    ],
)
def test_invalid_configs_are_refused_with_one_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        FoldiakConfig.paper(**changes)


def test_params_reject_non_params():
    with pytest.raises(ValueError, match="params must be a FoldiakParams"):
        FoldiakConfig(params={"n": 4})


def test_float_params_allow_the_logistic_sigmoid():
    p = FoldiakParams(sigmoid="logistic", settle_dt=0.1, settle_steps=100)
    assert p.replace(n=8).n == 8 and p.sigmoid == "logistic"


def test_constants_lists_every_datapath_integer():
    c = FoldiakConfig.paper().constants()
    assert c["dw_off"] == 6 and c["u_lim"] == 820 and len(c) == 14


def test_foldiak_doc_holds_the_generated_state_table():
    doc = (Path(__file__).parents[3] / "docs" / "foldiak.md").read_text()
    start = doc.index("<!-- state-table: FoldiakConfig.paper().state_table() -->\n")
    block = doc[start:].split("\n", 1)[1].split("<!-- end state-table -->")[0]
    assert block == FoldiakConfig.paper().state_table()
