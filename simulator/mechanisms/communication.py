"""Communication: how a finished task's output reaches the holders of its successors.

`chain`: relayed along the org graph's shortest path with the fewest managers, each person
in between spending `relay_hours`; `direct`: straight to the receiver; with a shared space,
posted once (`post_hours`) and read from the space (`read_hours`). The receiver spends
`message_hours` reading a message. A successor not yet assigned keeps its inputs until it is.

One class per way an output travels, each with one method, `send_outputs`:
`COMMUNICATION["chain"]`, `COMMUNICATION["direct"]`, and `SHARED_SPACE` when the policy
has a shared space (it replaces the other two). `Communication` is the per-run router
that delivers and reads outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.domain import (
    Activity,
    Item,
    MessageRecord,
    Task,
    TaskState,
)

if TYPE_CHECKING:
    from simulator.model import OrgModel


@dataclass(eq=False, slots=True)
class Output:
    """A task's output on its way to one successor."""

    source: Task
    target: Task
    sent_at: float
    channel: str
    hops: int = 0
    path: list[int] | None = None
    sender: object = None  # the last person who handled it


class Chain:
    """Outputs are relayed along the org graph, everyone in between spending `relay_hours`."""

    name = "chain"

    def send_outputs(self, comm: Communication, task: Task, finisher) -> None:
        """One relayed message per successor."""
        for output in _outputs(comm, task, finisher, self.name):
            self._relay_start(comm, output, finisher)

    @staticmethod
    def _relay_start(comm: Communication, output: Output, sender) -> None:
        model = comm.model
        target = output.target
        if target.holder is not None and not target.holder.departed:
            path = model.org.route(sender.unique_id, target.holder.unique_id)
        else:
            # Holder not known yet: the message goes to the task's team, entering at the
            # member nearest the sender, and waits there for whoever takes the task.
            path = model.org.route_to_team(
                sender.unique_id, model.org.teams[target.department][target.team]
            )
        output.hops = max(len(path) - 1, 1)
        output.path = path[1:-1]  # everyone strictly in between relays
        comm._relay_next(output)


class Direct:
    """Outputs go straight to the receiver."""

    name = "direct"

    def send_outputs(self, comm: Communication, task: Task, finisher) -> None:
        """One direct message per successor."""
        for output in _outputs(comm, task, finisher, self.name):
            output.hops = 1
            comm.arrive(output)


def _outputs(comm: Communication, task: Task, sender, channel: str) -> list[Output]:
    """A task's output on its way to each of its successors, sent now by `sender`."""
    model = comm.model
    return [
        Output(task, model.tasks[s], model.time, channel, sender=sender) for s in task.successors
    ]


class SharedSpace:
    """Outputs are posted once (`post_hours`) and read from the space (`read_hours`)."""

    name = "space"

    def send_outputs(self, comm: Communication, task: Task, finisher) -> None:
        """The finisher posts the output; then every successor's holder may read it."""
        model = comm.model
        post = Item(
            "post",
            model.sample(model.config.timing.post_hours),
            Activity.READING,
            on_done=self._posted,
            payload=(comm, task),
            mechanism="shared_space",
        )
        finisher.receive(post)

    def _posted(self, item: Item, _person) -> None:
        comm, task = item.payload
        for s in task.successors:
            output = Output(task, comm.model.tasks[s], comm.model.time, self.name, hops=1)
            comm.arrive(output)


COMMUNICATION = {"chain": Chain(), "direct": Direct()}
SHARED_SPACE = SharedSpace()


class Communication:
    """Routes outputs under the run's communication mechanism and shared-space setting."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.refresh()

    def refresh(self) -> None:
        """Follow the run's policy (after a change of mechanism mid-run)."""
        policy = self.model.policy
        self.channel = SHARED_SPACE if policy.shared_space else COMMUNICATION[policy.communication]

    def send_outputs(self, task: Task, finisher) -> None:
        """`task` is done: its output goes to every successor."""
        if task.successors:
            self.channel.send_outputs(self, task, finisher)

    def relay_request(
        self, sender, receiver, deliver: Callable[[], None], pending: list | None = None
    ) -> None:
        """A request from one person to another (help, coordination across departments).

        Level 2 rests on level 1: under `communication: chain` the request follows the org
        graph like a message, everyone in between spending `relay_hours`; otherwise it
        arrives at once. Relay items go into `pending` (so they can be withdrawn).
        """
        model = self.model
        if model.policy.communication != "chain" or sender is receiver:
            deliver()
            return
        path = model.org.route(sender.unique_id, receiver.unique_id)[1:-1]
        _Request(self, sender, path, deliver, pending).forward()

    def _relay_next(self, output: Output) -> None:
        if not output.path:
            self.arrive(output)
            return
        person = self.model.person_by_id[output.path.pop(0)]
        if output.sender is not None:
            self.model.contact(output.sender, person, "message")
        output.sender = person
        item = Item(
            "relay",
            self.model.sample(self.model.config.timing.relay_hours),
            Activity.RELAYING,
            on_done=self._relayed,
            payload=output,
            mechanism="communication",
        )
        person.receive(item)

    def _relayed(self, item: Item, _person) -> None:
        self._relay_next(item.payload)

    def arrive(self, output: Output) -> None:
        """An output reaches its task: read now, or kept until the task has a holder."""
        target = output.target
        target.inputs_arrived += 1
        if target.holder is None:
            target.parked_inputs.append(output)
            if target.ready_at is not None:
                target.enter(target.waiting_state, self.model.time)
        else:
            self._read(output)

    def deliver_parked(self, task: Task) -> None:
        """The task has a holder now: inputs that were waiting for one are read."""
        parked, task.parked_inputs = task.parked_inputs, []
        for output in parked:
            self._read(output)

    def _read(self, output: Output) -> None:
        model = self.model
        timing = model.config.timing
        from_space = output.channel == SHARED_SPACE.name
        duration = model.sample(timing.read_hours if from_space else timing.message_hours)
        item = Item(
            "read",
            duration,
            Activity.READING,
            on_done=self._input_read,
            payload=output,
            task=output.target,
            task_state=TaskState.INFORMATION_WAIT,
            mechanism="shared_space" if from_space else "communication",
        )
        if output.sender is not None:
            model.contact(output.sender, output.target.holder, "message")
        output.target.holder.receive(item)

    def _input_read(self, item: Item, _person) -> None:
        output: Output = item.payload
        model = self.model
        model.messages += output.hops
        model.message_records.append(
            MessageRecord(
                output.source.key,
                output.target.key,
                output.sent_at,
                model.time,
                output.hops,
                output.channel,
            )
        )
        target = output.target
        target.inputs_read += 1
        if target.inputs_complete and target.started_at is None and target.holder is not None:
            model.start_task(target)


class _Request:
    """A request on its way along the org graph (`Communication.relay_request`)."""

    __slots__ = ("comm", "deliver", "path", "pending", "sender")

    def __init__(self, comm: Communication, sender, path: list[int], deliver, pending):
        self.comm = comm
        self.sender = sender
        self.path = path
        self.deliver = deliver
        self.pending = pending

    def forward(self, _item: Item | None = None, _person=None) -> None:
        """Hand the request to the next person on the path, or deliver it."""
        if not self.path:
            self.deliver()
            return
        model = self.comm.model
        person = model.person_by_id[self.path.pop(0)]
        model.contact(self.sender, person, "request")
        self.sender = person
        item = Item(
            "relay",
            model.sample(model.config.timing.relay_hours),
            Activity.RELAYING,
            on_done=self.forward,
            mechanism="communication",
        )
        if self.pending is not None:
            self.pending.append(item)
        person.receive(item)
