"""Two-list capture-recapture: Lincoln-Petersen with Chapman's correction, as a check.

N = (n1 + 1)(n2 + 1) / (m + 1) - 1 is nearly unbiased when the two lists are independent
(Chapman 1951), and Seber's variance goes with it. The interval is Chao's (1987) log-normal one on
the unseen count, so it never goes below the n1 + n2 - m people observed.
"""

from __future__ import annotations

import math

Z95 = 1.959964


def chapman(n1: float, n2: float, m: float) -> tuple[float, float]:
    """Chapman's estimate of the total and its variance, from list sizes n1, n2 and overlap m."""
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return estimate, variance


def chapman_interval(n1: float, n2: float, m: float, z: float = Z95) -> tuple[float, float, float]:
    """(estimate, lower, upper) with the log-normal interval on the unseen count."""
    estimate, variance = chapman(n1, n2, m)
    observed = n1 + n2 - m
    unseen = estimate - observed
    if unseen <= 0 or variance <= 0:
        return estimate, observed, max(estimate, observed)
    spread = math.exp(z * math.sqrt(math.log(1 + variance / unseen**2)))
    return estimate, observed + unseen / spread, observed + unseen * spread
