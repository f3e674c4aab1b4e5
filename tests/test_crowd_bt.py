"""Crowd-BT (Chen et al., WSDM 2013) against simulated judges whose noise is known."""

from __future__ import annotations

import random
import statistics

import pytest

from marketplace.pitch_events import crowd_bt
from marketplace.pitch_events.crowd_bt import Quality, Reliability


def simulate(seed: int, pitches: int = 40, comparisons: int = 400, judges: int = 10):
    """Judges walk from pitch to pitch as the model chooses, and say whether the one they just
    saw was better than the one before. Nine answer as the truth says 90% of the time; the last
    answers at random. Returns Kendall's τ of the ranking with the truth, and the reliabilities."""
    rng = random.Random(seed)
    truth = list(range(pitches))  # pitch n is better than pitch n - 1
    accuracy = [0.9] * (judges - 1) + [0.5]
    live = {pitch: Quality() for pitch in truth}
    beliefs = [Reliability() for _ in range(judges)]
    current: list[int | None] = [None] * judges
    seen: list[set[int]] = [set() for _ in range(judges)]
    answers: list[tuple[int, int, int]] = []
    while len(answers) < comparisons:
        k = len(answers) % judges
        before = current[k]
        unseen = [(p, live[p]) for p in truth if p not in seen[k]] or [
            (p, live[p])
            for p in truth
            if p != before  # seen them all: round again
        ]
        chosen = crowd_bt.choose_next(
            None if before is None else live[before], unseen, beliefs[k], rng
        )
        assert chosen is not None
        if before is not None:
            better, worse = max(before, chosen), min(before, chosen)
            if rng.random() > accuracy[k]:
                better, worse = worse, better
            live[better], live[worse], beliefs[k] = crowd_bt.update(
                live[better], live[worse], beliefs[k]
            )
            answers.append((k, better, worse))
        current[k] = chosen
        seen[k].add(chosen)
    qualities, reliabilities = crowd_bt.rank(answers, truth)
    order = sorted(truth, key=lambda p: qualities[p].mu)
    return crowd_bt.kendall_tau(order, truth), [reliabilities[k].mean for k in range(judges)]


@pytest.mark.parametrize("seed", range(8))
def test_40_pitches_and_400_comparisons_recover_the_true_order(seed):
    tau, reliability = simulate(seed)
    assert tau >= 0.8
    careful, careless = reliability[:-1], reliability[-1]
    assert min(careful) > Reliability().mean  # trusted more than a newcomer
    assert careless < min(careful)


def test_a_judge_who_answers_at_random_ends_with_low_reliability():
    runs = [simulate(seed)[1] for seed in range(8, 14)]
    careless = statistics.mean(r[-1] for r in runs)
    careful = statistics.mean(statistics.mean(r[:-1]) for r in runs)
    assert careless < 0.7 < 0.8 < careful
    assert careless < Reliability().mean  # below what any judge is believed at first


def test_an_answer_moves_the_winner_up_the_loser_down_and_shrinks_their_uncertainty():
    won, lost, _ = crowd_bt.update(Quality(), Quality(), Reliability())
    assert won.mu > 0 > lost.mu
    assert won.sigma2 < 1 and lost.sigma2 < 1
    assert won.mu == pytest.approx(-lost.mu)


def test_an_answer_against_the_consensus_lowers_the_judges_reliability():
    strong, weak = Quality(mu=2.0, sigma2=0.05), Quality(mu=-2.0, sigma2=0.05)
    _, _, agreed = crowd_bt.update(strong, weak, Reliability())
    _, _, disagreed = crowd_bt.update(weak, strong, Reliability())
    assert agreed.mean > Reliability().mean > disagreed.mean


def test_a_judge_believed_to_be_careless_hardly_moves_the_qualities():
    careful = crowd_bt.update(Quality(), Quality(), Reliability(30, 1))[0]
    careless = crowd_bt.update(Quality(), Quality(), Reliability(10, 10))[0]
    assert careful.mu > 10 * careless.mu >= 0


def test_the_chances_of_the_two_answers_add_up_to_one():
    i, j, judge = Quality(0.7, 0.4), Quality(-0.2, 0.9), Reliability(4, 2)
    assert crowd_bt.chance(i, j, judge) + crowd_bt.chance(j, i, judge) == pytest.approx(1)


def test_the_next_pitch_is_the_most_informative_unless_exploring():
    current = Quality(0.0, 0.2)
    settled_far = ("far", Quality(3.0, 0.01))  # known to be much better
    uncertain_near = ("near", Quality(0.1, 1.0))
    rng = random.Random(1)

    def pick(judge: Reliability) -> str | None:
        return crowd_bt.choose_next(current, [settled_far, uncertain_near], judge, rng, 0.0)

    # A judge well known: the uncertain pitch teaches the most.
    assert [pick(Reliability(300, 30)) for _ in range(5)] == ["near"] * 5
    # A new judge: a pair whose answer is near certain tells how careful the judge is.
    assert pick(Reliability()) == "far"
    first = crowd_bt.choose_next(None, [settled_far, uncertain_near], Reliability(), rng)
    assert first in {"far", "near"}
    assert crowd_bt.choose_next(current, [], Reliability(), rng) is None


def test_kendall_tau():
    assert crowd_bt.kendall_tau([1, 2, 3], [1, 2, 3]) == 1
    assert crowd_bt.kendall_tau([3, 2, 1], [1, 2, 3]) == -1
    assert crowd_bt.kendall_tau([2, 1, 3], [1, 2, 3]) == pytest.approx(1 / 3)
