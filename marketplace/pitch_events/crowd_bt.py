"""Pairwise ranking with judges of unknown reliability: the Crowd-BT model of Chen, Bennett,
Collins-Thompson and Horvitz, "Pairwise ranking aggregation in a crowdsourced setting"
(WSDM 2013), written from the paper.

Each pitch i has a quality s_i, believed to be Normal(mu_i, sigma2_i). Each judge k has a
reliability eta_k (the chance they answer as the qualities say rather than the opposite),
believed to be Beta(alpha_k, beta_k). Under Bradley–Terry, judge k says "i beats j" with

    P(i > j) = eta_k * e^s_i / (e^s_i + e^s_j) + (1 - eta_k) * e^s_j / (e^s_i + e^s_j).

After each answer the beliefs are updated online (the paper's section 4: a Laplace-style
step for the qualities, moment matching for the reliability). The next pair is the one whose
answer is expected to teach the most (the expected Kullback–Leibler divergence between the
beliefs after and before), with some random exploration so that no pitch is left unseen.

The ranking itself (`rank`) reads the answers twice: once online as they came, and again with
each judge held at what the first reading learnt of them, so that a careless judge's first
answers count as little as their last. Each judge's reliability is then estimated afresh, from
the prior, against the settled qualities (each answer counted once).

Pure functions of numbers: the caller loads and stores the beliefs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

PRIOR_MU = 0.0
PRIOR_SIGMA2 = 1.0
# A judge is believed fairly reliable to begin with (mean 3/4): a careful judge's belief rises
# above it, and a judge who answers at random ends below it.
PRIOR_ALPHA = 3.0
PRIOR_BETA = 1.0
KAPPA = 1e-4  # the variance never shrinks below this share of itself in one step
EXPLORE = 0.15  # the share of choices made at random among the pitches the judge has not seen


@dataclass(frozen=True)
class Quality:
    """What is believed of a pitch's quality."""

    mu: float = PRIOR_MU
    sigma2: float = PRIOR_SIGMA2


@dataclass(frozen=True)
class Reliability:
    """What is believed of a judge's reliability."""

    alpha: float = PRIOR_ALPHA
    beta: float = PRIOR_BETA

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def _win(mu_i: float, mu_j: float) -> float:
    """e^mu_i / (e^mu_i + e^mu_j), computed without overflow."""
    return 1.0 / (1.0 + math.exp(mu_j - mu_i))


def _expected_win(i: Quality, j: Quality) -> float:
    """E[e^s_i / (e^s_i + e^s_j)] with the qualities' uncertainty taken into account (the
    paper's second-order expansion around the means)."""
    p = _win(i.mu, j.mu)
    c1 = p + 0.5 * (i.sigma2 + j.sigma2) * p * (1 - p) * (1 - 2 * p)
    return min(max(c1, 1e-9), 1 - 1e-9)


def update(
    winner: Quality, loser: Quality, judge: Reliability
) -> tuple[Quality, Quality, Reliability]:
    """The beliefs after `judge` said `winner` was better than `loser`."""
    alpha, beta = judge.alpha, judge.beta
    p = _win(winner.mu, loser.mu)
    c1 = _expected_win(winner, loser)
    c2 = 1 - c1
    total = alpha + beta
    c = (c1 * alpha + c2 * beta) / total
    # Moment matching for the reliability.
    mean = (c1 * (alpha + 1) * alpha + c2 * alpha * beta) / (c * (total + 1) * total)
    square = (c1 * (alpha + 2) * (alpha + 1) * alpha + c2 * (alpha + 1) * alpha * beta) / (
        c * (total + 2) * (total + 1) * total
    )
    spread = square - mean * mean
    if spread > 1e-12:
        new_alpha = (mean - square) * mean / spread
        new_beta = (mean - square) * (1 - mean) / spread
    else:
        new_alpha, new_beta = alpha, beta
    # The qualities: one Newton-like step on the log of the answer's likelihood.
    shown = alpha * p / (alpha * p + beta * (1 - p))  # alpha e^i / (alpha e^i + beta e^j)
    gradient = shown - p
    curvature = shown * (1 - shown) - p * (1 - p)
    return (
        Quality(
            winner.mu + winner.sigma2 * gradient,
            winner.sigma2 * max(1 + winner.sigma2 * curvature, KAPPA),
        ),
        Quality(
            loser.mu - loser.sigma2 * gradient,
            loser.sigma2 * max(1 + loser.sigma2 * curvature, KAPPA),
        ),
        Reliability(new_alpha, new_beta),
    )


def _digamma(x: float) -> float:
    """ψ(x) for x > 0: the recurrence up to 6, then the asymptotic series."""
    result = 0.0
    while x < 6:
        result -= 1 / x
        x += 1
    f = 1 / (x * x)
    series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))
    return result + math.log(x) - 0.5 / x - series


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _kl_normal(after: Quality, before: Quality) -> float:
    return 0.5 * (
        math.log(before.sigma2 / after.sigma2)
        + (after.sigma2 + (after.mu - before.mu) ** 2) / before.sigma2
        - 1
    )


def _kl_beta(after: Reliability, before: Reliability) -> float:
    a1, b1, a0, b0 = after.alpha, after.beta, before.alpha, before.beta
    return (
        _log_beta(a0, b0)
        - _log_beta(a1, b1)
        + (a1 - a0) * _digamma(a1)
        + (b1 - b0) * _digamma(b1)
        + (a0 - a1 + b0 - b1) * _digamma(a1 + b1)
    )


def chance(i: Quality, j: Quality, judge: Reliability) -> float:
    """The chance that `judge` says i is better than j, at the believed means (the weights of
    the two answers in the expected gain; with the qualities' variance folded in, as in
    `update`, the simulated rankings came out no better and slightly worse)."""
    p = _win(i.mu, j.mu)
    return judge.mean * p + (1 - judge.mean) * (1 - p)


def expected_gain(i: Quality, j: Quality, judge: Reliability) -> float:
    """What `judge` comparing i and j is expected to teach: the divergence of the beliefs after
    from before, weighted by the chance of each answer."""
    gain = 0.0
    for first, second, weight in ((i, j, chance(i, j, judge)), (j, i, chance(j, i, judge))):
        won, lost, judged = update(first, second, judge)
        gain += weight * (
            _kl_normal(won, first) + _kl_normal(lost, second) + _kl_beta(judged, judge)
        )
    return gain


K = TypeVar("K")  # a pitch
J = TypeVar("J")  # a judge


def choose_next(
    current: Quality | None,
    candidates: Sequence[tuple[K, Quality]],
    judge: Reliability,
    rng: random.Random,
    explore: float = EXPLORE,
) -> K | None:
    """Which pitch the judge should see next, to compare with the one they saw last
    (`current`): the most informative, or at random now and then (and for a first pitch)."""
    if not candidates:
        return None
    if current is None or rng.random() < explore:
        return rng.choice(candidates)[0]
    return max(candidates, key=lambda kq: expected_gain(current, kq[1], judge))[0]


def rank(
    answers: Sequence[tuple[J, K, K]], items: Sequence[K]
) -> tuple[dict[K, Quality], dict[J, Reliability]]:
    """The qualities of `items` and the reliabilities of the judges, from `answers` (judge,
    winner, loser) in the order given."""
    qualities = {item: Quality() for item in items}
    judges: dict[J, Reliability] = {}
    for judge, won, lost in answers:
        qualities[won], qualities[lost], judges[judge] = update(
            qualities[won], qualities[lost], judges.get(judge, Reliability())
        )
    qualities = {item: Quality() for item in items}
    for judge, won, lost in answers:  # again, each judge held at what was learnt of them
        qualities[won], qualities[lost], _ = update(qualities[won], qualities[lost], judges[judge])
    judges = {}
    for judge, won, lost in answers:  # each judge against the settled qualities
        judges[judge] = update(qualities[won], qualities[lost], judges.get(judge, Reliability()))[2]
    return qualities, judges


def kendall_tau(order: Sequence[object], truth: Sequence[object]) -> float:
    """Kendall's τ between two orders of the same items (1: the same, -1: reversed)."""
    rank = {item: n for n, item in enumerate(truth)}
    ranks = [rank[item] for item in order]
    n = len(ranks)
    if n < 2:
        return 1.0
    concordant = sum(1 if ranks[a] < ranks[b] else -1 for a in range(n) for b in range(a + 1, n))
    return concordant / (n * (n - 1) / 2)
