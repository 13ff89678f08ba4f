"""A run on the dashboard: one model that two threads may drive, and its frames.

The play loop advances the model in a background thread while the page's buttons
(step, reset, interventions) arrive on another, so every use of the model takes the
run's lock. Pages never read the model directly: they draw a `Frame`, a snapshot of
plain data taken under the lock, so a drawing never sees the model half-way through an
event. `Lockstep` advances several runs by the same working hours (Compare).
"""

from __future__ import annotations

import itertools
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

from dashboards.org_layout import OrgLayout, hierarchical_layout
from dashboards.palette import state_of
from experiments.display import plain_event
from simulator import interventions
from simulator.model import OrgModel
from simulator.schema import Scenario

# Mesa announces its experimental event API once; that is noise in a trainer's terminal.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"mesa\..*")

LIT_HOURS = 3.0  # how long a contact stays lit on the network
FEED_SHOWN = 60  # feed entries kept in a frame (the page shows the newest that fit)
SURGE_FACTOR = 3.0  # "the problem rate surges": three times the scenario's rate

_run_numbers = itertools.count(1)

# Knobs (dashboards.knobs.Knobs fields) a running model can take at the current time, and
# the intervention that applies each. The others (interdependence, headcounts) shape the
# project or the organisation when the run is built: they apply on Reset.
LIVE_KNOBS = {
    "problem_rate": interventions.set_problem_rate,
    "decision_hours": interventions.set_decision_hours,
    "meeting_interval_days": interventions.set_meeting_interval,
}


@dataclass(frozen=True)
class PersonView:
    """One person as drawn: where, in which state, and what the tooltip says."""

    uid: int
    name: str
    manager: bool
    state: str
    queue: int
    tip: str


@dataclass(frozen=True)
class Frame:
    """What a page shows of a run at one moment: plain data, safe to read without the lock."""

    run_number: int
    scenario: str
    policy: str
    seed: int
    time: float
    hours_per_day: float
    running: bool
    finished: bool
    people: tuple[PersonView, ...]
    contacts: tuple[tuple[float, int, int, str], ...]  # (age in hours, from, to, kind)
    kpis: dict[str, Any]
    daily: tuple[dict[str, Any], ...]
    feed: tuple[tuple[float, str, str], ...]  # newest first
    interventions: tuple[tuple[float, str, str], ...]
    tasks_total: int
    critical_path_days: float
    deadline_days: float | None
    departments: tuple[str, ...]
    mechanisms: dict[str, Any] = field(default_factory=dict)
    now: dict[str, float] = field(default_factory=dict)  # the daily columns at this moment

    @property
    def day(self) -> float:
        """Working days elapsed."""
        return self.time / self.hours_per_day


class SimulationRun:
    """One model of `scenario` under `policy` with `seed`, and its precomputed layout."""

    def __init__(self, scenario: Scenario, policy: str, seed: int, setup: object = None):
        self.scenario = scenario
        self.policy = policy
        self.seed = seed
        self.setup = setup  # what the page built it from (to tell when it is out of date)
        self.number = next(_run_numbers)  # tells drawings of different runs apart
        self.lock = threading.RLock()
        self.model = OrgModel(scenario, policy, rng=seed)
        self.layout: OrgLayout = hierarchical_layout(self.model.org)
        # The problem rate "back to normal" returns to: the scenario's, or the live knob's.
        self.normal_problem_rate = float(scenario.project.problem_rate)

    # --- driving ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """False once the project is done or the horizon is reached."""
        return bool(self.model.running)

    def advance(self, hours: float) -> bool:
        """Run `hours` working hours (less at the horizon); True while still running."""
        with self.lock:
            model = self.model
            if not model.running or hours <= 0:
                return bool(model.running)
            target = min(model.time + hours, model.horizon_hours)
            model.run_until(target)
            if model.running and model.time >= model.horizon_hours - 1e-9:
                model.run_to_end()  # records the horizon and stops the run
            return bool(model.running)

    def step(self) -> bool:
        """One working hour."""
        return self.advance(1.0)

    # --- interventions --------------------------------------------------------------------

    def change_mechanism(self, mechanism: str, value: object) -> str:
        """Switch one mechanism from now on; the feed and the charts mark it."""
        with self.lock:
            return plain_event(interventions.set_mechanism(self.model, mechanism, value).text)

    def expert_leaves(self, department: int) -> str:
        """The most expert collaborator still in `department` leaves the project."""
        with self.lock:
            expert = interventions.most_expert(self.model, department)
            if expert is None:
                name = self.model.org.department_names[department]
                raise ValueError(f"nobody is left in {name}")
            return interventions.depart(self.model, expert).text

    def surge_problems(self, factor: float = SURGE_FACTOR) -> str:
        """Problems arrive `factor` times as often as the scenario says."""
        with self.lock:
            rate = self.normal_problem_rate * factor
            return interventions.set_problem_rate(self.model, rate).text

    def calm_problems(self) -> str:
        """Problems arrive at the normal rate again (the scenario's, or the live knob's)."""
        with self.lock:
            return interventions.set_problem_rate(self.model, self.normal_problem_rate).text

    def change_live_knobs(self, changed: dict[str, float]) -> list[str]:
        """Apply knobs moved during the run (LIVE_KNOBS) to the model now; each is logged as
        an intervention. Returns what the feed says, in order."""
        unknown = set(changed) - set(LIVE_KNOBS)
        if unknown:
            raise ValueError(f"{', '.join(sorted(unknown))} cannot change during a run")
        said = []
        with self.lock:
            for knob, value in changed.items():
                if knob == "problem_rate":
                    self.normal_problem_rate = float(value)
                said.append(LIVE_KNOBS[knob](self.model, float(value)).text)
        return said

    @property
    def problem_rate(self) -> float:
        """The problem rate in force now."""
        return float(self.model.problem_rate)

    # --- observing ------------------------------------------------------------------------

    def frame(self) -> Frame:
        """A snapshot of the run for drawing."""
        with self.lock:
            return _snapshot(self)


# A collaborator's task neither worked nor blocked, nothing in hand: why, from the task's
# critical-path state (waiting for inputs, for a coordination partner, or only for a turn).
_WAITING_AS = {"information_wait": "waiting", "coordination": "coordinate"}


def _activity(person) -> str:
    """What the network shows a person doing (Person.doing, with "waiting" told apart)."""
    doing = person.doing
    if doing == "waiting" and getattr(person, "task", None) is not None:
        return _WAITING_AS.get(str(person.task_state()), "idle")
    return doing


def _person_view(person, departments: list[str]) -> PersonView:
    departed = bool(getattr(person, "departed", False))
    state = state_of(_activity(person), departed, away=bool(getattr(person, "away", False)))
    manager = person.role == "manager"
    queue = person.queue_length() + (1 if person.current is not None else 0) if manager else 0
    where = departments[person.department] if person.department is not None else "all departments"
    if manager:
        tip = f"{person.name} ({where}): {state.label}; in-tray {queue}"
    else:
        task = f", task {person.task.key}" if person.task is not None else ""
        tip = f"{person.name}: {state.label}{task}; expertise {person.expertise:.2f}"
    return PersonView(person.unique_id, person.name, manager, state.key, queue, tip)


def _snapshot(run: SimulationRun) -> Frame:
    model = run.model
    # A run that ended stops its clock where it ended, not where the last frame's advance
    # had aimed (`run_until` moves the time to its target even past the finish).
    now = model.end_time if model.end_time is not None else model.time
    departments = list(model.org.department_names)
    contacts = tuple(
        (now - t, a, b, kind) for t, a, b, kind in model.recent_contacts if now - t <= LIT_HOURS
    )
    # Feed lines and marks in plain words (a mechanism switch is logged with its identifiers).
    feed = tuple(
        (t, kind, plain_event(text)) for t, kind, text in reversed(list(model.feed)[-FEED_SHOWN:])
    )
    marks = tuple((i.time, i.kind, plain_event(i.text)) for i in model.interventions)
    queues = [m.queue_length() + (1 if m.current is not None else 0) for m in model.org.managers]
    current = {
        "tasks_done": model.tasks_done,
        "open_problems": model.desk.open,
        "messages": model.messages,
        "manager_queue": sum(queues),
        "max_manager_queue": max(queues, default=0),
    }
    return Frame(
        run_number=run.number,
        scenario=run.scenario.name,
        policy=model.policy.name,
        seed=run.seed,
        time=float(now),
        hours_per_day=float(model.hours_per_day),
        running=bool(model.running),
        finished=bool(model.finished),
        people=tuple(_person_view(p, departments) for p in model.org.people),
        contacts=contacts,
        kpis=model.kpis(),
        daily=tuple(model.daily),
        feed=feed,
        interventions=marks,
        tasks_total=len(model.tasks),
        critical_path_days=model.critical_path_hours / model.hours_per_day,
        deadline_days=run.scenario.project.deadline_days,
        departments=tuple(departments),
        mechanisms=model.policy.mechanisms(),
        now=current,
    )


class Lockstep:
    """Several runs of one scenario and seed under different policies, advanced together."""

    def __init__(self, scenario: Scenario, policies: list[str], seed: int, setup: object = None):
        self.scenario = scenario
        self.policies = list(policies)
        self.seed = seed
        self.setup = setup
        self.runs = [SimulationRun(scenario, p, seed) for p in policies]
        # Held while the runs advance one after the other: a shock or a live knob from the
        # page's thread then hits every run at the same moment, and a frame shows them all
        # at the same time, even while the player advances them.
        self.lock = threading.RLock()

    @property
    def running(self) -> bool:
        """True while any run is still going."""
        return any(r.running for r in self.runs)

    def advance(self, hours: float) -> bool:
        """Advance every run still going by the same working hours; True while any runs."""
        with self.lock:
            for run in self.runs:
                run.advance(hours)
            return self.running

    def step(self) -> bool:
        """One working hour for every run."""
        return self.advance(1.0)

    # --- shocks, the same for every policy --------------------------------------------------

    def expert_leaves(self, department: int) -> str:
        """In every run, the most expert collaborator still in `department` leaves (the same
        person in each: the runs share their people). Says what happened in the first."""
        with self.lock:
            said = [run.expert_leaves(department) for run in self.runs if run.running]
        if not said:
            raise ValueError("every run has ended")
        return said[0]

    def surge_problems(self, factor: float = SURGE_FACTOR) -> str:
        """Problems arrive `factor` times as often, in every run still going."""
        with self.lock:
            said = [run.surge_problems(factor) for run in self.runs if run.running]
        if not said:
            raise ValueError("every run has ended")
        return said[0]

    def calm_problems(self) -> str:
        """Problems arrive at the normal rate again (the scenario's, or the live knob's), in
        every run still going."""
        with self.lock:
            said = [run.calm_problems() for run in self.runs if run.running]
        if not said:
            raise ValueError("every run has ended")
        return said[0]

    def change_live_knobs(self, changed: dict[str, float]) -> list[str]:
        """Apply knobs moved during the runs (LIVE_KNOBS) to every run still going, at the
        same moment: each run logs each change as an intervention, so the marks keep the
        same numbers in every policy. Returns what the first run's feed says."""
        with self.lock:
            said = [run.change_live_knobs(changed) for run in self.runs if run.running]
        return said[0] if said else []

    @property
    def started(self) -> bool:
        """True once the clock has moved (every run keeps the same time)."""
        return any(run.model.time > 0 for run in self.runs)

    @property
    def problem_rate(self) -> float:
        """The problem rate in force now (the same in every run)."""
        return self.runs[0].problem_rate

    @property
    def surged(self) -> bool:
        """True while problems arrive faster than the normal rate (a surge is on)."""
        first = self.runs[0]
        return first.problem_rate > first.normal_problem_rate + 1e-12

    def frames(self) -> list[Frame]:
        """A snapshot of each run, all at the same moment."""
        with self.lock:
            return [r.frame() for r in self.runs]
