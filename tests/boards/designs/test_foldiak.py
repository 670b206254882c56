"""gaba.boards.designs.foldiak without a simulator: which boards hold the layer and at which
clock, its build fields and messages, its run options, and the learned state's JSON and text.
The simulated board runs the layer end to end in tests/boards/tops/test_foldiak.py."""

import numpy as np
import pytest

from gaba.boards import protocol as P
from gaba.boards.designs import foldiak
from gaba.boards.designs.foldiak import FOLDIAK, LayerState
from gaba.boards.host import FoldiakBoard
from gaba.boards.platforms import ICEBREAKER, ULX3S
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig

CFG = FoldiakConfig.paper(n=4)


def test_the_ice40_cannot_hold_the_layer_and_the_ulx3s_runs_it_at_half_its_clock():
    with pytest.raises(ValueError) as e:
        FOLDIAK.check_board(CFG, ICEBREAKER)
    assert str(e.value) == (
        "the Foldiak layer does not fit the iCE40UP5K (5280 logic cells, 30 block RAMs, 8 DSP "
        "blocks): at n = 16 it needs 20894 LUT4s with its multipliers in logic; build it for "
        "the ULX3S (--board ulx3s)"
    )
    FOLDIAK.check_board(CFG, ULX3S)
    with pytest.raises(ValueError, match="n = 160 needs 320"):  # the top's own check first
        FOLDIAK.check_board(FoldiakConfig.paper(n=160), ULX3S)
    assert FOLDIAK.clock_div(CFG, ULX3S) == ULX3S.clock_div == 2


def test_the_entry_holds_its_config_and_says_what_it_is():
    assert foldiak.DESIGNS == (FOLDIAK, foldiak.FOLDIAK_DIGITS) and FOLDIAK.name == "foldiak"
    assert FOLDIAK.holds(CFG) and not FOLDIAK.holds(Config.paper(n=4))
    assert FOLDIAK.build_fields(CFG) == {"latency": None, "step_clocks": None, "lanes": None}
    assert FOLDIAK.describe(CFG) == "foldiak n=4"
    assert FOLDIAK.label(CFG) == f"foldiak m=64 n=4, FoldiakConfig {CFG.digest()}"
    assert FOLDIAK.learns and FOLDIAK.unit == "presentations" and FOLDIAK.host is FoldiakBoard
    assert [o.flag for o in FOLDIAK.run_options] == ["--tests", "--run"]
    info = P.FoldiakInfo.decode(FOLDIAK.info_payload(CFG, 217, 25_000_000, 16))
    assert (info.n, info.config_digest, info.divisor) == (4, CFG.digest(), 217)
    assert info.kind == "foldiak"


def test_the_digits_layer_is_the_same_top_on_its_own_pattern_source():
    digits = foldiak.FOLDIAK_DIGITS
    assert digits.name == "foldiak-digits" and digits.top is FOLDIAK.top
    assert FOLDIAK.top_args() == {"source": "bars", "kind": "foldiak"}
    assert digits.top_args() == {"source": "digits", "kind": "foldiak-digits"}
    info = P.FoldiakInfo.decode(digits.info_payload(CFG, 217, 25_000_000, 16))
    assert info.kind == "foldiak-digits" and info.design_text().startswith("foldiak-digits m=64")
    assert digits.label(CFG) == f"foldiak-digits m=64 n=4, FoldiakConfig {CFG.digest()}"


def test_the_learned_state_as_json_and_text():
    state = {
        "q": np.full((4, 64), 2048),
        "w": -np.eye(4, dtype=np.int64),
        "t": np.array([0, 4096, -4096, 0]),
        "w_sat": False,
        "t_sat": True,
        "presentations": 120,
    }
    info = P.FoldiakInfo.decode(FOLDIAK.info_payload(CFG, 8, 100_000_000, 32))
    read = LayerState("sim", CFG, info, state)
    j = read.to_json()
    assert (j["port"], j["config_digest"], j["frac_bits"]) == ("sim", CFG.digest(), 12)
    assert (j["presentations"], j["w_sat"], j["t_sat"]) == (120, False, True)
    assert np.array(j["q"]).shape == (4, 64) and j["t"] == [0, 4096, -4096, 0]
    assert read.lines()[:2] == [
        "sim: foldiak m=64 n=4, 120 presentations, w_sat no, t_sat yes; q in [0.500, 0.500], "
        "w in [-0.000, 0.000], t in [-1.000, 1.000]",
        "  t 0.000 1.000 -1.000 0.000",
    ]
