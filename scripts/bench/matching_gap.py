#!/usr/bin/env python3
"""crew's matching cycle against an exact MIP optimum (issue 9's gap table).

For each seeded random instance this script
  1. writes the company through crew's own domain functions (`bench_matching load`, the helper the
     other matching benchmark uses): rules, service types with durations and buffers, workers with
     zones, skills, daily maximum, rating, weekly hours and time off, and the open orders;
  2. runs `crew --format json matching run --dry-run` (the real binary) and reads its plan, and
     times crew's plan alone (`bench_matching graph`: median of 5 solves of the same batch);
  3. builds its own model of the same instance, independently of crew's code: who may take which
     order (skills at their levels, the order's zone or a configured neighbour, the whole duration
     inside one range of the worker's hours, no time off overlapping it), which two orders one
     worker cannot both hold (occupied times `[start, start + duration + buffer)` plus the travel
     minutes between the zones, either way round), and at most the daily maximum of orders a day;
  4. solves it exactly with CBC (PuLP) lexicographically, as crew's objective is defined
     (docs/matching.md, "The cycle"; `matching::open_costs`): first the most orders served; then,
     among those, the largest sum of (n - rank) over the orders served (crew's "earlier orders
     first": leaving order r of n open costs A + D(n - r)); then the least sum of pair costs
     (a pair's cost is the score it misses in thousandths, plus 1001 for a neighbouring-zone worker,
     as `Batch::cost` defines it with the only step `rating:1`). Each stage is solved to a proven
     optimum (relative gap 0) before the next is constrained by it;
  5. checks crew's plan against the same rules (a plan that broke one is reported as such) and
     prints a markdown row: served, the rank term, the score (sum of the served pairs' total
     scores), neighbouring-zone assignments, and both sides' times.

`--check` runs the independent model against a brute force (every assignment of tiny
instances) and compares crew with it on tiny instances where no two orders sharing a candidate
overlap (where crew's plan is proven exact): the model is trusted only if both agree.

    python3 scripts/bench/matching_gap.py --crew target/release/crew \
        --helper target/release/examples/bench_matching [--check] [--sizes 50,100,200,500] [--seeds 3]

PuLP (which bundles the CBC solver) is installed by scripts/bench/matching_gap.sh into a
virtualenv under target/ (scripts/bench/matching-requirements.txt); crew does not use it.
"""
import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import pulp

NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.timezone.utc)  # a Monday
SKILLS = ["cleaning", "gardening", "repairs"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ instances


def generate(seed, n_orders, kind):
    """A random instance. `general`: starts on a 15-minute grid, durations 60-180 minutes, buffers,
    travel between zones, so orders overlap in every way. `slot`: every order starts at a slot of a
    two-hour grid and ends (buffer included) inside it, no travel: each order fits one slot."""
    rng = random.Random(seed * 1_000_003 + n_orders * 7 + (0 if kind == "general" else 1))
    n_zones = max(2, n_orders // 60)
    zones = [f"z{z:02d}" for z in range(n_zones)]
    neighbours = {z: [zones[j] for j in (i - 1, i + 1) if 0 <= j < n_zones] for i, z in enumerate(zones)}
    if kind == "general":
        travel = {}
        for i in range(n_zones - 1):
            travel[(zones[i], zones[i + 1])] = rng.choice([15, 20, 30])
        timings = [(60, 0), (60, 15), (90, 15), (120, 15), (180, 0)]
        patterns = [None, None, "mon-fri 08:00-12:00, 13:00-18:00", "mon,tue 10:00-20:00", "tue-sat 07:00-15:00"]
        default_hours = "mon-sat 07:00-19:00"
    else:
        travel = {}
        timings = [(60, 0), (90, 15), (105, 15), (120, 0)]
        patterns = [None, None, "mon-fri 08:00-12:00, 14:00-18:00", "tue-sat 10:00-18:00"]
        default_hours = "mon-sat 08:00-18:00"
    service_types = []
    for s in SKILLS:
        for level in (1, 2):
            for d, b in timings:
                service_types.append({"code": f"{s}-{level}-{d}-{b}", "skills": f"{s}:{level}", "duration": d,
                                      "buffer": b, "skill": s, "level": level})
    n_workers = max(3, n_orders // 4)
    workers = []
    for i in range(n_workers):
        have = rng.sample(SKILLS, rng.choice([1, 2, 2, 3]))
        skills = {s: rng.randint(1, 3) for s in have}
        hours = rng.choice(patterns)
        time_off = []
        if rng.random() < 0.15:
            day = rng.randint(0, 2)
            start = NOW.replace(hour=0) + dt.timedelta(days=day, hours=rng.choice([8, 10, 12, 14]))
            time_off.append([iso(start), iso(start + dt.timedelta(hours=rng.choice([2, 4, 6])))])
        workers.append({"zone": zones[i % n_zones], "skills": ";".join(f"{s}:{l}" for s, l in sorted(skills.items())),
                        "capacity": rng.randint(1, 3), "rating": rng.randint(0, 100), "hours": hours,
                        "time_off": time_off})
    orders = []
    for i in range(n_orders):
        st = rng.choice(service_types)
        day = rng.randint(0, 2)
        base = NOW.replace(hour=0) + dt.timedelta(days=day)
        if kind == "general":
            at = base + dt.timedelta(hours=7, minutes=15 * rng.randint(0, 44))
        else:
            at = base + dt.timedelta(hours=8 + 2 * rng.randint(0, 4))
        orders.append({"service": st["code"], "zone": zones[rng.randrange(n_zones)], "at": iso(at)})
    settings = {
        "matching.steps": "rating:1",
        "matching.default_hours": default_hours,
        "matching.neighbours": "; ".join(f"{z}: {', '.join(n)}" for z, n in neighbours.items() if n),
        "matching.travel_minutes": "; ".join(f"{a}, {b}: {m}" for (a, b), m in travel.items()),
    }
    return {"now": iso(NOW), "kind": kind, "seed": seed, "zones": zones, "settings": settings,
            "service_types": service_types, "workers": workers, "orders": orders,
            "neighbours": neighbours, "travel": [[a, b, m] for (a, b), m in travel.items()],
            "default_hours": default_hours}


def tiny(seed):
    """A tiny instance for the brute force: 2-6 orders, 1-3 workers, one or two zones."""
    rng = random.Random(seed)
    inst = generate(seed, 60, rng.choice(["general", "slot"]))
    inst["zones"] = inst["zones"][:2]
    z0, z1 = inst["zones"]
    inst["neighbours"] = {z0: [z1], z1: [z0]} if rng.random() < 0.5 else {z0: [], z1: []}
    inst["settings"]["matching.neighbours"] = "; ".join(
        f"{z}: {', '.join(n)}" for z, n in inst["neighbours"].items() if n)
    inst["travel"] = [[z0, z1, 20]] if rng.random() < 0.5 else []
    inst["settings"]["matching.travel_minutes"] = "; ".join(f"{a}, {b}: {m}" for a, b, m in inst["travel"])
    inst["workers"] = [dict(w, zone=rng.choice([z0, z1])) for w in inst["workers"][:rng.randint(1, 3)]]
    day = rng.randint(0, 1)
    orders = []
    for _ in range(rng.randint(2, 6)):
        o = dict(rng.choice(inst["orders"]), zone=rng.choice([z0, z1]))
        # Crowd them into one day so they contend.
        t = dt.datetime.fromisoformat(o["at"].replace("Z", "+00:00"))
        t = NOW.replace(hour=0) + dt.timedelta(days=day, hours=t.hour, minutes=t.minute)
        o["at"] = iso(t)
        orders.append(o)
    inst["orders"] = orders
    return inst


# ------------------------------------------------------------------ the independent model


def parse_hours(text):
    """`mon-fri 08:00-12:00, 13:00-18:00; sat 09:00-13:00` -> {weekday: [(from, to) minutes]}."""
    week = {d: [] for d in range(7)}
    for item in filter(None, (p.strip() for p in text.split(";"))):
        days, ranges = item.split(None, 1)
        ds = []
        for part in days.split(","):
            if "-" in part:
                a, b = part.split("-")
                ds.extend(range(DAYS.index(a), DAYS.index(b) + 1))
            else:
                ds.append(DAYS.index(part))
        for r in ranges.split(","):
            a, b = r.strip().split("-")
            m = lambda c: int(c[:2]) * 60 + int(c[3:])
            for d in ds:
                week[d].append((m(a), m(b)))
    for d in week:
        merged = []
        for a, b in sorted(week[d]):
            if merged and merged[-1][1] >= a:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        week[d] = merged
    return week


class Model:
    """The instance as plain data: orders ranked as crew ranks them, eligible pairs with costs,
    the clashes between orders, the days."""

    def __init__(self, inst):
        st = {s["code"]: s for s in inst["service_types"]}
        parse = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        travel = {}
        for a, b, m in inst["travel"]:
            travel[(a, b)] = travel[(b, a)] = m
        self.travel = lambda a, b: 0 if a == b else travel.get((a, b), 0)
        # Crew matches orders earliest first, ties by order number (creation order).
        order_list = []
        for i, o in enumerate(inst["orders"]):
            s = st[o["service"]]
            start = parse(o["at"])
            order_list.append({"id": i + 1, "zone": o["zone"], "start": start,
                               "work_end": start + dt.timedelta(minutes=s["duration"]),
                               "end": start + dt.timedelta(minutes=s["duration"] + s["buffer"]),
                               "skill": s["skill"], "level": s["level"]})
        order_list.sort(key=lambda o: (o["start"], o["id"]))
        self.orders = order_list
        self.n = len(order_list)
        self.workers = []
        default = parse_hours(inst["default_hours"])
        for i, w in enumerate(inst["workers"]):
            skills = {s.split(":")[0]: int(s.split(":")[1]) for s in w["skills"].split(";")}
            self.workers.append({"login": f"w{i}@gap.example", "zone": w["zone"], "skills": skills,
                                 "capacity": w["capacity"], "rating": w["rating"],
                                 "hours": parse_hours(w["hours"]) if w["hours"] else default,
                                 "off": [(parse(a), parse(b)) for a, b in w["time_off"]]})
        self.by_login = {w["login"]: k for k, w in enumerate(self.workers)}
        self.pairs = {}  # (rank, worker) -> (cost, relaxed, score)
        for r, o in enumerate(self.orders):
            for k, w in enumerate(self.workers):
                relaxed = w["zone"] != o["zone"]
                if relaxed and w["zone"] not in inst["neighbours"].get(o["zone"], []):
                    continue
                if w["skills"].get(o["skill"], 0) < o["level"]:
                    continue
                if not self.within_hours(w, o) or any(a < o["work_end"] and o["start"] < b for a, b in w["off"]):
                    continue
                missed = round((1 - w["rating"] / 100) * 1000)
                self.pairs[(r, k)] = (missed + (1001 if relaxed else 0), relaxed, w["rating"] / 100)

    def within_hours(self, w, o):
        day = o["start"].weekday()
        a = o["start"].hour * 60 + o["start"].minute
        b = a + int((o["work_end"] - o["start"]).total_seconds() // 60)
        return any(x <= a and b <= y for x, y in w["hours"][day])

    def apart(self, x, y):
        ox, oy = self.orders[x], self.orders[y]
        t = dt.timedelta(minutes=self.travel(ox["zone"], oy["zone"]))
        return ox["end"] + t <= oy["start"] or oy["end"] + t <= ox["start"]

    def broken(self, plan):
        """What a plan (rank -> worker) breaks, or None."""
        by_worker = {}
        for r, k in plan.items():
            if (r, k) not in self.pairs:
                return f"order #{self.orders[r]['id']} given to {self.workers[k]['login']}, who may not take it"
            by_worker.setdefault(k, []).append(r)
        for k, rs in by_worker.items():
            for x, y in itertools.combinations(rs, 2):
                if not self.apart(x, y):
                    return f"{self.workers[k]['login']} holds #{self.orders[x]['id']} and #{self.orders[y]['id']} overlapping"
            per_day = {}
            for r in rs:
                per_day[self.orders[r]["start"].date()] = per_day.get(self.orders[r]["start"].date(), 0) + 1
            if max(per_day.values()) > self.workers[k]["capacity"]:
                return f"{self.workers[k]['login']} over their daily maximum"
        return None

    def value(self, plan):
        """(served, rank term, cost, score, neighbouring-zone assignments) of a plan."""
        served = len(plan)
        rank = sum(self.n - r for r in plan)
        cost = sum(self.pairs[(r, k)][0] for r, k in plan.items())
        score = sum(self.pairs[(r, k)][2] for r, k in plan.items())
        relaxed = sum(1 for r, k in plan.items() if self.pairs[(r, k)][1])
        return served, rank, cost, score, relaxed

    def conflicts(self):
        """Per worker, the sets of their candidate orders of which they may hold at most one:
        every order's start meets the orders occupying that instant (a clique), and pairs that
        clash only through travel are listed as pairs."""
        per_worker = {}
        for (r, k) in self.pairs:
            per_worker.setdefault(k, []).append(r)
        out = []
        for k, rs in per_worker.items():
            rs.sort()
            covered = set()
            for r in rs:
                t = self.orders[r]["start"]
                clique = [x for x in rs if self.orders[x]["start"] <= t < self.orders[x]["end"]]
                if len(clique) > 1:
                    out.append((k, clique))
                    covered.update(itertools.combinations(sorted(clique), 2))
            for x, y in itertools.combinations(rs, 2):
                if (x, y) not in covered and not self.apart(x, y):
                    out.append((k, [x, y]))
        return out


def solve_exact(model, time_limit):
    """The lexicographic optimum by CBC: (served, rank term, cost), each stage proven optimal."""
    if not model.pairs:
        return {}, 0.0, True
    prob_vars = {p: pulp.LpVariable(f"x_{p[0]}_{p[1]}", cat="Binary") for p in model.pairs}
    base = []
    by_order = {}
    for (r, k), v in prob_vars.items():
        by_order.setdefault(r, []).append(v)
    for r, vs in by_order.items():
        base.append(pulp.lpSum(vs) <= 1)
    per_day = {}
    for (r, k), v in prob_vars.items():
        per_day.setdefault((k, model.orders[r]["start"].date()), []).append(v)
    for (k, _), vs in per_day.items():
        if len(vs) > model.workers[k]["capacity"]:
            base.append(pulp.lpSum(vs) <= model.workers[k]["capacity"])
    for k, rs in model.conflicts():
        base.append(pulp.lpSum(prob_vars[(r, k)] for r in rs) <= 1)
    served = pulp.lpSum(prob_vars.values())
    rank = pulp.lpSum((model.n - r) * v for (r, k), v in prob_vars.items())
    cost = pulp.lpSum(model.pairs[p][0] * v for p, v in prob_vars.items())
    fixed = []
    proven = True
    started = time.perf_counter()
    for name, sense, expr in (("served", pulp.LpMaximize, served), ("rank", pulp.LpMaximize, rank),
                              ("cost", pulp.LpMinimize, cost)):
        prob = pulp.LpProblem(name, sense)
        prob += expr
        for c in base + fixed:
            prob += c
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0, gapAbs=0, timeLimit=time_limit, threads=1))
        if pulp.LpStatus[status] != "Optimal":
            proven = False
        best = round(pulp.value(expr) or 0)
        # Not proven within the limit: later stages keep the best found as a bound.
        fixed.append(expr >= best if sense == pulp.LpMaximize else expr <= best)
    seconds = time.perf_counter() - started
    plan = {r: k for (r, k), v in prob_vars.items() if (v.value() or 0) > 0.5}
    return plan, seconds, proven


def brute_force(model):
    """The lexicographic optimum by trying every assignment (tiny instances only)."""
    options = [[None] + [k for (r, k) in model.pairs if r == rr] for rr in range(model.n)]
    best = None
    for choice in itertools.product(*options):
        plan = {r: k for r, k in enumerate(choice) if k is not None}
        if model.broken(plan):
            continue
        s, rank, cost, _, _ = model.value(plan)
        key = (-s, -rank, cost)
        if best is None or key < best:
            best = key
    return best


# ------------------------------------------------------------------ crew


def run_crew(args, inst, work):
    path = os.path.join(work, "instance.json")
    db = os.path.join(work, "gap.db")
    token = os.path.join(work, "token")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    with open(path, "w") as f:
        json.dump(inst, f)
    subprocess.run([args.helper, "load", path, db, token], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, CREW_TOKEN=open(token).read(), CREW_NOW=inst["now"], CREW_DB=db,
               XDG_CONFIG_HOME=work)
    started = time.perf_counter()
    out = subprocess.run([args.crew, "-q", "--format", "json", "matching", "run", "--dry-run"], env=env,
                         check=True, capture_output=True, text=True, cwd=work).stdout
    run_seconds = time.perf_counter() - started
    rows = json.loads(out)
    timing = json.loads(subprocess.run([args.helper, "graph", db, os.path.join(work, "graph")], check=True,
                                       capture_output=True, text=True).stdout)
    return rows, run_seconds, timing


def crew_plan(model, rows):
    rank_of = {o["id"]: r for r, o in enumerate(model.orders)}
    return {rank_of[row["order"]]: model.by_login[row["worker"]] for row in rows if row["worker"]}


def no_shared_overlap(model):
    for (x, k) in model.pairs:
        for (y, k2) in model.pairs:
            if k == k2 and x < y and not model.apart(x, y):
                return False
    return True


def check(args, work):
    """The independent model against brute force, and crew against both where crew is exact."""
    agreed = exact_cases = overlapping = crew_optimal = 0
    for seed in range(args.check_cases):
        inst = tiny(seed)
        model = Model(inst)
        plan, _, proven = solve_exact(model, 60)
        assert proven, f"tiny instance {seed}: CBC did not prove its optimum"
        assert model.broken(plan) is None, f"tiny instance {seed}: the MIP's plan breaks a rule: {model.broken(plan)}"
        s, rank, cost, _, _ = model.value(plan)
        bf = brute_force(model)
        assert (-s, -rank, cost) == bf, f"tiny instance {seed}: MIP {(-s, -rank, cost)} != brute force {bf}"
        agreed += 1
        rows, _, _ = run_crew(args, inst, work)
        ours = crew_plan(model, rows)
        assert model.broken(ours) is None, f"tiny instance {seed}: crew's plan breaks a rule: {model.broken(ours)}"
        cs, crank, ccost, _, _ = model.value(ours)
        if no_shared_overlap(model):
            assert (-cs, -crank, ccost) == bf, f"tiny instance {seed}: crew {(-cs, -crank, ccost)} != optimum {bf}"
            exact_cases += 1
        else:
            overlapping += 1
            crew_optimal += (-cs, -crank, ccost) == bf
    print(f"check: the MIP equals brute force on {agreed} tiny instances; crew equals the optimum on all "
          f"{exact_cases} of them where no two orders sharing a candidate overlap, and on {crew_optimal} of the "
          f"{overlapping} where some do; crew's plans broke no rule")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crew", required=True)
    ap.add_argument("--helper", required=True)
    ap.add_argument("--sizes", default="50,100,200,500")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--kinds", default="general,slot")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--check-cases", type=int, default=40)
    ap.add_argument("--time-limit", type=int, default=600, help="seconds per MIP stage")
    args = ap.parse_args()
    args.crew, args.helper = os.path.abspath(args.crew), os.path.abspath(args.helper)
    with tempfile.TemporaryDirectory(prefix="crew-gap-") as work:
        os.chmod(work, 0o700)
        if args.check:
            check(args, work)
        print("| kind | orders | workers | pairs | seed | served crew / optimum | rank term | score crew / optimum "
              "| pair costs crew / optimum | neighbour-zone crew / opt | crew plan (median of 5) | crew matching run --dry-run | CBC (3 stages) | optimum proven |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for kind in args.kinds.split(","):
            for n in map(int, args.sizes.split(",")):
                for seed in range(1, args.seeds + 1):
                    inst = generate(seed, n, kind)
                    model = Model(inst)
                    rows, run_seconds, timing = run_crew(args, inst, work)
                    ours = crew_plan(model, rows)
                    broken = model.broken(ours)
                    plan, mip_seconds, proven = solve_exact(model, args.time_limit)
                    assert model.broken(plan) is None, model.broken(plan)
                    cs, crank, ccost, cscore, crel = model.value(ours)
                    os_, orank, ocost, oscore, orel = model.value(plan)
                    pct = lambda a, b: f"{100 * a / b:.2f}%" if b else "—"
                    print(f"| {kind} | {n} | {len(model.workers)} | {len(model.pairs)} | {seed} "
                          f"| {cs} / {os_} ({pct(cs, os_)}) | {'equal' if crank == orank else pct(crank, orank)} "
                          f"| {cscore:.2f} / {oscore:.2f} ({pct(cscore, oscore)}) | {ccost} / {ocost} | {crel} / {orel} "
                          f"| {timing['plan_median_seconds'] * 1000:.1f} ms ({timing['rounds']} rounds) "
                          f"| {run_seconds:.2f} s | {mip_seconds:.2f} s | {'yes' if proven else 'NO (time limit)'} |"
                          + (f" **crew's plan breaks a rule: {broken}**" if broken else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
