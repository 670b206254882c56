import pytest

from gaba.cli import main
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl.foldiak import cycles_per_presentation


def test_verilog_writes_a_documented_module(capsys, tmp_path):
    path = tmp_path / "w.v"
    assert main(["verilog", "wta", "--n", "5", "--latency", "1", "-o", str(path)]) == 0
    text = path.read_text()
    assert "// gaba trial engine: wta, n = 5" in text and "module gaba_nwta(" in text
    for port in ("clk", "rst", "start", "seed", "res__payload", "res__valid", "res__ready"):
        assert f"//   {port} " in text
    assert "//   [" in text and "] digest" in text  # payload fields with their bits
    assert "state" not in text.split("module gaba_nwta(")[1].split(";")[0]
    assert main(["verilog", "nwta", "--n", "3", "--debug", "-o", "-"]) == 0
    assert "output [" in capsys.readouterr().out


@pytest.mark.parametrize("design", ["parallel-integrators", "serial-integrator"])
def test_verilog_of_the_baselines(capsys, design):
    assert main(["verilog", design, "--n", "6", "-o", "-"]) == 0
    text = capsys.readouterr().out
    name = "gaba_" + design.replace("-", "_")
    assert f"module {name}(" in text and "res__payload" in text and "steps" in text


def test_verilog_of_any_design_of_the_registry(capsys):
    # a design needs no code here: the comparator-tree arg-max comes from its registry entry
    assert main(["verilog", "argmax", "--n", "9", "--width", "5", "-o", "-"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("// gaba argmax:") and "module gaba_argmax(" in text


@pytest.mark.slow  # converting the layer (64 inputs) takes Amaranth's Yosys about 20 s
def test_verilog_of_the_foldiak_layer(capsys, tmp_path):
    out = tmp_path / "f.v"
    assert main(["verilog", "foldiak", "--n", "4", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("// gaba foldiak: 64 inputs, 4 units")
    clocks = cycles_per_presentation(FoldiakConfig.paper(n=4))
    assert f"{clocks} clocks per training presentation" in text and "module gaba_foldiak(" in text
    assert cycles_per_presentation(FoldiakConfig.paper()) == 1284  # the paper's 16 units


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["verilog", "nwta", "--n", "0"],
            "gaba verilog: argument --n: expected a positive integer, not '0'",
        ),
        (["verilog", "nwta", "--delta", "3"], "gaba verilog: delta must be <= 1.0, not 3.0"),
        (
            ["verilog", "foldiak", "--delta", "0.1"],
            "gaba verilog: foldiak takes --n, --frac-bits only, not --delta",
        ),
        (
            ["verilog", "foldiak", "--debug"],
            "gaba verilog: foldiak has no debug ports; drop --debug",
        ),
        (
            ["verilog", "serial-integrator", "--latency", "1"],
            "gaba verilog: serial-integrator takes --n, --delta, --sigma, --dt, --frac-bits only, "
            "not --latency",
        ),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)
