# amaranth: UnusedElaboratable=no
# (the register table reads the signature of a core it does not build)
"""``gaba export DESIGN --out DIR``: the evidence-in core as a FuseSoC core for a user's design.

DESIGN is ``nwta-core`` or ``wta-core`` (``gaba.hdl.core.AxiStreamCore``: AXI-Stream evidence
in, results out, a Wishbone register file). DIR receives, for the Config of the design options:

- ``<module>.v``: the core's Verilog. It has no HDL parameters: the Config (n, the network's
  constants and every width) is built in, and another Config is another export;
- ``<module>.core``: a FuseSoC CAPI2 core file (Edalize flow API) with the targets ``default``
  (the RTL), ``lint`` (Verilator ``--lint-only -Wall`` with the waivers of ``lint.vlt``, a copy
  of ``gaba.sim.runner.LINT_WAIVERS``, each one named in the core file) and ``sim`` (Icarus
  running the testbench);
- ``tb/<module>_tb.v``: a self-checking plain-Verilog testbench. It resets the core, checks
  the registers' reset values (STATUS aside: busy hashing the seed), writes HOLD, HORIZON,
  THETA, STOP and SEED over Wishbone and reads them back, streams ``--trials`` trials of
  ``gaba.golden.evidence.channel_trials`` evidence (``--vectors`` vectors each, ``--hold``
  steps a vector) with tvalid and tready toggled by two LFSRs, holds every result field to
  ``gaba.golden.evidence.run_evidence``'s (embedded as constants), and prints
  ``PASS <k> trials`` or the first mismatch, then ``$fatal``; a watchdog ends a run that hangs;
- ``PORTS.md``: the ports, the register map and the result fields, generated from the code;
- ``<module>_inst.v``: an instantiation template, every port on a like-named wire.
"""

from __future__ import annotations

import inspect
import json
import re
import sys

from gaba.cli.common import (
    add_output,
    add_seed,
    checked,
    design_args,
    design_config,
    output_folder,
    positive_int,
    stage,
)

__all__ = ["register"]

#: The designs ``gaba export`` writes: the evidence-in cores of the registry.
CORES = ("nwta-core", "wta-core")

#: What each port of the core is (its direction and width: the module's Verilog declarations).
PORTS = {
    "clk": "clock: every port is synchronous to its rising edge",
    "rst": "reset, active high, synchronous: every register to its reset value",
    "s_axis_tdata": "evidence: one input value a beat, {value}; above b_max ({b_hi}) it is "
    "clamped and the trial's in_sat says so",
    "s_axis_tvalid": "evidence: the beat is valid",
    "s_axis_tready": "evidence: the core takes the beat (with tvalid)",
    "s_axis_tlast": "evidence: the last beat of a trial's last vector (read on a vector's "
    "n-th beat only)",
    "m_axis_tdata": "results: one trial's result a beat, the fields below from bit 0, zero-padded",
    "m_axis_tvalid": "results: a result is offered",
    "m_axis_tready": "results: the result is taken (with tvalid); the core waits for it",
    "m_axis_tlast": "results: always 1 (a result is a packet)",
    "wb_cyc": "Wishbone: cycle",
    "wb_stb": "Wishbone: strobe; held with cyc until ack",
    "wb_we": "Wishbone: write enable",
    "wb_adr": "Wishbone: word address (the register map below)",
    "wb_dat_w": "Wishbone: write data",
    "wb_sel": "Wishbone: byte selects of a write",
    "wb_dat_r": "Wishbone: read data, valid with ack",
    "wb_ack": "Wishbone: acknowledge, the clock after the strobe (while cyc and stb are held)",
}

#: The registers the testbench writes, in its order (SEED last: it restarts the trial count).
WRITTEN = ("HOLD", "HORIZON", "THETA", "STOP", "SEED")

#: Result fields the layout's docstring does not describe.
FIELD_FALLBACK = {"decided": "some x reached the decision threshold (stop)"}


def register(sub) -> None:
    p = sub.add_parser(
        "export",
        help="the evidence-in core as a FuseSoC core: Verilog, core file, testbench, port table",
    )
    design_args(p, CORES)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    add_seed(p)
    p.add_argument(
        "--trials", type=positive_int, default=8, help="trials the testbench runs (default 8)"
    )
    p.add_argument(
        "--vectors", type=positive_int, default=4, help="input vectors a trial (default 4)"
    )
    p.add_argument(
        "--hold", type=positive_int, default=2, help="steps each vector lasts (default 2)"
    )
    add_output(p)
    p.set_defaults(func=_export)


def _export(args):
    from gaba.golden.evidence import Registers

    design, cfg = design_config("export", args)
    registers = Registers(hold=args.hold)
    values = checked("export", lambda: registers.resolved(cfg))
    out = output_folder(args)
    say = stage(args.quiet or args.json)
    module = design.module
    say(f"converting {design.name} n = {cfg.n} to Verilog")
    verilog = design.verilog(cfg)
    paths = {"verilog": out / f"{module}.v"}
    paths["verilog"].write_text(verilog)
    say(f"golden model: {args.trials} trials of seed {args.seed}")
    tb = testbench(
        cfg, module, seed=args.seed, trials=args.trials, vectors=args.vectors, values=values
    )
    waivers = lint_waivers()
    paths["waivers"] = out / "lint.vlt"
    paths["waivers"].write_text(waivers)
    paths["testbench"] = out / "tb" / f"{module}_tb.v"
    paths["testbench"].parent.mkdir(exist_ok=True)
    paths["testbench"].write_text(tb)
    paths["core"] = out / f"{module}.core"
    vlnv = core_vlnv(cfg, module)
    paths["core"].write_text(core_file(design, cfg, args, vlnv, waivers))
    ports = port_list(verilog, module)
    paths["ports"] = out / "PORTS.md"
    paths["ports"].write_text(ports_text(design, cfg, ports))
    paths["instance"] = out / f"{module}_inst.v"
    paths["instance"].write_text(instance_text(cfg, module, ports))
    if args.json:
        record = {"design": design.name, "module": module, "vlnv": vlnv}
        print(
            json.dumps({**record, "config": cfg.digest(), **{k: str(v) for k, v in paths.items()}})
        )
        return 0
    what = {
        "verilog": f"module {module}, {design.describe(cfg)}, Config {cfg.digest()}",
        "core": f"FuseSoC core {vlnv}: targets default, lint (verilator), sim (icarus)",
        "testbench": f"self-checking, {args.trials} trials of seed {args.seed}, "
        f"{args.vectors} vectors of {args.hold} steps",
        "waivers": "Verilator lint waivers of the lint target",
        "ports": "ports, register map, result fields",
        "instance": "instantiation template",
    }
    for key in ("verilog", "core", "testbench", "waivers", "ports", "instance"):
        print(f"wrote {paths[key]}: {what[key]}")
    print(f"run: fusesoc --cores-root {out} run --target sim {vlnv}")
    sys.stdout.flush()
    return 0


# what the files are made of ------------------------------------------------------------------


def core_vlnv(cfg, module: str) -> str:
    """The core's VLNV: one name per module and size (the Config's digest is in its
    description)."""
    from gaba import __version__

    return f"gaba:wta:{module}_n{cfg.n}:{__version__}"


def config_summary(cfg) -> str:
    """The Config's key parameters in one line."""
    p = cfg.params
    parts = [
        f"n {cfg.n}",
        f"kind {cfg.kind}",
        f"delta {p.delta:g}",
        f"sigma {p.sigma:g}",
        *([f"theta {p.theta:g}"] if cfg.kind == "nwta" else []),
        f"stop {p.stop:g}",
        f"dt {p.dt:g}",
        f"horizon {p.horizon:g} ({cfg.max_steps} steps)",
        f"latency {cfg.latency}",
        f"frac bits {cfg.frac_bits}",
        *([f"lanes {cfg.lanes} (folded)"] if cfg.lanes else []),
    ]
    return ", ".join(parts)


def port_list(verilog: str, module: str) -> list[tuple[str, str, int]]:
    """(name, "input" or "output", width) of every port of ``module`` as the Verilog declares
    it, in the order of :data:`PORTS` (clk, rst, then the component's signature)."""
    body = verilog[verilog.index(f"module {module}(") :]
    body = body[: body.index("endmodule")]
    found = re.findall(r"^\s*(input|output)\s+(?:\[(\d+):0\]\s+)?(\w+);$", body, re.MULTILINE)
    ports = {name: (direction, int(high) + 1 if high else 1) for direction, high, name in found}
    unknown = sorted(set(ports) - set(PORTS))
    if unknown:  # a port this module has no words for: PORTS needs them
        raise RuntimeError(f"gaba export: {module} has ports PORTS does not describe: {unknown}")
    return [(name, *ports[name]) for name in PORTS if name in ports]


def register_table(cfg) -> list[dict]:
    """Every register of ``gaba.hdl.core.REGISTERS``: word address, name, access, width,
    reset value and meaning. Access and meaning are the map's own comments; widths and reset
    values those of the core's inputs (read-only words: 32 bits, INFO its constant)."""
    from amaranth.hdl import Shape

    from gaba.hdl import core

    notes = {}
    for line in inspect.getsource(core).splitlines():
        found = re.match(r'\s*"(\w+)": (\d+),\s*# (R[OW]): (.*)$', line)
        if found:
            notes[found[1]] = (int(found[2]), found[3], found[4])
    members = core.EvidenceCore(cfg).signature.members
    rows = []
    for name, word in sorted(core.REGISTERS.items(), key=lambda item: item[1]):
        address, access, meaning = notes[name]
        assert address == word, (name, address, word)  # the comment is the map's line
        if name.lower() in members:
            member = members[name.lower()]
            width, reset = Shape.cast(member.shape).width, member.init or 0
        else:
            width, reset = 32, core.info_word(cfg) if name == "INFO" else 0
        rows.append(
            {"word": word, "name": name, "access": access, "width": width, "reset": reset}
            | {"meaning": meaning}
        )
    return rows


def result_fields(cfg) -> list[dict]:
    """The result's fields (name, offset, width, meaning): ``core_result_layout(cfg)``, each
    meaning from the layout's own description."""
    from gaba.hdl.core import core_result_layout

    doc = inspect.getdoc(core_result_layout).split("\n\n", 1)[1]
    meanings = {}
    for item in " ".join(doc.split()).split("; "):
        head, _, text = item.partition(": ")
        if not text and "(" in head:  # "timeout (not decided within the horizon)"
            head, _, text = head.partition(" (")
            text = text.rstrip(")")
        for name in head.split(", "):
            meanings[name.strip()] = text.replace("``", "").rstrip(".")
    return [
        {
            "name": name,
            "offset": field.offset,
            "width": field.width,
            "meaning": meanings.get(name) or FIELD_FALLBACK.get(name, ""),
        }
        for name, field in core_result_layout(cfg)
    ]


def lint_waivers() -> str:
    """The waiver file of the lint target: gaba's own (``gaba.sim.runner.LINT_WAIVERS``)."""
    from gaba.sim.runner import LINT_WAIVERS

    return (
        "// Copied by gaba export from gaba/sim/lint.vlt (gaba.sim.runner.LINT_WAIVERS).\n"
        + LINT_WAIVERS.read_text()
    )


def waiver_names(waivers: str) -> list[tuple[str, str]]:
    """(rule, heading) of every ``lint_off`` of ``waivers`` (once each): the rule and the
    heading of the comment above it (its first line up to a full stop or colon)."""
    out, heading, fresh = [], "", True
    for line in waivers.splitlines():
        if line.startswith("//"):
            text = line[2:].strip()
            if fresh and text:
                heading, fresh = re.split(r"\.( |$)|: ", text)[0], False
        else:
            fresh = True
            found = re.match(r"lint_off -rule (\w+)", line)
            if found and (found[1], heading) not in out:
                out.append((found[1], heading))
    return out


def _comment(text: str, indent: str = "", hang: str = "") -> str:
    """``text`` as YAML comment lines of at most 100 characters, indented by ``indent`` and
    the lines after the first by ``hang`` more."""
    import textwrap

    return "\n".join(
        textwrap.wrap(
            text, 100, initial_indent=f"# {indent}", subsequent_indent=f"# {indent}{hang}"
        )
    )


def core_file(design, cfg, args, vlnv: str, waivers: str) -> str:
    """The FuseSoC CAPI2 core file (Edalize's flow API: the lint and sim flows)."""
    module = design.module
    flags = []
    for name, value in sorted(cfg.to_dict().items()):
        if name in design.options and value is not None:
            flags.append(f"--{name.replace('_', '-')} {value!r}")
    flags += [f"--seed {args.seed} --trials {args.trials}"]
    flags += [f"--vectors {args.vectors} --hold {args.hold}"]
    description = (
        f"gaba {design.title}; Config {cfg.digest()} ({config_summary(cfg)}) built in: "
        "the Verilog has no HDL parameters"
    )
    rules = "\n".join(
        _comment(f"{rule}: {heading}", " " * 11) for rule, heading in waiver_names(waivers)
    )
    head = [
        _comment(f"gaba export: {module}, {design.title}."),
        "#",
        _comment(
            f"The Verilog has no HDL parameters: the Config {cfg.digest()} is built into it "
            f"({config_summary(cfg)}). Another Config is another export:"
        ),
        _comment(f"gaba export {design.name} {' '.join(flags)} --out DIR", "  ", "  "),
        _comment(
            f"Ports, register map and result fields: PORTS.md; an instantiation template: "
            f"{module}_inst.v."
        ),
        "#",
        "# Targets:",
        _comment(f"default  the RTL, for a design that instantiates {module}", "  "),
        _comment(
            "lint     Verilator --lint-only -Wall (Verilator 5 on PATH, or VERILATOR_ROOT) "
            "with the waivers of lint.vlt, each for one construct of Amaranth's Verilog "
            "output:",
            "  ",
            " " * 9,
        ),
        rules,
        _comment(
            f"sim      Icarus Verilog runs tb/{module}_tb.v, self-checking against gaba's "
            f"golden model ({args.trials} trials of seed {args.seed}, {args.vectors} vectors "
            f"a trial, hold {args.hold}): it prints PASS {args.trials} trials, or the first "
            "mismatch and exits non-zero",
            "  ",
            " " * 9,
        ),
        _comment(f"fusesoc --cores-root DIR run --target sim {vlnv}", "  "),
    ]
    return f"""CAPI=2:
{chr(10).join(head)}

name: {vlnv}
description: {json.dumps(description)}

filesets:
  rtl:
    files:
      - {module}.v
    file_type: verilogSource
  waivers:
    files:
      - lint.vlt
    file_type: vlt
  tb:
    files:
      - tb/{module}_tb.v
    file_type: verilogSource

targets:
  default:
    filesets: [rtl]
    toplevel: {module}
  lint:
    filesets: [rtl, waivers]
    toplevel: {module}
    flow: lint
    flow_options:
      tool: verilator
      verilator_options: [-Wall]
  sim:
    filesets: [rtl, tb]
    toplevel: {module}_tb
    flow: sim
    flow_options:
      tool: icarus
      iverilog_options: [-g2005]
"""


def ports_text(design, cfg, ports) -> str:
    """PORTS.md: the ports, the register map and the result layout."""
    from gaba.golden.evidence import evidence_bits
    from gaba.hdl.core import result_bits

    values = {
        "value": f"Q{cfg.x_int_bits}.{cfg.frac_bits} ({cfg.x_bits} bits) zero-extended to "
        f"{evidence_bits(cfg)}",
        "b_hi": cfg.b_hi,
    }
    lines = [
        f"# {design.module}",
        "",
        f"gaba {design.title}. Config {cfg.digest()}: {config_summary(cfg)}. The Config is "
        "built into the Verilog (no HDL parameters); generated by `gaba export`.",
        "",
        "## Ports",
        "",
        "| name | direction | width | meaning |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {direction} | {width} | {PORTS[name].format(**values)} |"
        for name, direction, width in ports
    ]
    lines += [
        "",
        "## Registers",
        "",
        "Wishbone B4 classic, 32-bit data, word addresses (byte address = 4 x word); a "
        "register narrower than 32 bits reads zero-extended.",
        "",
        "| word | name | access | bits | reset | meaning |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['word']} | {r['name']} | {r['access']} | {r['width']} | 0x{r['reset']:x} "
        f"({r['reset']}) | {r['meaning']} |"
        for r in register_table(cfg)
    ]
    lines += [
        "",
        f"## Result fields (m_axis_tdata, {result_bits(cfg)} bits)",
        "",
        "| bits | field | meaning |",
        "|---|---|---|",
    ]
    for f in result_fields(cfg):
        low, high = f["offset"], f["offset"] + f["width"] - 1
        bits = f"[{high}:{low}]" if high > low else f"[{low}]"
        lines.append(f"| {bits} | {f['name']} | {f['meaning']} |")
    return "\n".join(lines) + "\n"


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def instance_text(cfg, module: str, ports) -> str:
    """The instantiation template: a wire per port, the module connected to them."""
    decls = [f"wire {_range(width)}{name};" for name, _, width in ports]
    conns = ",\n".join(f"    .{name}({name})" for name, _, _ in ports)
    return (
        f"// {module}: instantiation template (gaba export; Config {cfg.digest()})\n"
        "// Every port on a wire of its own name; the directions are in PORTS.md.\n"
        + "\n".join(decls)
        + f"\n\n{module} u_{module} (\n{conns}\n);\n"
    )


def testbench(cfg, module: str, *, seed: int, trials: int, vectors: int, values: dict) -> str:
    """The self-checking testbench: the golden model's results on ``trials`` trials of
    channel evidence of ``seed``, embedded as constants."""
    from gaba.golden.evidence import (
        Registers,
        beats,
        channel_trials,
        evidence_bits,
        run_evidence,
    )
    from gaba.hdl.core import (
        REGISTERS,
        clocks_per_step,
        core_result_layout,
        register_values,
        result_bits,
    )

    evidence = checked("export", lambda: channel_trials(cfg, trials, seed, vectors=vectors)[0])
    want = run_evidence(cfg, evidence, seed, registers=Registers(hold=values["hold"]))
    layout = {name: (f.offset, f.width) for name, f in core_result_layout(cfg)}
    w = evidence_bits(cfg)
    stream = [beat for trial in evidence for beat in beats(trial)]
    written = register_values(cfg, Registers(hold=values["hold"]), seed)
    resets = {r["name"]: r["reset"] for r in register_table(cfg)}
    # a generous bound on the run: each trial's hashes, beats (half the clocks valid), steps
    # (clocks_per_step each) and hand-over, four times over
    per_step = clocks_per_step(cfg)
    budget = 2000 + 4 * sum(200 + 2 * len(t) * (cfg.n + 1) + per_step * (int(s) + 1)
                            for t, s in zip(evidence, want.steps, strict=True))  # fmt: skip
    fields = ("decided", "timeout", "steps", "eta_sat", "r_sat", "in_sat", "digest", "winner")
    exp = {name: [] for name in fields}
    for j in range(trials):
        row = want.row(j)
        exp["decided"].append(row["decided"])
        exp["timeout"].append(1 - row["decided"])
        exp["steps"].append(row["steps"])
        exp["eta_sat"].append(row["eta_sat"])
        exp["r_sat"].append(row["r_sat"])
        exp["in_sat"].append(row["in_sat"])
        exp["digest"].append(row["state_hash"])
        exp["winner"].append(max(row["winner"], 0))

    L = []
    add = L.append
    add(f"// {module}_tb: self-checking testbench of {module} (gaba export).")
    add(f"// Config {cfg.digest()}: {config_summary(cfg)}.")
    add(f"// {trials} trials of channel evidence (seed {seed}, {vectors} vectors a trial, hold")
    add(
        f"// {values['hold']}); expected results from gaba.golden.evidence.run_evidence, bit-exact."
    )
    add("// Plain Verilog-2005 (Icarus); prints PASS <k> trials, or the first mismatch (trial,")
    add("// field, expected, got) and ends with $fatal. Generated: export again to change it.")
    add("`timescale 1ns/1ps")
    add("")
    add(f"module {module}_tb;")
    add(f"  localparam TRIALS = {trials};")
    add(f"  localparam BEATS = {len(stream)};")
    add(f"  localparam W = {w};")
    add(f"  localparam R = {result_bits(cfg)};")
    add(f"  localparam TIMEOUT_CLOCKS = {budget};")
    add("")
    add("  reg clk = 1'b0;")
    add("  always #5 clk = ~clk;")
    add("  reg rst = 1'b1;")
    add("")
    add("  // the core, every port on a wire or reg of its name")
    add("  reg s_axis_tvalid = 1'b0;")
    add("  wire [W-1:0] s_axis_tdata;")
    add("  wire s_axis_tlast;")
    add("  wire s_axis_tready;")
    add("  wire [R-1:0] m_axis_tdata;")
    add("  wire m_axis_tvalid;")
    add("  reg m_axis_tready = 1'b0;")
    add("  wire m_axis_tlast;")
    add("  reg wb_cyc = 1'b0, wb_stb = 1'b0, wb_we = 1'b0;")
    add("  reg [3:0] wb_adr = 4'd0;")
    add("  reg [31:0] wb_dat_w = 32'd0;")
    add("  reg [3:0] wb_sel = 4'd0;")
    add("  wire [31:0] wb_dat_r;")
    add("  wire wb_ack;")
    add(f"  {module} dut (")
    add("    .clk(clk), .rst(rst),")
    add("    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid),")
    add("    .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),")
    add("    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),")
    add("    .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast),")
    add("    .wb_cyc(wb_cyc), .wb_stb(wb_stb), .wb_we(wb_we), .wb_adr(wb_adr),")
    add("    .wb_dat_w(wb_dat_w), .wb_sel(wb_sel), .wb_dat_r(wb_dat_r), .wb_ack(wb_ack)")
    add("  );")
    add("")
    add("  // the evidence: every beat's value and tlast, trial after trial")
    add("  reg [W-1:0] ev_value [0:BEATS-1];")
    add("  reg ev_last [0:BEATS-1];")
    add("  initial begin")
    for i, (v, last) in enumerate(stream):
        add(f"    ev_value[{i}] = {w}'d{v}; ev_last[{i}] = 1'b{last};")
    add("  end")
    add("")
    add("  // the golden model's results (winner: 0 where the trial is undecided, not compared)")
    for name in fields:
        width = layout[name][1]
        add(f"  reg [{width - 1}:0] exp_{name} [0:TRIALS-1];")
    add("  initial begin")
    for j in range(trials):
        add(
            "    "
            + " ".join(f"exp_{name}[{j}] = {layout[name][1]}'d{exp[name][j]};" for name in fields)
        )
    add("  end")
    add("")
    add("  // the result's fields (gaba.hdl.core.core_result_layout, from bit 0)")
    for name in fields:
        offset, width = layout[name]
        bits = f"[{offset + width - 1}:{offset}]" if width > 1 else f"[{offset}]"
        add(f"  wire [{width - 1}:0] got_{name} = m_axis_tdata{bits};")
    add("")
    add("  reg running = 1'b0;  // the streams start once the registers are written")
    add("  integer beat = 0;  // the beat on s_axis_tdata")
    add("  integer got = 0;  // results taken")
    add("  integer cycles = 0;")
    add("  assign s_axis_tdata = beat < BEATS ? ev_value[beat] : {W{1'b0}};")
    add("  assign s_axis_tlast = beat < BEATS ? ev_last[beat] : 1'b0;")
    add("")
    add("  // tvalid and tready follow two 16-bit LFSRs (x^16 + x^14 + x^13 + x^11 + 1): a fixed")
    add("  // pattern of stalls on both streams; tvalid, once high, stays until the beat is taken")
    add("  reg [15:0] lfsr_in = 16'hACE1, lfsr_out = 16'h5EED;")
    add("  always @(posedge clk) begin")
    add("    lfsr_in <= {lfsr_in[14:0], lfsr_in[15] ^ lfsr_in[13] ^ lfsr_in[12] ^ lfsr_in[10]};")
    add("    lfsr_out <= {lfsr_out[14:0], lfsr_out[15] ^ lfsr_out[13] ^ lfsr_out[12] ^ "
        "lfsr_out[10]};")  # fmt: skip
    add("    cycles <= cycles + 1;")
    add("    if (s_axis_tvalid && s_axis_tready) begin")
    add("      beat <= beat + 1;")
    add("      s_axis_tvalid <= running && beat + 1 < BEATS && lfsr_in[0];")
    add("    end else if (!s_axis_tvalid)")
    add("      s_axis_tvalid <= running && beat < BEATS && lfsr_in[0];")
    add("    m_axis_tready <= running && lfsr_out[0];")
    add("    if (m_axis_tvalid && m_axis_tready) begin")
    add("      if (got >= TRIALS) begin")
    add('        $display("FAIL result %0d: more results than the %0d trials", got, TRIALS);')
    add('        $fatal(1, "mismatch");')
    add("      end")
    add('      check(got, "tlast", 1, m_axis_tlast);')
    for name in fields:
        test = f'check(got, "{name}", exp_{name}[got], got_{name});'
        if name == "winner":
            add(f"      if (exp_decided[got]) {test}")
        else:
            add(f"      {test}")
    add("      got <= got + 1;")
    add("    end")
    add("  end")
    add("")
    add("  task check(input integer trial, input [8*8-1:0] field, input [63:0] want,")
    add("             input [63:0] have);")
    add("    if (want !== have) begin")
    add(
        '      $display("FAIL trial %0d field %0s expected %0d got %0d", trial, field, want, have);'
    )
    add('      $fatal(1, "mismatch");')
    add("    end")
    add("  endtask")
    add("")
    add("  // Wishbone B4 classic: cyc and stb held until ack")
    add("  task wb_access(input we, input [3:0] adr, input [31:0] data);")
    add("    begin")
    add("      @(posedge clk); #1;")
    add("      wb_cyc = 1'b1; wb_stb = 1'b1; wb_we = we; wb_adr = adr; wb_dat_w = data;")
    add("      wb_sel = 4'hf;")
    add("      @(posedge clk); #1;")
    add("      while (!wb_ack) begin @(posedge clk); #1; end")
    add("      wb_cyc = 1'b0; wb_stb = 1'b0; wb_we = 1'b0;")
    add("    end")
    add("  endtask")
    add("")
    add("  task wb_check(input [3:0] adr, input [8*8-1:0] name, input [31:0] want);")
    add("    begin")
    add("      wb_access(1'b0, adr, 32'd0);")
    add("      if (wb_dat_r !== want) begin")
    add('        $display("FAIL register %0s (word %0d) expected %0d got %0d", name, adr, want,')
    add("                 wb_dat_r);")
    add('        $fatal(1, "mismatch");')
    add("      end")
    add("    end")
    add("  endtask")
    add("")
    add("  initial begin")
    add("    repeat (4) @(posedge clk);")
    add("    #1 rst = 1'b0;")
    add("    // every register's reset value (PORTS.md; STATUS is live: busy hashing the seed)")
    for name, word in sorted(REGISTERS.items(), key=lambda item: item[1]):
        if name != "STATUS":
            add(f'    wb_check({word}, "{name}", 32\'d{resets[name]});')
    add("    // the run's registers, then each read back")
    for name in WRITTEN:
        add(f"    wb_access(1'b1, {REGISTERS[name]}, 32'd{written[name]});  // {name}")
    for name in WRITTEN:
        add(f'    wb_check({REGISTERS[name]}, "{name}", 32\'d{written[name]});')
    add("    @(posedge clk); #1 running = 1'b1;")
    add("    wait (got == TRIALS);")
    add(f'    wb_check({REGISTERS["TRIALS"]}, "TRIALS", TRIALS);')
    add('    $display("PASS %0d trials", TRIALS);')
    add("    $finish;")
    add("  end")
    add("")
    add("  // watchdog")
    add("  always @(posedge clk)")
    add("    if (cycles > TIMEOUT_CLOCKS) begin")
    add('      $display("FAIL timeout after %0d clocks: %0d of %0d results, %0d of %0d beats",')
    add("               cycles, got, TRIALS, beat, BEATS);")
    add('      $fatal(1, "timeout");')
    add("    end")
    add("endmodule")
    return "\n".join(L) + "\n"
