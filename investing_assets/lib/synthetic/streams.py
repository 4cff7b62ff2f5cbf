"""Seeded random streams and GARCH(1,1) noise for the demo market.

Every stream is keyed by a stable hash (blake2b) of what it drives ("stock", "AAPL", "returns"; "factor",
"market"; ...), never by Python's salted ``hash()`` and never by position, so a symbol's draws do not
depend on which other symbols exist. Each stream fills exactly one array in time order and every recursion
is causal, so a longer calendar only appends sessions and never changes an existing one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

TRADING_DAYS = 252
T_DF = 4.0
# A single Student-t(4) draw can exceed 20 sigma; clipping keeps fat tails but rules out one-day wipeouts.
Z_CLIP = 6.0
# Conditional variance never exceeds this multiple of the long-run one: unbounded GARCH(1,1) with t(4)
# shocks lets a mega cap's sd triple and then move 20 % on an ordinary day; real stocks rarely do that.
VAR_CEILING = 3.0


def rng(seed: int, *key: str) -> np.random.Generator:
    """An independent stream per key; blake2b, unlike hash(), is the same in every process."""
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *digest])))


def t_innovations(seed: int, count: int, *key: str) -> np.ndarray:
    """Unit-variance Student-t draws, clipped; one stream per series so a longer history only appends."""
    z = rng(seed, *key).standard_t(T_DF, size=count) * np.sqrt((T_DF - 2.0) / T_DF)
    return np.clip(z, -Z_CLIP, Z_CLIP)


def normals(seed: int, count: int, width: int, *key: str) -> np.ndarray:
    """(count, width) normals filled row by row, so the first rows do not depend on count."""
    return rng(seed, *key).standard_normal((count, width))


@dataclass(frozen=True)
class Garch:
    """Unit innovations and GARCH(1,1) parameters for a set of series, simulated together per step."""

    keys: list[tuple[str, ...]]
    annual_vol: list[float]
    alpha: list[float]
    beta: list[float]


def simulate_garch(seed: int, count: int, spec: Garch) -> tuple[np.ndarray, np.ndarray]:
    """Returns (shocks, conditional sd), both (count, series), in daily log-return units."""
    z = np.empty((count, len(spec.keys)))  # filled in place: a list of columns to stack would double it
    for j, key in enumerate(spec.keys):
        z[:, j] = t_innovations(seed, count, *key)
    alpha, beta = np.asarray(spec.alpha), np.asarray(spec.beta)
    long_run = (np.asarray(spec.annual_vol) ** 2) / TRADING_DAYS
    omega = long_run * (1.0 - alpha - beta)
    shocks, sds = np.empty_like(z), np.empty_like(z)
    var, ceiling = long_run.copy(), VAR_CEILING * long_run
    for t in range(count):
        sd = np.sqrt(var)
        shock = sd * z[t]
        shocks[t], sds[t] = shock, sd
        var = np.minimum(omega + alpha * shock * shock + beta * var, ceiling)
    return shocks, sds


def mean_revert(shock: np.ndarray, per_year: float) -> np.ndarray:
    """Log returns of an AR(1) level driven by `shock` (time on axis 0): it wanders but does not run away."""
    phi = np.exp(-per_year / TRADING_DAYS)
    deviation = np.empty_like(shock)
    level = 0.0
    for t in range(shock.shape[0]):
        level = phi * level + shock[t]
        deviation[t] = level
    returns = deviation.copy()
    returns[1:] -= deviation[:-1]
    return returns
