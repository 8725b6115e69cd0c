"""Runs review histories through py-fsrs, the official Python FSRS, for Mastery's cross-check.

Called by crosscheck.rs with the path of a JSON file:
    {"configs": [{"parameters": [21 floats], "desired_retention": float,
                  "learning_steps": [seconds], "relearning_steps": [seconds],
                  "maximum_interval": days}],
     "histories": [{"config": index, "reviews": [{"at_ms": int, "rating": 1-4}]}]}
Prints JSON: {"version": "6.x.y", "histories": [[state after each review]]}, where a state is
{"state": 1 learning | 2 review | 3 relearning, "step": int or null, "stability": float,
 "difficulty": float, "due_ms": int, "elapsed_days": int or null, "raw_interval": float or null}.
Fuzzing is off. raw_interval is FSRS's interval in days before rounding (Review state only).
"""

import json
import sys
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

from fsrs import Card, Rating, Scheduler, State

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def at(ms):
    return EPOCH + timedelta(milliseconds=ms)


def to_ms(dt):
    return (dt - EPOCH) // timedelta(milliseconds=1)


def scheduler(config):
    return Scheduler(
        parameters=config["parameters"],
        desired_retention=config["desired_retention"],
        learning_steps=[timedelta(seconds=s) for s in config["learning_steps"]],
        relearning_steps=[timedelta(seconds=s) for s in config["relearning_steps"]],
        maximum_interval=config["maximum_interval"],
        enable_fuzzing=False,
    )


def run(history, sched):
    card = Card(card_id=1, due=at(history["reviews"][0]["at_ms"]))
    states = []
    for review in history["reviews"]:
        when = at(review["at_ms"])
        elapsed = (when - card.last_review).days if card.last_review else None
        card, _ = sched.review_card(card, Rating(review["rating"]), when)
        raw = None
        if card.state == State.Review:
            # The formula of Scheduler._next_interval, before rounding.
            raw = (card.stability / sched._FACTOR) * (
                sched.desired_retention ** (1 / sched._DECAY) - 1
            )
        states.append(
            {
                "state": int(card.state),
                "step": card.step,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due_ms": to_ms(card.due),
                "elapsed_days": elapsed,
                "raw_interval": raw,
            }
        )
    return states


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    schedulers = [scheduler(c) for c in data["configs"]]
    out = [run(h, schedulers[h["config"]]) for h in data["histories"]]
    json.dump({"version": version("fsrs"), "histories": out}, sys.stdout)


if __name__ == "__main__":
    main()
