import math

import pytest

from gaba.golden import fixed
from gaba.golden.config import Config, ConfigWarning
from gaba.golden.params import NetworkParams
from gaba.golden.primitives import mulr


def test_paper_point_constants():
    cfg = Config.paper()
    f, c = 2**cfg.frac_bits, 2**cfg.coef_bits
    assert cfg.k_dt == c >> 7  # dt/tau = 2**-7 is exact: a shift
    assert cfg.alpha_c == c // 2
    assert cfg.beta_c == round(0.6 * c)
    assert cfg.theta_q == round(0.2 * f) and cfg.stop_q == round(1.6 * f)
    assert cfg.b_hi == f and cfg.b_lo == round(0.95 * f)
    assert cfg.ou_a_c == round(math.exp(-(2**-7) / 0.05) * c)
    for name, (want, got) in cfg.quantisation_report().items():
        assert abs(want - got) <= max(abs(want) * 2e-3, 2.0**-cfg.frac_bits), name


def test_wta_gate_is_zero():
    assert Config.paper(kind="wta").theta_q == 0


def test_widths():
    cfg = Config.paper(n=1000)
    assert cfg.x_bits == 14 and cfg.x_max == 2**14 - 1
    assert cfg.eta_bits == 15 and (cfg.eta_min, cfg.eta_max) == (-(2**14), 2**14 - 1)
    assert cfg.s_bits == 14 + 10  # sum of 1000 values < 2**14 fits 24 bits exactly
    assert 1000 * cfg.x_max < 2**cfg.s_bits


def test_inhibition_clamp_is_lossless():
    cfg = Config.paper(n=1024)
    worst_excitation = cfg.b_hi + mulr(cfg.x_max, cfg.alpha_c, cfg.coef_bits) + cfg.eta_max
    assert mulr(cfg.d_max, cfg.beta_c, cfg.coef_bits) > worst_excitation
    smaller = cfg.d_max >> 1  # the next smaller all-ones clamp would not be lossless
    assert mulr(smaller, cfg.beta_c, cfg.coef_bits) <= worst_excitation
    assert cfg.d_bits < cfg.s_bits  # so the multiplier does not grow with n


def test_hashable_and_digest():
    a, b = Config.paper(n=16), Config.paper(n=16)
    assert a == b and hash(a) == hash(b) and a.digest() == b.digest()
    assert len({a, b, Config.paper(n=17)}) == 2
    assert a.digest() != Config.paper(n=16, frac_bits=13).digest()
    assert a.digest() != Config.paper(n=16, latency=1).digest()


def test_replace_routes_fields():
    cfg = Config.paper().replace(n=33, frac_bits=14)
    assert cfg.n == 33 and cfg.frac_bits == 14 and cfg.params.alpha == 0.5


def test_eight_fractional_bits_warn_of_the_stall():
    with pytest.warns(
        ConfigWarning,
        match=r"frac_bits \+ x_guard_bits = 8 \+ 0 is too few .* rounds to zero while "
        r"-0.25 <= r - x < 0.25, so x freezes short of stop .* at x = 1.5, below "
        r"stop = 1.6\); use frac_bits \+ x_guard_bits >= 12",
    ):
        Config.paper(frac_bits=8, x_guard_bits=0)


@pytest.mark.parametrize(
    ("frac_bits", "guard"), [(9, 0), (10, 0), (12, 0), (16, 0), (5, 4), (8, 7)]
)
def test_enough_fractional_bits_do_not_warn(frac_bits, guard, recwarn):
    Config.paper(frac_bits=frac_bits, x_guard_bits=guard)
    assert not [w for w in recwarn if issubclass(w.category, ConfigWarning)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n": 1}, "Neuron count must be an integer of at least 2, not 1"),
        ({"n": 2.5}, "Neuron count must be an integer of at least 2, not 2.5"),
        ({"kind": "soft"}, "Network kind must be one of nwta, wta, not 'soft'"),
        ({"alpha": 1.0}, "alpha must be < 1, not 1.0"),
        ({"beta": -0.1}, "beta must be >= 0, not -0.1"),
        ({"sigma": float("nan")}, "sigma must be a finite number, not nan"),
        ({"delta": 2.0}, "delta must be <= 1.0, not 2.0"),
        ({"latency": -1}, "Inhibition latency must be an integer in 0..4096, not -1"),
        ({"stop": 1e-5}, "stop = 1e-05 quantises to 0 with frac_bits = 12"),
        ({"theta": 1e308}, "theta must be <= 1000.0, not 1e"),
        ({"horizon": 1e20}, "horizon must be <= "),
        ({"frac_bits": 40}, "frac_bits must be an integer in 4..24, not 40"),
        ({"x_int_bits": 0}, "x_int_bits must be an integer in 1..8, not 0"),
        ({"stop": 2.5, "x_int_bits": 1}, r"stop = 2.5 does not fit x's format Q1.12"),
        ({"dt": 2**-20, "coef_bits": 14}, "dt = 9.5367431640625e-07 quantises to 0"),
        ({"sigma": 0.0, "stop": 2.0}, "stop = 2.0 is unreachable without noise"),
    ],
)
def test_invalid_configs_are_refused_with_one_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        Config.paper(**changes)


def test_params_reject_non_params():
    with pytest.raises(ValueError, match="params must be a NetworkParams"):
        Config(params={"n": 4})


def test_params_derived():
    p = NetworkParams()
    assert p.max_steps == 200 * 128
    assert math.isclose(p.ou_c, 0.22 * math.sqrt(1 - math.exp(-2 * 2**-7 / 0.05)))


def test_semantics_doc_holds_the_generated_state_table():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "semantics.md").read_text()
    start = doc.index("<!-- state-table: Config.paper(n=1024).state_table() -->\n")
    block = doc[start:].split("\n", 1)[1].split("<!-- end state-table -->")[0]
    assert block == Config.paper(n=1024).state_table()


def test_widths_of_the_datapath_hold_every_value():
    cfg = Config.paper(n=1024)
    high = cfg.b_hi + mulr(cfg.x_max, cfg.alpha_c, cfg.coef_bits) + cfg.eta_max
    low = -mulr(cfg.d_max, cfg.beta_c, cfg.coef_bits) + cfg.eta_min
    assert -(2 ** (cfg.pre_bits - 1)) <= low and high < 2 ** (cfg.pre_bits - 1)
    assert cfg.inh_max < 2**cfg.inh_bits


def test_products_must_name_a_known_style():
    assert Config.paper(products="multiplier").products == "multiplier"
    with pytest.raises(
        ValueError, match="^products must be one of shift-add, multiplier, not 'dsp'$"
    ):
        Config.paper(products="dsp")


def test_hardware_choices_change_no_golden_result():
    # step_clocks, products, shared_noise and pipelined say how the hardware computes, not what
    base = Config.paper(n=6, latency=1)
    want = fixed.run_trials(base, 20, seed=4)
    hardware = (
        base.replace(products="multiplier"),
        base.replace(step_clocks=6),
        base.replace(step_clocks=6, shared_noise=True),
        base.replace(step_clocks=6, shared_noise=True, pipelined=True),
    )
    for other in hardware:
        got = fixed.run_trials(other, 20, seed=4)
        assert (got.state_hash == want.state_hash).all() and (got.steps == want.steps).all()
    # while the guard bits are part of the model
    fewer = fixed.run_trials(base.replace(x_guard_bits=0), 20, seed=4)
    assert (fewer.state_hash != want.state_hash).any()


def test_architecture_names_the_network_the_hardware_builds():
    assert Config.paper(n=8).architecture == "parallel"
    assert Config.paper(n=8, lanes=2).architecture == "folded on 2 lanes"
    shared = Config.paper(n=8, step_clocks=4, shared_noise=True)
    assert shared.architecture == "parallel, a noise unit per 4 neurons"
    piped = shared.replace(latency=1, pipelined=True)
    assert piped.architecture == "parallel, a noise unit per 4 neurons, pipelined"


def test_shared_noise_needs_the_parallel_network_and_clocks_for_the_arg_max():
    # the arg-max of n takes ceil(ceil(log2 n) / 2) clocks of the step, and the step's last
    # clock is the x loops': step_clocks >= that + 2, and at least 3
    assert [Config.paper(n=n).argmax_depth for n in (2, 4, 5, 16, 17, 128)] == [1, 1, 2, 2, 3, 4]
    assert Config.paper(n=4, step_clocks=3, shared_noise=True).one_clock_x_loop
    assert Config.paper(n=128, step_clocks=6, shared_noise=True).one_clock_x_loop
    assert Config.paper(n=4).one_clock_x_loop
    assert not Config.paper(n=4, step_clocks=3).one_clock_x_loop
    with pytest.raises(ValueError, match="step_clocks must be at least 3, not 2$"):
        Config.paper(n=4, step_clocks=2, shared_noise=True)
    with pytest.raises(ValueError, match="n = 128 needs 4 clock.*at least 6, not 5$"):
        Config.paper(n=128, step_clocks=5, shared_noise=True)
    with pytest.raises(ValueError, match="step_clocks must be at least 3, not 1$"):
        Config.paper(n=2, shared_noise=True)
    with pytest.raises(ValueError, match="^shared_noise is for the parallel network"):
        Config.paper(n=8, lanes=2, shared_noise=True)
    with pytest.raises(ValueError, match="^shared_noise must be True or False, not 1$"):
        Config.paper(n=8, step_clocks=4, shared_noise=1)


def test_pipelined_needs_shared_noise_the_inhibition_off_the_loop_and_four_clocks():
    assert Config.paper(n=8, step_clocks=4, shared_noise=True, latency=1, pipelined=True).pipelined
    with pytest.raises(ValueError, match="shared_noise is False, latency 1 and step_clocks 4$"):
        Config.paper(n=8, step_clocks=4, latency=1, pipelined=True)
    with pytest.raises(ValueError, match="shared_noise is True, latency 0 and step_clocks 4$"):
        Config.paper(n=8, step_clocks=4, shared_noise=True, pipelined=True)
    with pytest.raises(ValueError, match="shared_noise is True, latency 1 and step_clocks 3$"):
        Config.paper(n=4, step_clocks=3, shared_noise=True, latency=1, pipelined=True)
    with pytest.raises(ValueError, match="^pipelined must be True or False, not 1$"):
        Config.paper(n=8, step_clocks=4, shared_noise=True, latency=1, pipelined=1)
