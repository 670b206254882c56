"""Measured statistics of the hardware noise: the Irwin-Hall samples xi and the OU noise eta.

The samples are taken from the golden model's own per-cycle trace (:func:`gaba.golden.fixed.trace`)
with the network running on, so what is measured is exactly what the neurons receive.
"""

from __future__ import annotations

import math

import numpy as np

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.golden.fixed import trace

__all__ = ["noise_statistics"]


def _kurtosis_excess(v: np.ndarray) -> float:
    z = (v - v.mean()) / v.std()
    return float(np.mean(z**4) - 3.0)


def _autocorr(v: np.ndarray, lag: int) -> float:
    """Mean over neurons of the lag autocorrelation of columns of v [steps, n]."""
    z = (v - v.mean(axis=0)) / v.std(axis=0)
    return float(np.mean(z[lag:] * z[:-lag]))


def _max_cross_corr(v: np.ndarray) -> float:
    c = np.corrcoef(v.T)
    return float(np.max(np.abs(c[~np.eye(c.shape[0], dtype=bool)])))


def noise_statistics(cfg: Config, *, steps: int = 20000, n: int = 8, seed: int = 1) -> dict:
    """Measure mean, spread, tails, autocorrelation and cross-neuron correlation of the noise.

    Returns a dict with ``xi`` (in units of its nominal standard deviation) and ``eta`` (in
    units of sigma) entries, each with ``mean``, ``std``, ``excess_kurtosis``, ``max_abs``,
    ``tail_3sd`` (fraction beyond 3 standard deviations; Gaussian: 0.0027), ``lag1``,
    ``lag5`` autocorrelation, ``max_cross_corr`` between neurons; the eta entry also has the
    OU model's expected ``lag1_expected`` and ``lag5_expected`` (a**lag).
    """
    c = cfg.replace(n=n)
    tr = trace(c, seed, 0, steps=steps, run_on=True)
    xi = primitives.irwin_hall4(tr.rng[1:]).astype(np.float64) / primitives.XI_STD
    burn = int(10 * c.params.tau_eta / c.params.dt) + 1
    eta = tr.eta[burn:].astype(np.float64) / 2**c.frac_bits / c.params.sigma
    out = {}
    for name, v in (("xi", xi), ("eta", eta)):
        out[name] = {
            "mean": float(v.mean()),
            "std": float(v.std()),
            "excess_kurtosis": _kurtosis_excess(v),
            "max_abs": float(np.max(np.abs(v))),
            "tail_3sd": float(np.mean(np.abs(v - v.mean()) > 3 * v.std())),
            "lag1": _autocorr(v, 1),
            "lag5": _autocorr(v, 5),
            "max_cross_corr": _max_cross_corr(v),
            "samples": int(v.size),
        }
    a = c.params.ou_a
    out["eta"]["lag1_expected"] = a
    out["eta"]["lag5_expected"] = a**5
    out["gaussian_tail_3sd"] = math.erfc(3 / math.sqrt(2))
    out["eta_saturated"] = bool(tr.eta_sat[-1])
    return out


def format_table(stats: dict) -> str:
    """Markdown table of :func:`noise_statistics` output."""
    keys = (
        "mean",
        "std",
        "excess_kurtosis",
        "max_abs",
        "tail_3sd",
        "lag1",
        "lag5",
        "max_cross_corr",
    )
    lines = ["| statistic | xi (units of its sd) | eta (units of sigma) |", "|---|---|---|"]
    for k in keys:
        lines.append(f"| {k} | {stats['xi'][k]:.4g} | {stats['eta'][k]:.4g} |")
    lines.append(
        f"| expected lag1 / lag5 of eta | | {stats['eta']['lag1_expected']:.4g} / "
        f"{stats['eta']['lag5_expected']:.4g} |"
    )
    lines.append(
        f"| Gaussian tail_3sd | {stats['gaussian_tail_3sd']:.4g} | "
        f"{stats['gaussian_tail_3sd']:.4g} |"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(format_table(noise_statistics(Config.paper())))
