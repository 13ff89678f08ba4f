"""The mechanisms a policy chooses among, one registry of named values per mechanism.

A policy (`simulator.policies.Policy`) names one value per mechanism; the model looks the
value up in its registry. A new value is one class with the registry's method.

| registry | values | method |
|---|---|---|
| `ALLOCATION` | manager, pull | `on_ready(board, task)`, `on_free(board, collaborator)` |
| `COMMUNICATION` | chain, direct (`SHARED_SPACE` replaces both) | `send_outputs(comm, task, finisher)` |
| `COORDINATION` | meetings, peer, none | `link_due(coordination, link, task, partner)` |
| `PROBLEM_SOLVING` | escalate, experts, consensus | `route(desk, case)` |
| `AUTONOMY` | none, minor, major | `settles_alone(severity)` |
| `AUTHORITY` | manager, codecision, consensus | `sign_off(desk, case, resolver)` |
| `MANAGEMENT` | command, orient, none | `orients`, `arbitrates` (sessions: `Orientation`) |
| `CONFRONTATION` | positive, none | `challenge(desk, case, resolver, then)` |

The collaborative memory (`memory.Memory`) extends `shared_space`; the desk where problems
are raised and closed is `problems.ProblemDesk`.
"""

from simulator.mechanisms.allocation import ALLOCATION
from simulator.mechanisms.authority import AUTHORITY
from simulator.mechanisms.autonomy import AUTONOMY
from simulator.mechanisms.communication import COMMUNICATION, SHARED_SPACE
from simulator.mechanisms.confrontation import CONFRONTATION
from simulator.mechanisms.coordination import COORDINATION
from simulator.mechanisms.management import MANAGEMENT
from simulator.mechanisms.problem_solving import PROBLEM_SOLVING

__all__ = [
    "ALLOCATION",
    "AUTHORITY",
    "AUTONOMY",
    "COMMUNICATION",
    "CONFRONTATION",
    "COORDINATION",
    "MANAGEMENT",
    "PROBLEM_SOLVING",
    "SHARED_SPACE",
]
