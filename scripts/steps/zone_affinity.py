#!/usr/bin/env python3
"""An external matching step for crew (see docs/matching.md), in plain Python.

crew runs it once per cycle with the whole batch of candidate pairs as JSON on stdin:

    {"step": "zone_affinity", "pairs": [{"order": 7, "worker": 12, "order_zone": "north",
      "worker_zone": "centre", "rating": 80, "load": 1, "capacity": 2, ...}, ...]}

and reads one score from 0 to 1 per pair, in the same order, as JSON on stdout:

    {"scores": [0.3, 1.0, ...]}

This step prefers workers who live in the order's own zone (1.0) over those who would travel from
a neighbouring zone (its first argument, default 0.3). Any other language works the same way.

crew runs only steps an admin registered, with a cleared environment, so a step's settings come as
arguments, recorded with its registration:

    crew settings step add zone_affinity --program scripts/steps/zone_affinity.py --arg 0.3 --weight 2

"""
import json
import sys


def main() -> int:
    request = json.load(sys.stdin)
    travel = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3
    scores = [1.0 if p["worker_zone"] == p["order_zone"] else travel for p in request["pairs"]]
    json.dump({"scores": scores}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
