"""OrgModel: the organisation at work on one project, as a Mesa model in working hours.

Everything that happens (task work, problems, messages, decisions, meetings) is an event
booked on the model's agenda (`simulator.agenda`), run in one order with Mesa's own
events; `step()` is one working hour and only records the daily series and serves the
dashboard. Mechanisms live in `simulator.mechanisms`, chosen by the policy's values.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import math
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.experimental.mesa_signals import ObservableSignals

from agents.collaborator import Collaborator
from simulator import kpis as kpi_module
from simulator.agenda import CALLBACK, TIME, Agenda, Booking, goes_first
from simulator.domain import (
    CATEGORIES,
    ItemRecord,
    LedgerTotals,
    MessageRecord,
    PersonRecord,
    ProblemRecord,
    Task,
    TaskRecord,
)
from simulator.loading import assignments, load_scenario, with_values
from simulator.mechanisms.allocation import TaskBoard
from simulator.mechanisms.communication import Communication
from simulator.mechanisms.coordination import Coordination
from simulator.mechanisms.management import Orientation
from simulator.mechanisms.problems import ProblemDesk
from simulator.organisation import build_organisation
from simulator.policies import Policy, for_department, resolve_policy
from simulator.project import build_project, critical_path_hours
from simulator.randomness import AVAILABILITY, HAZARD, OTHER_WORK, TIMING, Sampler, stream
from simulator.schema import Scenario
from simulator.transition import LearnedTransition
from simulator.uncertain import resolve_uncertain

DEFAULT_SCENARIO = "product-launch"
FEED_LENGTH = 500  # notable events kept for the dashboard's feed
CONTACTS_KEPT = 400  # recent person-to-person contacts kept for lit edges
FINISHED = "finished"  # outcomes of a run
HORIZON = "horizon"


class OrgModel(mesa.Model):
    """One run of one scenario under one policy.

    Args:
        scenario: a `Scenario`, a path or built-in name (default: product-launch).
        policy: a policy name (preset or defined by the scenario) or a `Policy`.
        rng: the seed (an int); None uses the scenario's `seed`.
        log_items: keep an `ItemRecord` of every in-tray item served (`item_records()`).
        collect_kpis: feed `datacollector` every KPI once a working day (the dashboard and
            `mesa.batch_run` read it); batch runs that only need the final KPIs turn it off
            (computing every KPI daily was about a quarter of a run's time).
        **overrides: scenario values by dotted key, as `--set` takes them
            (`OrgModel("product-launch", **{"project.problem_rate": 0.04})`), so that
            `mesa.batch_run` can vary them; bad values raise `InputError`.
    """

    # Mesa's `time` is an Observable: a descriptor written in Python runs at every read and
    # write of the clock, about a tenth of a run's time. Here it is a plain attribute; the
    # model's loop, its only writer, tells the subscribers of "time" itself (`_set_time`).
    # (Mesa's experimental computed properties do not see it as one of their inputs.)
    time: float = 0.0

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        policy: str | Policy = "cooperative",
        rng: int | None = None,
        *,
        log_items: bool = False,
        collect_kpis: bool = True,
        **overrides: Any,
    ):
        if scenario is None or isinstance(scenario, str | Path):
            scenario = load_scenario(scenario or DEFAULT_SCENARIO, assignments(overrides))
        elif overrides:
            scenario = with_values(scenario, overrides)
        if rng is None:
            seed = scenario.seed
        elif isinstance(rng, np.random.Generator):
            seed = int(rng.integers(0, 2**63 - 1))
        else:
            seed = int(rng)
        super().__init__(rng=seed)
        self.agenda = Agenda()
        # Uncertain inputs take this replication's values (the same under every policy).
        scenario, self.uncertain_draws = resolve_uncertain(scenario, seed)
        self.config = scenario
        self.seed = seed
        self.policy = policy if isinstance(policy, Policy) else resolve_policy(policy, scenario)
        self.hours_per_day = scenario.time.hours_per_day
        self.horizon_hours = scenario.time.horizon_days * self.hours_per_day
        # None while the run goes on; FINISHED or HORIZON once it has stopped (then
        # Mesa's `running` is False and `end_time` is when it stopped).
        self.outcome: str | None = None
        self.end_time: float | None = None

        self.org = build_organisation(self, scenario, seed)
        self.person_by_id = {p.unique_id: p for p in self.org.people}
        self._department_policies = [
            self.policy_for(d, self.policy) for d in scenario.organisation.departments
        ]
        headcounts = [
            len([c for c in self.org.collaborators if c.department == d])
            for d in range(len(self.org.department_names))
        ]
        teams = [len(t) for t in self.org.teams]
        self.tasks: list[Task] = build_project(scenario, seed, headcounts, teams)
        if isinstance(scenario.project.tasks, list):
            for task, spec in zip(self.tasks, scenario.project.tasks, strict=True):
                task.labels = dict(spec.labels)
        points = stream(seed, HAZARD).exponential(1.0, len(self.tasks))
        for task, point in zip(self.tasks, points, strict=True):
            task.next_hazard_point = float(point)
        self.critical_path_hours = critical_path_hours(self.tasks)

        self._sampler = Sampler(stream(seed, TIMING))
        self.tasks_done = 0
        self.active_tasks: dict[Task, None] = {}  # released and not done, in release order
        self.ledger_totals = LedgerTotals()  # time ledgers of all tasks, summed
        for task in self.tasks:
            task.totals = self.ledger_totals
        self.last_finished: Task | None = None
        self.messages = 0
        self.message_records: list[MessageRecord] = []
        self.item_log: list[ItemRecord] | None = [] if log_items else None
        self.missed_links = 0
        self.meetings_held = 0
        self.withdrawn = 0

        self.problem_rate = scenario.project.problem_rate
        self.feed: deque[tuple[float, str, str]] = deque(maxlen=FEED_LENGTH)
        self.recent_contacts: deque[tuple[float, int, int, str]] = deque(maxlen=CONTACTS_KEPT)
        self.interventions: list = []
        self.allocation = TaskBoard(self)
        self.communication = Communication(self)
        self.coordination = Coordination(self)
        self.desk = ProblemDesk(self)
        self.orientation = Orientation(self)
        self.transition = LearnedTransition(self)
        self.daily: list[dict[str, Any]] = []
        self._last_recorded_day = -1
        self._kpi_cache: tuple[Any, dict[str, Any]] | None = None
        self._collect_kpis = collect_kpis
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_kpi, name) for name in kpi_module.KPI_NAMES}
        )
        # People who give the project only part of their day: managers (availability)
        # and collaborators (project share) are away one block a day, at a random time.
        self._part_time = [
            (people, stream(seed, key))
            for people, key in (
                ([m for m in self.org.managers if m.availability < 1.0], AVAILABILITY),
                ([c for c in self.org.collaborators if c.availability < 1.0], OTHER_WORK),
            )
            if people
        ]
        # Today's absence moves played out, by (time, order of the draw).
        self._moves: list[tuple[float, int, Callable[[], None]]] = []
        self._next_move = 0
        self.moves_played = 0  # absence moves played out by `_advance_time`
        self._moves_passed = 0  # absence moves of people with nothing to do, not played out
        self._unplayed: list = []  # today's people whose moves were not played out at first
        self._play_every_absence = False  # True: the moves of everyone are played (tests)
        if self._part_time:
            self.book(self.plan_absences, at=0.0)
        self.book(self.begin, at=0.0)

    # --- policy ----------------------------------------------------------------------------

    def policy_for(self, department, policy: Policy) -> Policy:
        """`policy` with the in-department mechanisms of the department's own policy: the
        policy's `departments` entry first, else the department's `policy:` key."""
        return for_department(policy, department, self.config)

    def refresh_policies(self) -> None:
        """Re-derive departments' mechanisms and cross-department routing after a change."""
        self._department_policies = [
            self.policy_for(d, self.policy) for d in self.config.organisation.departments
        ]
        self.communication.refresh()
        self.coordination.refresh()
        self.orientation.refresh()
        self.allocation.reallocate()

    def department_policy(self, department: int) -> Policy:
        """The mechanisms in force inside a department (its `policy:` overrides the run's)."""
        return self._department_policies[department]

    # --- the run ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Scheduled at time 0: tasks without predecessors are ready; people look for work."""
        for task in self.tasks:
            if task.pending_predecessors == 0:
                self.allocation.release(task)
        for person in self.org.collaborators:
            person.serve()
        if not self.tasks:
            self._finish()

    def sample(self, dist) -> float:
        """A draw of a timing distribution (fixed values consume no randomness)."""
        return self._sampler(dist)

    def collaborator_free(self, collaborator: Collaborator) -> None:
        """Called by a collaborator with no task and an empty in-tray."""
        self.allocation.collaborator_free(collaborator)

    def start_task(self, task: Task) -> None:
        """The holder has read every input: coordination falls due, then work begins."""
        task.started_at = self.time
        self.coordination.task_started(task)
        task.holder.on_state_change()
        task.holder.serve()

    def raise_problem(self, collaborator: Collaborator, task: Task) -> None:
        """A problem arrives on `task` (called by its holder)."""
        self.desk.raise_problem(collaborator, task)

    def task_work_done(self, collaborator: Collaborator, task: Task) -> None:
        """The holder has done all the work: settle missed links, then the task is done."""
        extra = self.coordination.missed_rework(task)
        if extra > 0:
            task.rework_remaining += extra
            return
        task.finished_at = self.time
        task.enter(None, self.time)
        self.active_tasks.pop(task, None)
        self.last_finished = task
        task.done_by = collaborator
        task.holder = None
        collaborator.release_task()
        self.tasks_done += 1
        for s in task.successors:
            successor = self.tasks[s]
            successor.pending_predecessors -= 1
            if successor.pending_predecessors == 0:
                self.allocation.release(successor)
        self.communication.send_outputs(task, collaborator)
        if self.tasks_done == len(self.tasks):
            self._finish()

    def manager_free(self, manager) -> None:
        """A manager with an empty in-tray: a team lead takes the next pooled problem, if any."""
        self.desk.lead_pool.take(manager)

    def hand_over(self, collaborator: Collaborator) -> None:
        """A departed collaborator's task goes back to allocation."""
        from simulator.interventions import hand_over

        hand_over(self, collaborator)

    def note(self, text: str, kind: str = "event") -> None:
        """Add a notable event, in plain words, to the feed."""
        self.feed.append((self.time, kind, text))

    def contact(self, sender, receiver, kind: str) -> None:
        """Remember that two people were just in touch (lit edges in the dashboard)."""
        self.recent_contacts.append((self.time, sender.unique_id, receiver.unique_id, kind))

    @property
    def stopped(self) -> bool:
        """The run is over: the project is finished or the horizon reached."""
        return self.outcome is not None

    @property
    def finished(self) -> bool:
        """Every task is done (before the horizon)."""
        return self.outcome == FINISHED

    def _finish(self) -> None:
        self.note(
            f"project finished after {self.time / self.hours_per_day:.1f} working days", "finish"
        )
        self._stop(self.time, FINISHED)

    def _stop(self, at: float, outcome: str) -> None:
        if self.stopped:
            return
        self.end_time = at
        self.record_day(force=True)
        # Who is away stays as it is at the end: the moves still to come are played out,
        # and change nothing once the run is over.
        for person in self._unplayed:
            if not person._absences_played:
                self.play_absence(person)
        self.outcome = outcome
        self.running = False
        if self._collect_kpis:
            self.datacollector.collect(self)

    def plan_absences(self) -> None:
        """Scheduled each working day: each part-time person's block away from the project
        (other duties for managers, other work for collaborators).

        Only the moves of people with something in hand or waiting are played out as events.
        For the others (most of them, most days) going away and coming back would change
        nothing but `away`, which is read from their block (`Person.away`); if work reaches
        one of them during the day (`Person.receive`, `Collaborator.take`, a problem left
        in the leads' pool), their remaining moves join the day's from then on
        (`play_absence`). The same moves take place at the same times, in the same order."""
        if self.stopped:
            return
        hpd = self.hours_per_day
        day_start = self.time
        moves: list[tuple[float, int, Callable[[], None]]] = []
        order = 0
        unplayed = []
        play_every = self._play_every_absence
        for people, rng in self._part_time:
            # One draw per person, all at once: the same numbers as one call each.
            for person, draw in zip(people, rng.random(len(people)).tolist(), strict=True):
                block = (1.0 - person.availability) * hpd
                leave = day_start + draw * (hpd - block)
                back = leave + block
                person._leave, person._back, person._absence_order = leave, back, order
                if play_every or not person.unoccupied():
                    person._absences_played = True
                    moves.append((leave, order, person.go_away))
                    moves.append((back, order + 1, person.come_back))
                else:
                    person._absences_played = False
                    unplayed.append(person)
                order += 2
        # The day's moves wait in a list of their own, run in time order between Mesa's
        # events by `_advance_time`: with two per part-time person a day they were most of
        # the events, and each cost an Event, two weak references and a heap push and pop.
        # Moves due at the same time keep the order they were drawn in, as the event list did.
        moves.sort()
        self._moves, self._next_move = moves, 0
        self._unplayed = unplayed
        self._moves_passed += 2 * len(unplayed)
        self.book(self.plan_absences, at=day_start + hpd)

    @property
    def moves_run(self) -> int:
        """Absence moves that took place (events of the model's own): played out as events,
        or passed over for people with nothing to do."""
        now = self.time
        ahead = sum(
            (person._leave > now) + (person._back > now)
            for person in self._unplayed
            if not person._absences_played
        )
        return self.moves_played + self._moves_passed - ahead

    def play_absence(self, person) -> None:
        """Play out `person`'s absence moves still to come today (work may reach them before
        they come back); `away` is read from their block until now, kept by the moves after."""
        now = self.time
        person._away = person.away  # still read from the block
        person._absences_played = True
        order = person._absence_order
        # Moves due now or earlier took place before the event under way (moves go first).
        for time, rank, callback in (
            (person._leave, order, person.go_away),
            (person._back, order + 1, person.come_back),
        ):
            if time > now:
                bisect.insort(self._moves, (time, rank, callback), lo=self._next_move)
                self._moves_passed -= 1  # played out after all

    def book(
        self, callback: Callable[[], None], *, at: float | None = None, after: float | None = None
    ) -> Booking:
        """Book `callback` at time `at` or `after` hours from now, on the model's agenda
        (`Model.schedule_event`'s arguments and its check of the past; cancel with the
        returned booking's `cancel()`)."""
        if (at is None) == (after is None):
            raise ValueError("Specify exactly one of 'at' or 'after'")
        time = at if at is not None else self.time + after
        if time < self.time:
            raise ValueError(f"cannot book an event at {time}, before the time now, {self.time}")
        return self.agenda.book(time, callback)

    def _advance_time(self, until: float) -> None:
        """Mesa's loop (`mesa.Model._advance_time`, 3.5) over three sources in time order:
        Mesa's own events (the hourly step), the model's bookings (`self.agenda`) and the
        day's absence moves. Between an event and a booking, the first in (time, priority,
        order) goes first, as when both were Mesa events; a move due no later than either
        runs first (moves are drawn at the start of the day, before the events scheduled
        during it, as their events were). Cancelled events at the top of Mesa's heap are
        dropped as Mesa's `pop_event` drops them."""
        if until <= self.time:
            super()._advance_time(until)  # Mesa's warning
            return
        event_list = self._event_list
        agenda = self.agenda
        # Subscribers of "time" (Mesa's `observe`) are told of each move of the clock; a
        # subscription made during this call is served from the next one.
        watched = self._has_subscribers("time", ObservableSignals.CHANGED)
        while True:
            events = event_list._events  # compact() may replace the list: fetch it each time
            while events and events[0]._canceled:
                heapq.heappop(events)
            booking = agenda.first()
            event = events[0] if events else None
            if booking is not None and (event is None or goes_first(booking, event)):
                event = None
                next_time = booking[TIME]
            else:
                next_time = event.time if event is not None else math.inf
            moves, index = self._moves, self._next_move
            if index < len(moves) and moves[index][0] <= min(next_time, until):
                self._next_move = index + 1
                self.moves_played += 1
                next_time, _, run = moves[index]
            elif next_time > until:
                break
            elif event is not None:
                heapq.heappop(events)
                run = event.execute
            else:
                agenda.pop()
                run = booking[CALLBACK]
            if watched:
                self._set_time(next_time)
            else:
                self.time = next_time
            run()
        if watched:
            self._set_time(until)
        else:
            self.time = until

    def _set_time(self, time: float) -> None:
        """Move the clock and tell the subscribers of "time", as Mesa's Observable does."""
        old, self.time = self.time, time
        if old != time:
            self.notify("time", ObservableSignals.CHANGED, old=old, new=time)

    def step(self) -> None:
        """One working hour: record the day when it ends, stop at the horizon."""
        if self.stopped:
            self.running = False
            return
        self.record_day()
        if self.time >= self.horizon_hours - 1e-9:
            self.note("the horizon is reached with work still open", "horizon")
            self._stop(self.horizon_hours, HORIZON)

    def run_to_end(self) -> None:
        """Run until the project is done or the horizon is reached.

        Python's cyclic garbage collector is paused for the run (and restored after it):
        its full collections, triggered by the churn of events, scan every object alive
        (the model, its people and tasks, everything imported) again and again, up to a
        third of a 1,200-task run's time. Events and records are freed by reference
        counting as before; a run's peak memory is the same (benchmarks.scaling).
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._run_days()
        finally:
            if enabled:
                gc.enable()

    def _run_days(self) -> None:
        while self.running:
            target = min(self.time + self.hours_per_day, self.horizon_hours)
            if target <= self.time:
                self._stop(self.horizon_hours, HORIZON)
                break
            self.run_until(target)
            if not self.stopped and self.time >= self.horizon_hours - 1e-9:
                self._stop(self.horizon_hours, HORIZON)

    # --- observation -------------------------------------------------------------------------

    @property
    def day(self) -> float:
        """Working days elapsed."""
        return self.time / self.hours_per_day

    def record_day(self, force: bool = False) -> None:
        """Append a row to the daily series (once per working day, and at the end)."""
        day = math.floor(self.time / self.hours_per_day + 1e-9)
        if not force and day <= self._last_recorded_day:
            return
        self._last_recorded_day = day
        # A cancelled booking stays in the agenda's heap until its time comes; absences
        # cancel a work segment each, so they piled up to three in four entries of a large
        # run's heap, and every push and pop paid for them. Once a day they are dropped
        # (events run in the same order: the heap's order is total).
        self._event_list.compact()
        self.agenda.compact()
        row: dict[str, Any] = {
            "day": self.time / self.hours_per_day,
            "tasks_done": self.tasks_done,
            "open_problems": self.desk.open,
            "blocked_collaborators": sum(
                1 for c in self.org.collaborators if c.task is not None and c.task.blocked
            ),
            "messages": self.messages,
            "manager_queue": 0,
            "max_manager_queue": 0,
        }
        for manager in self.org.managers:
            queue = manager.queue_length() + (1 if manager.current is not None else 0)
            row[f"queue:{manager.name}"] = queue
            row["manager_queue"] += queue
            row["max_manager_queue"] = max(row["max_manager_queue"], queue)
        for department in list(self.desk.lead_pool.waiting):
            waiting = self.desk.lead_pool.count(department)
            row[f"pool:{self.org.department_names[department]}"] = waiting
            row["manager_queue"] += waiting
        self.daily.append(row)
        if not force and self._collect_kpis:
            self.datacollector.collect(self)

    def problem_records(self) -> list[ProblemRecord]:
        """Every problem raised so far, as flat records."""
        return self.desk.records()

    def task_records(self) -> list[TaskRecord]:
        """Every task as a flat record: its times, holder and time ledger so far."""
        names = self.org.department_names
        now = self.end_time if self.end_time is not None else self.time
        records = []
        for task in self.tasks:
            ledger = kpi_module.task_ledger(task, now)
            holder = task.done_by or task.holder
            records.append(
                TaskRecord(
                    task.key,
                    names[task.department],
                    holder.name if holder is not None else None,
                    task.effort,
                    task.ready_at,
                    task.assigned_at,
                    task.started_at,
                    task.finished_at,
                    task.problems_raised,
                    **{f"{category}_hours": ledger.get(category, 0.0) for category in CATEGORIES},
                    labels="; ".join(f"{k}={v}" for k, v in task.labels.items()),
                )
            )
        return records

    def person_records(self) -> list[PersonRecord]:
        """Everyone on the project as a flat record (labels from the people file)."""
        now = self.end_time if self.end_time is not None else self.time
        names = self.org.department_names
        return [
            PersonRecord(
                person.name,
                getattr(person, "level", person.role),
                names[person.department] if person.department is not None else None,
                person.team,
                person.expertise,
                person.availability,
                person.busy_hours(now),
                "; ".join(f"{k}={v}" for k, v in person.labels.items()),
            )
            for person in self.org.people
        ]

    def item_records(self) -> list[ItemRecord]:
        """Every in-tray item served so far (needs `log_items=True`)."""
        if self.item_log is None:
            raise ValueError("items are logged only with OrgModel(..., log_items=True)")
        return list(self.item_log)

    def kpis(self) -> dict[str, Any]:
        """Every KPI of the run so far (final once `running` is False)."""
        key = (
            self.time,
            self.tasks_done,
            len(self.desk.cases),
            self.desk.resolved_count,
            self.messages,
            self.stopped,
        )
        if self._kpi_cache is None or self._kpi_cache[0] != key:
            self._kpi_cache = (key, kpi_module.compute(self))
        return dict(self._kpi_cache[1])


def _kpi(name: str, model: OrgModel) -> Any:
    """A DataCollector model reporter: one KPI of the model now."""
    return model.kpis()[name]
