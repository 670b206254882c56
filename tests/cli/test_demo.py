from gaba.cli import main


def test_demo_simulates_and_compares(capsys, tmp_path):
    # the demo's default n = 16 at delta 0.1: the Verilator build of the hardware sweep tests
    # (tests/sim/test_sweep.py), not one of its own
    out_file = tmp_path / "demo.v"
    assert main(["demo", "--n", "16", "--trials", "50", "--quiet", "-o", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "golden model     BIT-EXACT against the hardware" in out
    assert "Verilator, 50 trials" in out and "100.0 % decided" in out
    assert out_file.read_text().count("module gaba_nwta(") == 1


def test_demo_needs_a_file_name(fails):
    assert fails(["demo", "-o", "-"], 2) == (
        "gaba demo: -o needs a file name (the demo prints its summary)"
    )
