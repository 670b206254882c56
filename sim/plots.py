"""Every figure gaba draws: sweeps, the results report, and the Földiák layer's bars and letters.

Each function takes the data to draw and the path of the PNG to write, and returns that path.
Rows are sweep rows (``gaba.sim.sweep.Row`` or anything with its attributes); a missing value
(None) is drawn as a gap. Figures are matplotlib ``Figure`` objects without pyplot: no global
state, no display, nothing left open.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "bars_curve",
    "bars_fields",
    "letter_codes",
    "htm_duty",
    "htm_fields",
    "maass_approximation",
    "report_hick_baselines",
    "report_scaling",
    "report_wta",
    "sweep_against",
    "sweep_against_n",
    "timing_diagram",
]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _save(fig, path: Path, dpi: int = 110) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return path


def _values(rows, key):
    """One attribute of every row as floats, nan where it is None."""
    return np.array([np.nan if getattr(r, key) is None else getattr(r, key) for r in rows])


# sweeps ----------------------------------------------------------------------------------------


def sweep_against_n(path: Path, groups, target: str) -> Path:
    """Decision time against log2 n with its fit, accuracy (95 % CI) and fraction decided
    against n: one series per ``(delta, sigma, rows, fit)`` of ``groups`` (``fit``: the
    dict of ``gaba.sim.sweep.fit_per_doubling``)."""
    fig = _figure(15, 4.2)
    axes = fig.subplots(1, 3)
    for d, s, rows, fit in groups:
        ns = np.array([r.n for r in rows])
        label = f"delta {d:g}, sigma {s:g} ({target})"
        t, se = _values(rows, "mean_decision_time"), _values(rows, "decision_time_se")
        dots = axes[0].errorbar(np.log2(ns), t, yerr=se, fmt="o", label=label)
        if fit["slope_per_doubling"] is not None:
            xs = np.linspace(np.log2(ns.min()), np.log2(ns.max()), 50)
            axes[0].plot(
                xs,
                fit["intercept"] + fit["slope_per_doubling"] * xs,
                "-",
                color=dots[0].get_color(),
                label=f"fit: {fit['slope_per_doubling']:.2f} tau per doubling",
            )
        acc, low, high = (_values(rows, k) for k in ("accuracy", "accuracy_low", "accuracy_high"))
        axes[1].errorbar(ns, acc, yerr=[acc - low, high - acc], fmt="o", label=label)
        axes[2].plot(ns, [r.decided_fraction for r in rows], "o-", label=label)
    axes[0].set(
        xlabel="log2 N", ylabel="mean decision time (tau)", title="decision time against log N"
    )
    axes[1].set(
        xscale="log",
        xlabel="N",
        ylabel="accuracy (decided trials, 95 % CI)",
        title="accuracy",
        ylim=(0, 1.05),
    )
    axes[2].set(
        xscale="log", xlabel="N", ylabel="fraction decided", title="decided", ylim=(-0.05, 1.05)
    )
    axes[0].legend(fontsize=8)
    return _save(fig, path)


def sweep_against(path: Path, rows, axis: str, other: str) -> Path:
    """Decision time and accuracy against ``axis`` ("delta" or "sigma"): one series per
    (n, value of ``other``)."""
    fig = _figure(10, 4.2)
    axes = fig.subplots(1, 2)
    for n, o in sorted({(r.n, getattr(r, other)) for r in rows}):
        series = [r for r in rows if (r.n, getattr(r, other)) == (n, o)]
        xs = [getattr(r, axis) for r in series]
        label = f"N = {n}, {other} {o:g}"
        axes[0].errorbar(
            xs,
            _values(series, "mean_decision_time"),
            yerr=_values(series, "decision_time_se"),
            fmt="o-",
            label=label,
        )
        axes[1].plot(xs, _values(series, "accuracy"), "o-", label=label)
    axes[0].set(xlabel=axis, ylabel="mean decision time (tau)", title=f"time against {axis}")
    axes[1].set(xlabel=axis, ylabel="accuracy", title=f"accuracy against {axis}", ylim=(0, 1.05))
    axes[0].legend(fontsize=8)
    return _save(fig, path)


# the results report ----------------------------------------------------------------------------


def _panels(path: Path, panels) -> Path:
    """One row of panels, each drawn by one function of an Axes."""
    fig = _figure(5.2 * len(panels), 4)
    axes = fig.subplots(1, len(panels))
    for ax, draw in zip(np.atleast_1d(axes), panels, strict=True):
        draw(ax)
    return _save(fig, path, dpi=100)


def report_scaling(path: Path, grid, fixed_rows, float_rows, fit: dict) -> Path:
    """nWTA's decision time against log2 N (fixed point, float, the fixed-point ``fit``) and
    its accuracy against N; rows at the n of ``grid``."""

    def scaling(ax):
        for name, rs, style in (("fixed point", fixed_rows, "o"), ("float", float_rows, "s")):
            ax.errorbar(
                np.log2([r.n for r in rs]),
                _values(rs, "mean_decision_time"),
                yerr=[r.decision_time_se or 0 for r in rs],
                fmt=style,
                label=name,
                alpha=0.8,
            )
        xs = np.log2(grid)
        ax.plot(
            xs,
            fit["intercept"] + fit["slope_per_doubling"] * xs,
            "-",
            label=f"fit {fit['slope_per_doubling']:.2f} tau/doubling",
        )
        ax.set(xlabel="log2 N", ylabel="decision time (tau)", title="nWTA, delta 0.10")
        ax.legend(fontsize=8)

    def accuracy(ax):
        ax.plot(grid, [r.accuracy for r in fixed_rows], "o-", label="fixed point")
        ax.plot(grid, [r.accuracy for r in float_rows], "s--", label="float")
        ax.set(
            xscale="log", xlabel="N", ylabel="accuracy", ylim=(0.9, 1.005), title="nWTA accuracy"
        )
        ax.legend(fontsize=8)

    return _panels(path, [scaling, accuracy])


def report_wta(path: Path, grid, wta_rows, wta_float_rows, nwta_rows) -> Path:
    """Conventional WTA against nWTA: decision time and fraction decided against N."""

    def times(ax):
        ax.plot(grid, _values(wta_rows, "mean_decision_time"), "o-", label="conventional WTA")
        ax.plot(grid, _values(nwta_rows, "mean_decision_time"), "s-", label="nWTA")
        ax.set(xscale="log", xlabel="N", ylabel="decision time (tau)", title="decision time")
        ax.legend(fontsize=8)

    def decided(ax):
        ax.plot(grid, [r.decided_fraction for r in wta_rows], "o-", label="conventional WTA")
        ax.plot(grid, [r.decided_fraction for r in wta_float_rows], "x--", label="WTA, float")
        ax.plot(grid, [r.decided_fraction for r in nwta_rows], "s-", label="nWTA")
        ax.set(xscale="log", xlabel="N", ylabel="fraction decided in 200 tau", ylim=(-0.05, 1.05))
        ax.legend(fontsize=8)

    return _panels(path, [times, decided])


def report_hick_baselines(path: Path, hick_rows, x, line, ratios) -> Path:
    """Hick's law (decision time of ``hick_rows`` against ``x`` = log2(N + 1), with the
    fitted ``line`` = (slope, intercept, R^2)) beside the baselines' cycles relative to nWTA
    (``ratios``: (N, serial / nWTA, parallel / nWTA) each)."""
    slope, intercept, r2 = line

    def hick(ax):
        ax.errorbar(
            x,
            _values(hick_rows, "mean_decision_time"),
            yerr=[r.decision_time_se for r in hick_rows],
            fmt="o",
        )
        ax.plot(x, intercept + slope * x, "-", label=f"{slope:.2f} tau per bit, R^2 {r2:.3f}")
        ax.set(xlabel="log2(N + 1)", ylabel="decision time (tau)", title="Hick's law")
        ax.legend(fontsize=8)

    def baselines(ax):
        ns = [r[0] for r in ratios]
        ax.plot(ns, [r[1] for r in ratios], "o-", label="serial / nWTA")
        ax.plot(ns, [r[2] for r in ratios], "s-", label="parallel fixed-time / nWTA")
        ax.plot(ns, ns, ":", color="grey", label="N")
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="N",
            ylabel="cycles relative to nWTA",
            title="equal accuracy",
        )
        ax.legend(fontsize=8)

    return _panels(path, [hick, baselines])


# the Földiák layer -----------------------------------------------------------------------------


def bars_fields(path: Path, outcome, run: int = 0) -> Path:
    """The units' feed-forward weights (8 x 8 each) of one run of a bars outcome
    (``gaba.golden.foldiak.experiments``), each titled with the bar it codes."""
    from gaba.golden.foldiak import bars

    lr = outcome.learned
    q = lr.q[run] / lr.scale
    which = bars.unit_bars(lr.q[run])
    n = q.shape[0]
    cols = 8 if n > 16 else 4
    rows = -(-n // cols)
    fig = _figure(1.6 * cols, 1.75 * rows + 0.4)
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(q[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        b = which[i]
        label = "none" if b < 0 else (f"row {b}" if b < 8 else f"column {b - 8}")
        ax.set_title(f"unit {i}: {label}", fontsize=7)
    fig.suptitle(
        f"Learned feed-forward weights q ({outcome.model} model, run {run}, "
        f"{lr.presentations} presentations)",
        fontsize=9,
    )
    return _save(fig, path)


def bars_curve(path: Path, outcome) -> Path:
    """Bars represented against training presentations: every run, their mean, and the
    reference's points."""
    from gaba.golden.foldiak.bars import bars_represented
    from gaba.golden.foldiak.experiments import REFERENCE_CURVE

    lr = outcome.learned
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    per_run = bars_represented(lr.q_hist)
    ax.plot(lr.snapshot_at, per_run.T, color="0.8", lw=0.6)
    ax.plot(lr.snapshot_at, outcome.curve, color="C0", lw=2, label=f"mean of {lr.runs} runs")
    ax.plot(
        list(REFERENCE_CURVE),
        list(REFERENCE_CURVE.values()),
        "o",
        color="C3",
        label="reference (float model)",
    )
    ax.set_xlabel("training presentations")
    ax.set_ylabel("bars represented (of 16)")
    ax.set_ylim(0, 16.5)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"Bars problem: {outcome.model} model", fontsize=10)
    return _save(fig, path)


def letter_codes(path: Path, outcome, run: int = 0) -> Path:
    """Each letter's binary code (rows) over the units (columns) of one run of a letters
    outcome, beside the glyphs."""
    from gaba.golden.foldiak.letters import ALPHABET, glyphs

    codes = outcome.codes[run]
    fig = _figure(9.0, 4.6)
    ax = fig.add_subplot(1, 2, 1)
    ax.imshow(codes, cmap="gray_r", aspect="auto", interpolation="nearest")
    ax.set_yticks(range(26), list(ALPHABET), fontsize=7)
    ax.set_xticks(range(codes.shape[1]))
    ax.tick_params(axis="x", labelsize=6)
    ax.set_xlabel("output unit")
    ax.set_title(f"letter codes ({outcome.model} model, run {run})", fontsize=9)
    ax2 = fig.add_subplot(1, 2, 2)
    sheet = glyphs().reshape(2, 13, 8, 8).transpose(0, 2, 1, 3).reshape(16, 104)
    ax2.imshow(sheet, cmap="gray_r", interpolation="nearest")
    ax2.set_xticks([])
    ax2.set_yticks([])
    ax2.set_title("the font (A-M, N-Z)", fontsize=9)
    return _save(fig, path)


# Maass's soft-WTA -----------------------------------------------------------------------------


def maass_approximation(path: Path, monotone_rows, fit_rows, fit) -> Path:
    """One soft-WTA gate over positive linear forms approximating continuous functions: the
    error against the number of forms (the 1-D construction with Maass's bound, the fitted
    2-D bump's max and RMS error), the bump, and the gate's output of the last fit."""
    from gaba.golden import maass

    fig = _figure(12.0, 3.8)
    ax = fig.add_subplot(1, 3, 1)
    n1 = [r["forms"] for r in monotone_rows]
    ax.loglog(n1, [r["bound"] for r in monotone_rows], "k--", lw=1, label="1/(n-1) (Maass)")
    ax.loglog(n1, [r["max_error"] for r in monotone_rows], "o-", label="x**2, max error")
    n2 = [r["forms_used"] for r in fit_rows]
    ax.loglog(n2, [r["max_error"] for r in fit_rows], "s-", label="2-D bump, max error")
    ax.loglog(n2, [r["rms_error"] for r in fit_rows], "^-", label="2-D bump, RMS error")
    ax.set_xlabel("linear forms n")
    ax.set_ylabel("error")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    ax.set_title("error against the number of forms", fontsize=9)
    side = 121
    x = maass.grid_points(2, side)
    for k, (values, title) in enumerate(
        ((maass.bump(x), "target f(x, y)"), (fit(x), f"soft-WTA output r_0, n = {fit.n}")),
        start=2,
    ):
        panel = fig.add_subplot(1, 3, k)
        image = panel.imshow(
            values.reshape(side, side).T, origin="lower", extent=(0, 1, 0, 1), vmin=0, vmax=1
        )
        panel.set_title(title, fontsize=9)
        panel.set_xlabel("x")
        panel.set_ylabel("y")
        fig.colorbar(image, ax=panel, fraction=0.046)
    return _save(fig, path)


# the HTM spatial pooler -----------------------------------------------------------------------


def htm_fields(path: Path, outcome, count: int = 64) -> Path:
    """The connected pixels (8 x 8) of the ``count`` columns most often active, from a
    digits outcome (``gaba.golden.htm.digits``)."""
    order = np.argsort(-outcome.duty, kind="stable")[:count]
    side = int(np.ceil(np.sqrt(count)))
    sheet = np.ones((side * 9 - 1, side * 9 - 1))
    for k, c in enumerate(order):
        r, q = divmod(k, side)
        sheet[r * 9 : r * 9 + 8, q * 9 : q * 9 + 8] = 1 - outcome.fields[c]
    fig = _figure(5.0, 5.2)
    ax = fig.add_subplot()
    ax.imshow(sheet, cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        f"connected pixels of the {count} most active columns ({outcome.model} model)",
        fontsize=9,
    )
    return _save(fig, path)


def htm_duty(path: Path, outcome) -> Path:
    """Each column's active duty cycle, sorted, with and without boosting."""
    fig = _figure(6.0, 3.6)
    ax = fig.add_subplot()
    for values, label in ((outcome.duty_unboosted, "no boosting"), (outcome.duty, "boosting")):
        ax.plot(np.sort(values)[::-1], label=label)
    ax.axhline(outcome.params.local_area_density, color="k", ls="--", lw=1, label="density")
    ax.set_xlabel("column (sorted by duty cycle)")
    ax.set_ylabel("active duty cycle")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"spatial pooler on the digits ({outcome.model} model)", fontsize=9)
    return _save(fig, path)


# timing diagrams --------------------------------------------------------------------------------


def timing_diagram(path: Path, traces: dict, title: str) -> Path:
    """A digital timing diagram of a recorded run: ``traces`` maps each signal's name to its
    value in every clock (one-bit signals as waves; wider ones as values where they change)."""
    names = list(traces)
    clocks = len(next(iter(traces.values())))
    fig = _figure(11, 0.55 * len(names) + 1.0)
    ax = fig.add_subplot(1, 1, 1)
    t = np.arange(clocks + 1)
    for row, name in enumerate(names):
        values = np.asarray(traces[name])
        base = len(names) - 1 - row
        if values.max(initial=0) <= 1:
            ax.step(t, base + 0.7 * np.append(values, values[-1]), where="post", lw=1.2)
        else:
            edges = np.flatnonzero(np.diff(values)) + 1
            for a, b in zip(np.r_[0, edges], np.r_[edges, clocks], strict=True):
                ax.plot([a, b], [base + 0.05, base + 0.05], color="0.3", lw=0.8)
                ax.plot([a, b], [base + 0.65, base + 0.65], color="0.3", lw=0.8)
                if b - a >= 3:
                    ax.text((a + b) / 2, base + 0.35, str(values[a]), ha="center", va="center",
                            fontsize=7)  # fmt: skip
    ax.set_yticks([len(names) - 1 - r + 0.35 for r in range(len(names))], names)
    ax.set_xlim(0, clocks)
    ax.set_xlabel("clock")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)
