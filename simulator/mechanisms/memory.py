"""The collaborative memory: problems of a kind met before are solved faster and no worse.

Every problem has a class (one of `project.problem_classes` per field). When the work
that resolves it starts, its occurrence k is 1 + the closed resolutions of the same
(field, class) the resolvers can see: all of them when the policy has a shared space;
otherwise only those they took part in themselves (for a group, the union of its
members'). That work is scaled by `max(k^(−b), learning_floor)`, b = −log2
`learning_rate` (Wright 1936: each doubling of experience multiplies the time by the
learning rate; Argote & Epple 1990 for organisations), and the quality is at least the
best one stored for the class. With a shared space, reusing a record first costs
`read_hours` to read it. What is stored is the quality before any confrontation, so
challenges do not ratchet stored answers towards perfect.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.domain import ProblemCase
    from simulator.model import OrgModel

Key = tuple[int, int]  # (field, problem class)


class Memory:
    """Closed resolutions by (field, class): in the shared space and in each person's head."""

    def __init__(self, model: OrgModel):
        self.model = model
        project = model.config.project
        self.exponent = -math.log2(project.learning_rate)
        self.floor = project.learning_floor
        self.stored_quality: dict[int, float] = {}  # problem ident -> quality stored
        self.shared: dict[Key, list[int]] = {}
        self.shared_best: dict[Key, float] = {}
        self.personal: dict[int, dict[Key, set[int]]] = {}  # person id -> key -> idents

    @property
    def shared_space(self) -> bool:
        """Whether the run's policy keeps a shared space (it is a cross-department mechanism)."""
        return bool(self.model.policy.shared_space)

    def recall(self, case: ProblemCase, resolvers: list) -> None:
        """The resolving work starts: fix the problem's occurrence, learning factor and the
        best quality its resolvers can reuse (once per problem)."""
        if case.occurrence is not None:
            return
        key = (case.field, case.problem_class)
        if self.shared_space:
            seen = len(self.shared.get(key, ()))
            best = self.shared_best.get(key, 0.0)
        else:
            known: set[int] = set()
            for person in resolvers:
                known |= self.personal.get(person.unique_id, {}).get(key, set())
            seen = len(known)
            best = max((self.stored_quality[i] for i in known), default=0.0)
        k = 1 + seen
        case.occurrence = k
        case.learning_factor = max(k ** (-self.exponent), self.floor)
        case.known_quality = best

    def store(self, case: ProblemCase) -> None:
        """A problem is closed: its resolution joins the space and its resolvers' memories."""
        key = (case.field, case.problem_class)
        quality = case.quality_before_confrontation
        if quality is None:
            quality = case.quality if case.quality is not None else 0.0
        self.stored_quality[case.ident] = quality
        self.shared.setdefault(key, []).append(case.ident)
        self.shared_best[key] = max(self.shared_best.get(key, 0.0), quality)
        for person in case.participants:
            self.personal.setdefault(person.unique_id, {}).setdefault(key, set()).add(case.ident)
