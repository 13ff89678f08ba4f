"""Where the time goes: waits caused by each holder, department, team and manager, and the
share of the realised critical path they weigh on (DESIGN §7b, `orgsim diagnose`).

A task's decision wait and information wait (its time ledger, `TaskRecord`) are attributed
to whoever holds the items it waits for: a problem's decisions, escalations, relayed
requests, help, sign-offs and arbitrations hold up a decision; an output's relays and its
reading hold up information (`simulator.domain.waited_on`, in the item log). When several
people hold such items for one task, its wait is shared in proportion to the hours each
held them (from reaching their in-tray to done, absences included). A wait no logged item
explains (a post to the shared space, a problem withdrawn before anyone took it) goes to the
holder `UNATTRIBUTED`, so that the waits caused add up to the waits in the records.

`diagnose_run` is one run (picklable, for the process pool); `summarise_runs` averages
the runs of replications `base_seed + r`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.domain import TaskState

if TYPE_CHECKING:
    from simulator.model import OrgModel
    from simulator.schema import Scenario

UNATTRIBUTED = "(no holder)"
DIRECTOR_DEPARTMENT = "(director)"
WAIT_KINDS = (TaskState.DECISION_WAIT.value, TaskState.INFORMATION_WAIT.value)
MANAGER_ROLES = ("team_lead", "department", "director")
TOP_TASKS = 10  # critical-path tasks shown (the JSON has them all)


@dataclass(frozen=True)
class DiagnosisRunner:
    """`runner(scenario, variant, seed)` for `experiments.compare.run_replications`: the
    KPIs of a run under `policy` with its diagnosis under the key `diagnosis` (the variant
    name only labels the rows)."""

    policy: str

    def __call__(self, scenario: Scenario, _variant: str, seed: int) -> _Result:
        return _Result(diagnose_run(scenario, self.policy, seed))


@dataclass(frozen=True)
class _Result:
    kpis: dict[str, Any]


def diagnose_run(scenario: Scenario, policy: str, seed: int) -> dict[str, Any]:
    """The KPIs of one run (`kpis_of_run`'s numbers) and, under `diagnosis`, its waits
    caused by holder, its people and its critical path."""
    from simulator.model import OrgModel

    model = OrgModel(scenario, policy, rng=seed, log_items=True, collect_kpis=False)
    model.run_to_end()
    kpis = model.kpis()
    return {**kpis, "diagnosis": run_diagnosis(model)}


def run_diagnosis(model: OrgModel) -> dict[str, Any]:
    """One finished run's diagnosis, as plain data (hours; shares of the lead time)."""
    end = model.end_time if model.end_time is not None else model.time
    records = {r.task: r for r in model.task_records()}
    held = _held_hours(model)
    caused: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(WAIT_KINDS, 0.0))
    caused_on_path: dict[str, dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(WAIT_KINDS, 0.0)
    )
    path = _critical_path(model)
    on_path = {task.key for task in path}
    for key, record in records.items():
        for kind in WAIT_KINDS:
            hours = getattr(record, f"{kind}_hours")
            if hours <= 0:
                continue
            for holder, share in _shares(held.get((key, kind), {})).items():
                caused[holder][kind] += hours * share
                if key in on_path:
                    caused_on_path[holder][kind] += hours * share
    people = {
        p.person: {
            "role": str(p.role),
            "department": p.department or DIRECTOR_DEPARTMENT,
            "team": p.team,
            "availability": p.availability,
            "utilisation": p.busy_hours / end if end > 0 else 0.0,
        }
        for p in model.person_records()
    }
    queues = _mean_queues(model)
    raised: Counter[tuple[str, int | None]] = Counter()
    decided: Counter[str] = Counter()
    names = model.org.department_names
    for case in model.desk.cases:
        raised[(names[case.raiser.department], case.raiser.team)] += 1
        for name in dict.fromkeys(case.deciders):
            decided[name] += 1
    return {
        "lead_hours": end,
        "caused": {h: dict(v) for h, v in caused.items()},
        "caused_on_path": {h: dict(v) for h, v in caused_on_path.items()},
        "people": people,
        "queues": queues,
        "raised": [[d, t, n] for (d, t), n in raised.items()],
        "decided": dict(decided),
        "critical_path": [_path_entry(records[task.key]) for task in path],
    }


def _held_hours(model: OrgModel) -> dict[tuple[str, str], dict[str, float]]:
    """(task, wait kind) -> {holder: hours they held items the task waited on}."""
    held: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in model.item_records():
        if item.waited_task is None or item.waited_as is None:
            continue
        since = item.received_at if item.received_at is not None else item.started_at
        held[(item.waited_task, item.waited_as)][item.person] += max(0.0, item.ended_at - since)
    return held


def _shares(hours: dict[str, float]) -> dict[str, float]:
    total = sum(hours.values())
    if total <= 0:
        return {UNATTRIBUTED: 1.0}
    return {holder: h / total for holder, h in hours.items()}


def _critical_path(model: OrgModel) -> list:
    """The realised critical path, first task first (the walk of `kpis.critical_path_split`)."""
    tasks = model.tasks
    if model.last_finished is not None and model.tasks_done == len(tasks):
        current = model.last_finished
    elif model.active_tasks:
        current = next(reversed(model.active_tasks))
    else:
        return []
    path = []
    while current is not None:
        path.append(current)
        if not current.predecessors:
            break
        current = max(
            (tasks[p] for p in current.predecessors), key=lambda t: (t.finished_at, -t.index)
        )
    return path[::-1]


def _path_entry(record) -> dict[str, Any]:
    from simulator.domain import CATEGORIES

    hours = {c.value: getattr(record, f"{c.value}_hours") for c in CATEGORIES}
    return {
        "task": record.task,
        "department": record.department,
        "holder": record.holder,
        "hours": hours,
    }


def _mean_queues(model: OrgModel) -> dict[str, float]:
    """Each manager's mean queue (items waiting or in hand) over the recorded days."""
    days = model.daily
    if not days:
        return {}
    return {
        m.name: sum(row.get(f"queue:{m.name}", 0) for row in days) / len(days)
        for m in model.org.managers
    }


# --- over replications -------------------------------------------------------------------------


def summarise_runs(diagnoses: list[dict[str, Any]], hours_per_day: float) -> dict[str, Any]:
    """The diagnosis averaged over runs: `bottleneck`, `departments`, `teams`, `managers`,
    `critical_path` (every task seen on the path, by mean share) and `unattributed`.

    Hours are means per run; `cp_share` is the mean over runs of (hours on the realised
    critical path ÷ lead time)."""
    n = len(diagnoses)
    people: dict[str, dict[str, Any]] = {}
    for d in diagnoses:
        for name, info in d["people"].items():
            people.setdefault(name, info)
    holders = _holder_rows(diagnoses, people, n)
    bottleneck = _bottleneck(holders)
    return {
        "bottleneck": bottleneck,
        "departments": _department_rows(diagnoses, holders, people, n),
        "teams": _team_rows(diagnoses, holders, people, n),
        "managers": [h for h in holders if h["role"] in MANAGER_ROLES],
        "holders": holders,
        "critical_path": _path_rows(diagnoses, n, hours_per_day),
        "runs": n,
    }


def _holder_rows(diagnoses, people, n) -> list[dict[str, Any]]:
    names = set(people) | {h for d in diagnoses for h in d["caused"]}
    rows = []
    for name in names:
        info = people.get(name, {"role": None, "department": None, "team": None})
        caused = {
            k: sum(d["caused"].get(name, {}).get(k, 0.0) for d in diagnoses) / n for k in WAIT_KINDS
        }
        shares = {
            k: sum(
                d["caused_on_path"].get(name, {}).get(k, 0.0) / d["lead_hours"]
                for d in diagnoses
                if d["lead_hours"] > 0
            )
            / n
            for k in WAIT_KINDS
        }
        rows.append(
            {
                "person": name,
                "role": info["role"],
                "department": info["department"],
                "team": info["team"],
                "problems_decided": sum(d["decided"].get(name, 0) for d in diagnoses) / n,
                "decision_wait_caused_hours": caused[TaskState.DECISION_WAIT],
                "information_wait_caused_hours": caused[TaskState.INFORMATION_WAIT],
                "cp_decision_share": shares[TaskState.DECISION_WAIT],
                "cp_information_share": shares[TaskState.INFORMATION_WAIT],
                "cp_share": sum(shares.values()),
                "utilisation": _mean(
                    d["people"].get(name, {}).get("utilisation") for d in diagnoses
                ),
                "availability": info.get("availability"),
                "mean_queue": _mean(d["queues"].get(name) for d in diagnoses),
            }
        )
    rows.sort(key=lambda r: (-r["cp_share"], -r["decision_wait_caused_hours"], r["person"]))
    return rows


def _bottleneck(holders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The holder whose caused waits weigh most on the critical path (never UNATTRIBUTED)."""
    named = [h for h in holders if h["person"] != UNATTRIBUTED and h["cp_share"] > 0]
    if not named:
        return None
    top = named[0]
    decision = top["cp_decision_share"] >= top["cp_information_share"]
    return {
        "role": top["role"],
        "department": top["department"],
        "person": top["person"],
        "wait_kind": TaskState.DECISION_WAIT.value
        if decision
        else TaskState.INFORMATION_WAIT.value,
        "cp_share": top["cp_share"],
    }


def _department_rows(diagnoses, holders, people, n) -> list[dict[str, Any]]:
    departments = sorted({h["department"] for h in holders if h["department"] is not None})
    rows = []
    for department in departments:
        members = [h for h in holders if h["department"] == department]
        managers = [h for h in members if h["role"] in MANAGER_ROLES]
        collaborators = [h for h in members if h["role"] == "collaborator"]
        rows.append(
            {
                "department": department,
                "problems_raised": sum(
                    c for d in diagnoses for dep, _t, c in d["raised"] if dep == department
                )
                / n,
                "problems_decided": sum(h["problems_decided"] for h in members),
                "decision_wait_caused_hours": sum(h["decision_wait_caused_hours"] for h in members),
                "information_wait_caused_hours": sum(
                    h["information_wait_caused_hours"] for h in members
                ),
                "cp_share": sum(h["cp_share"] for h in members),
                "collaborator_utilisation": _mean(h["utilisation"] for h in collaborators),
                "manager_utilisation": _mean(h["utilisation"] for h in managers),
                "manager_queue": sum(h["mean_queue"] or 0.0 for h in managers),
            }
        )
    rows.sort(key=lambda r: (-r["cp_share"], r["department"]))
    return rows


def _team_rows(diagnoses, holders, people, n) -> list[dict[str, Any]]:
    teams = sorted(
        {(h["department"], h["team"]) for h in holders if h["team"] is not None},
        key=lambda t: (str(t[0]), t[1]),
    )
    rows = []
    for department, team in teams:
        members = [h for h in holders if h["department"] == department and h["team"] == team]
        rows.append(
            {
                "department": department,
                "team": team,
                "problems_raised": sum(
                    c
                    for d in diagnoses
                    for dep, t, c in d["raised"]
                    if (dep, t) == (department, team)
                )
                / n,
                "decision_wait_caused_hours": sum(h["decision_wait_caused_hours"] for h in members),
                "information_wait_caused_hours": sum(
                    h["information_wait_caused_hours"] for h in members
                ),
                "cp_share": sum(h["cp_share"] for h in members),
                "utilisation": _mean(h["utilisation"] for h in members),
            }
        )
    return rows


def _path_rows(diagnoses, n, hours_per_day) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for d in diagnoses:
        lead = d["lead_hours"]
        for entry in d["critical_path"]:
            row = seen.setdefault(
                entry["task"],
                {
                    "department": entry["department"],
                    "holders": Counter(),
                    "share": 0.0,
                    "runs": 0,
                    "hours": defaultdict(float),
                },
            )
            row["holders"][entry["holder"]] += 1
            row["runs"] += 1
            total = sum(entry["hours"].values())
            row["share"] += total / lead if lead > 0 else 0.0
            for kind, hours in entry["hours"].items():
                row["hours"][kind] += hours
    rows = [
        {
            "task": task,
            "department": row["department"],
            "holder": row["holders"].most_common(1)[0][0],
            "on_path_in": row["runs"],
            "cp_share": row["share"] / n,
            # Mean days per run on the path, by category (0 in runs where it was not on it).
            "days": {k: v / n / hours_per_day for k, v in row["hours"].items() if v > 0},
        }
        for task, row in seen.items()
    ]
    rows.sort(key=lambda r: (-r["cp_share"], r["task"]))
    return rows


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
