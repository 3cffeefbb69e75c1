"""How often the live precision guard pauses a class, on simulated review outcomes (no data needed).

Each run draws ``--decisions`` reviewed auto decisions of one class with a true precision ``p`` and
checks the guard's rule after every one (as the service does); it reports the share of runs in which
the class was paused and the median number of decisions until then.

    python benchmarks/sim_guard.py --runs 2000
"""

from __future__ import annotations

import argparse

import numpy as np

from lapor_nlp.routing.monitoring import wilson_lower_bound, wilson_upper_bound


def simulate(
    p: float, decisions: int, min_evidence: int, z: float, *, strict: bool, runs: int, seed: int
) -> tuple[float, int | None]:
    rng = np.random.default_rng(seed)
    paused, when = 0, []
    for _ in range(runs):
        correct = np.cumsum(rng.random(decisions) < p)
        for n in range(min_evidence, decisions + 1):
            c = int(correct[n - 1])
            bound = wilson_lower_bound(c, n, z) if strict else wilson_upper_bound(c, n, z)
            if bound < 0.95:
                paused += 1
                when.append(n)
                break
    return paused / runs, (int(np.median(when)) if when else None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--decisions", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    settings = [(10, 1.96, False), (20, 1.96, False), (20, 2.58, False), (20, 1.96, True)]
    print(
        "true precision | " + " | ".join(f"min {m} z {z} {'lower' if s else 'upper'}" for m, z, s in settings)
    )
    for p in (0.99, 0.968, 0.95, 0.90, 0.80):
        cells = []
        for m, z, strict in settings:
            share, median = simulate(p, args.decisions, m, z, strict=strict, runs=args.runs, seed=args.seed)
            cells.append(f"{share:.3f} (median {median})")
        print(f"{p} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
