"""Timings of the sensitivity toolkit, and how each grows with the size of the trial.

Run: ``.venv/bin/python benchmarks/sensitivity.py`` (one core). Target: the fragility index of a
trial with 10,000 per arm in <= 1 s. Printed for each size: seconds (best of ``--repeat`` runs),
the answer, and the p-values computed, so the growth is visible:

- fragility index (Fisher), n per arm from 100 to 100,000, a 12% v 10% event rate (not significant
  below about 1,500 per arm, so the smaller trials get the reverse index): the index grows about
  linearly with n, the p-values the search computes (32 moves one by one, then galloping and
  bisection) only logarithmically, and each Fisher p costs O(events);
- the same for the reverse index of a non-significant 10.5% v 10%;
- the Bayesian posterior, exact (a checked Gauss-Legendre rule, see reanalysis.bayes, and brentq)
  and with 10^4 to 10^6 seeded Monte Carlo draws;
- Stouffer's combination of 10 to 10^6 baseline p-values;
- the tipping-point grid of ``reanalysis.tipping`` (100 x 100), if it is installed: see TIPPING below.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import reanalysis
from reanalysis import closedform
from reanalysis.balance import stouffer
from reanalysis.bayes import posterior
from reanalysis.fragility import fragility_index

try:  # the tipping-point module may not be there (it is another step's work)
    from reanalysis.tipping import tipping_grid
except ImportError:  # pragma: no cover - depends on the checkout
    tipping_grid = None

# ----------------------------------------------------------------------------- TIPPING (placeholder)
# Tipping-point timings go here: (label, function of no arguments). Add more cases as the tipping-point
# analysis grows; the 100 x 100 grid below is filled in when reanalysis.tipping.tipping_grid exists.
TIPPING: list[tuple[str, Callable[[], object]]] = []
if tipping_grid is not None:
    TIPPING.append(("tipping_grid 100 x 100, Fisher (9/45 v 2/44, 99 missing per arm)",
                    lambda: tipping_grid(9, 45, 99, 2, 44, 99, test="fisher")))  # fmt: skip


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Fastest of ``repeat`` runs, each from cold (``reanalysis.forget()``), and the last result."""
    times = []
    for _ in range(repeat):
        reanalysis.forget()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def counting_p_values(fn: Callable[[], object]) -> tuple[object, int]:
    """Run fn, counting the 2x2 p-values it computes (closedform.p_value, as fragility calls it)."""
    import reanalysis.fragility as frag

    calls = 0
    original = frag.p_value

    def counted(*args):
        nonlocal calls
        calls += 1
        return original(*args)

    frag.p_value = counted
    try:
        return fn(), calls
    finally:
        frag.p_value = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    r = args.repeat

    header = f"{'n/arm':>8} {'seconds':>9} {'index':>6} {'kind':>18} {'p-values':>9}"
    for title, rates, sizes in (
        ("fragility index, Fisher, 12% v 10%", (0.12, 0.10), (100, 1_000, 10_000, 100_000)),
        ("reverse fragility index, Fisher, 10.5% v 10% (not significant)", (0.105, 0.10), (1_000, 10_000)),
    ):
        print(f"{title}\n{header}")
        for n in sizes:
            e1, e2 = round(rates[0] * n), round(rates[1] * n)
            sec, res = best_of(lambda e1=e1, e2=e2, n=n: fragility_index(e1, n, e2, n), r)
            _, calls = counting_p_values(lambda e1=e1, e2=e2, n=n: fragility_index(e1, n, e2, n))
            print(f"{n:>8} {sec:>9.4f} {res.index!s:>6} {res.kind:>18} {calls:>9}")
            if n == 10_000:
                print(f"{'':>8} target <= 1 s at 10,000 per arm: {'met' if sec <= 1 else 'NOT met'}")
        print()
    sec, _ = best_of(lambda: closedform.p_fisher(1200, 10_000, 1000, 10_000), 20)
    print(f"(one Fisher p at 10,000 per arm: {1e3 * sec:.2f} ms; one by one, the index is the p-value count)")

    print("\nBayesian posterior, uniform prior, 9/45 v 2/44 and 1200/10000 v 1000/10000")
    print(f"{'method':>22} {'seconds (n=45)':>15} {'seconds (n=10^4)':>17}")
    for draws in (None, 10_000, 100_000, 1_000_000):
        label = "exact (rule, brentq)" if draws is None else f"{draws:,} draws"
        seed = None if draws is None else 1
        small, _ = best_of(lambda d=draws, s=seed: posterior(9, 45, 2, 44, margin=0.1, draws=d, seed=s), r)
        large, _ = best_of(lambda d=draws, s=seed: posterior(1200, 10_000, 1000, 10_000, draws=d, seed=s), r)
        print(f"{label:>22} {small:>15.4f} {large:>17.4f}")

    print("\nStouffer / Carlisle, k baseline p-values")
    rng = np.random.default_rng(1)
    for k in (10, 1_000, 1_000_000):
        p = rng.uniform(0.001, 0.999, k)
        sec, _ = best_of(lambda p=p: stouffer(p), r)
        print(f"{k:>9} {sec:>9.4f} s")

    print("\ntipping point")
    if not TIPPING:
        print("  (reanalysis.tipping.tipping_grid not available: nothing timed)")
    for label, fn in TIPPING:
        sec, out = best_of(fn, r)
        print(f"  {label}: {sec:.3f} s ({len(out)} tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
