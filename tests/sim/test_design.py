# amaranth: UnusedElaboratable=no
"""The design registry and what every design declares (no simulator here)."""

import pytest
from amaranth.lib import data, wiring

from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl.foldiak import cycles_per_presentation
from gaba.sim import designs
from gaba.sim.design import Design


def test_the_registry_holds_every_design_once():
    names = designs.names()
    assert names[:3] == ("nwta", "wta", "foldiak")
    assert {"parallel-integrators", "serial-integrator"} <= set(names)
    assert len(set(names)) == len(names)
    assert all(isinstance(designs.get(n), Design) and designs.get(n).name == n for n in names)
    assert set(designs.names(simulated=True)) <= set(names)
    with pytest.raises(ValueError, match="Design must be one of nwta, wta, foldiak"):
        designs.get("soft")


@pytest.mark.parametrize("name", designs.names())
def test_every_design_declares_what_the_framework_needs(name):
    d = designs.get(name)
    cfg = d.config(n=3)
    assert isinstance(cfg, d.config_type) and cfg.n == 3
    assert d.module.startswith("gaba_") and d.toplevel == f"{d.module}_sim" and d.title
    component = d.component(cfg)
    assert isinstance(component, wiring.Component)
    assert len(component.signature.members) > 0
    layout = d.result_layout(cfg)
    assert isinstance(layout, data.Layout) and layout.size > 0
    assert d.decode(cfg, 0) is not None
    assert d.header(cfg).startswith("// gaba ") and d.describe(cfg)
    assert d.modes and d.check_mode(None) == d.modes[0]
    with pytest.raises(ValueError, match="Mode must be one of"):
        d.check_mode("no-such-mode")


def test_a_design_sets_its_own_fields_and_refuses_options_it_does_not_take():
    assert designs.get("wta").config(n=4) == Config.paper(kind="wta", n=4)
    assert designs.get("foldiak").config(n=8) == FoldiakConfig.paper(n=8)
    with pytest.raises(ValueError, match=r"foldiak takes --n, --frac-bits only, not --delta"):
        designs.get("foldiak").config(delta=0.1)
    with pytest.raises(ValueError, match=r"not --kind"):
        designs.get("nwta").config(kind="wta")
    with pytest.raises(ValueError, match="Neuron count must be an integer of at least 2"):
        designs.get("nwta").config(n=1)  # the Config's own validation still speaks


def test_the_foldiak_header_names_its_clocks_per_presentation():
    # what `gaba verilog foldiak` writes above the module (the conversion is in the slow tier)
    d = designs.get("foldiak")
    cfg = d.config(n=4)
    assert d.header(cfg).startswith("// gaba foldiak: 64 inputs, 4 units, FoldiakConfig ")
    assert f"{cycles_per_presentation(cfg)} clocks per training presentation" in d.header(cfg)
    assert d.file_name(cfg) == "gaba_foldiak_n4.v"
