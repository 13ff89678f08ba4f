"""Settings that cannot act in a scenario, and policies that break the nesting of levels.

Nothing is silently ignored: a scenario key that a file overrides, or a mechanism value
that no event of this scenario can ever call on, is named in a warning (`orgsim validate`,
and the header of `run`, `compare` and `sweep`), with the policy, the mechanism and why.

The seed's three levels nest: communication, then coordination, then collective problem
solving. A policy that solves problems collectively (experts across the organisation or
consensus) without peer coordination or a shared space skips the level it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.policies import Policy, for_department, resolve_policy
from simulator.schema import Scenario


@dataclass(frozen=True)
class Inert:
    """A setting that cannot act, or a policy that breaks the nesting, in plain words."""

    policy: str | None  # None: a scenario key, whatever the policy
    setting: str  # a mechanism name or a dotted scenario key
    reason: str

    def render(self) -> str:
        """One `warning:` line."""
        if self.policy is None:
            return f"warning: {self.setting}: {self.reason}"
        return f"warning: policy {self.policy}: {self.setting}: {self.reason}"


@dataclass(frozen=True)
class _Facts:
    """What the scenario makes possible, whatever the policy."""

    problems: bool  # any problem can arise
    critical: bool
    minor: bool
    major: bool
    foreign: bool  # problems of another department's field
    departments: int
    links: bool  # interdependence links between tasks
    groups: bool  # some team has more than one collaborator
    lateral: bool  # lateral links exist


def _facts(scenario: Scenario) -> _Facts:
    project = scenario.project
    org = scenario.organisation
    if isinstance(project.tasks, list):
        links = any(t.interdependent_with for t in project.tasks)
    else:
        links = project.interdependence > 0
    departments = len(org.departments)
    groups = any((d.collaborators or 0) > d.teams for d in org.departments)
    return _Facts(
        problems=project.problem_rate > 0,
        critical=project.severity.critical > 0,
        minor=project.severity.minor > 0,
        major=project.severity.major > 0,
        foreign=departments > 1 and project.foreign_field_share > 0,
        departments=departments,
        links=links and departments > 1,
        groups=groups,
        lateral=org.lateral_links > 0 and departments > 1,
    )


def file_overrides(scenario: Scenario) -> list[Inert]:
    """Scenario keys a people file or an explicit plan makes useless."""
    found = []
    project = scenario.project
    if isinstance(project.tasks, list):
        for key in ("dependency_density", "interdependence", "effort_hours"):
            if key in project.model_fields_set:
                found.append(
                    Inert(
                        None, f"project.{key}", "the plan gives the tasks: this value is not used"
                    )
                )
    if scenario.organisation.people_file is not None:
        for department in scenario.organisation.departments:
            for key in ("expertise_sd",):
                if key in department.model_fields_set:
                    found.append(
                        Inert(
                            None,
                            f"organisation.departments[{department.name}].{key}",
                            "the people file gives the people: this value is not used",
                        )
                    )
    return found


def _policy_warnings(policy: Policy, facts: _Facts, scenario: Scenario) -> list[tuple[str, str]]:
    """(mechanism, why) for each value of `policy` that cannot act in this scenario."""
    found: list[tuple[str, str]] = []
    solving = policy.problem_solving
    if not facts.problems:
        for mechanism in ("problem_solving", "autonomy", "authority", "confrontation"):
            found.append((mechanism, "the problem rate is 0: no problem ever arises"))
    else:
        if not facts.critical:
            found.append(("authority", "no problem is critical: nothing is ever signed off"))
        elif solving in ("escalate", "consensus") and not facts.lateral:
            found.append(
                (
                    "authority",
                    f"under problem_solving={solving} every critical problem is decided by a "
                    "manager or a group, which needs no sign-off",
                )
            )
        if policy.autonomy == "major" and not facts.major:
            found.append(("autonomy", "no problem is major: 'major' acts as 'minor'"))
        if policy.autonomy in ("minor", "major") and not (facts.minor or facts.major):
            found.append(("autonomy", "every problem is critical: nothing is settled alone"))
        deliberation_may_fail = (
            solving == "consensus" or policy.authority == "consensus"
        ) and scenario.behaviour.consensus_agreement < 1
        if policy.management == "command" and not (deliberation_may_fail and facts.groups):
            found.append(
                (
                    "management",
                    "'command' differs from 'none' only by arbitrating failed deliberations, "
                    "and no deliberation can fail here",
                )
            )
    if not facts.links:
        if policy.coordination == "peer":
            found.append(("coordination", "no task is linked to another: nothing to coordinate"))
        elif policy.coordination == "none":
            found.append(
                ("coordination", "no task is linked to another: 'none' acts as 'peer' would")
            )
    cross_requests = (solving == "experts" and facts.foreign) or (
        policy.coordination == "peer" and facts.links
    )
    if policy.shared_space and not cross_requests:
        found.append(
            (
                "communication",
                "outputs go through the shared space and no request crosses departments: "
                "chain and direct give the same run",
            )
        )
    if facts.departments == 1 and not policy.shared_space and policy.communication == "chain":
        found.append(
            (
                "communication",
                "one department: messages never pass a manager, chain acts as direct",
            )
        )
    return found


def nesting(policy: Policy) -> list[tuple[str, str]]:
    """(mechanism, why) when a policy solves problems collectively without the level of
    coordination it rests on."""
    collective = policy.problem_solving in ("experts", "consensus")
    if collective and policy.coordination != "peer" and not policy.shared_space:
        return [
            (
                "problem_solving",
                f"'{policy.problem_solving}' is collective problem solving, but there is "
                "neither peer coordination nor a shared space for it to rest on (the seed's "
                "levels nest: communication, coordination, problem solving)",
            )
        ]
    return []


def inert_settings(scenario: Scenario, policies: list[str | Policy] | None = None) -> list[Inert]:
    """Every warning for `scenario` under `policies` (names or policies; default: the
    presets and the scenario's own policies)."""
    from simulator.policies import policy_names

    facts = _facts(scenario)
    found = file_overrides(scenario)
    seen: set[tuple[str | None, str, str]] = set()
    for chosen in policies or policy_names(scenario):
        policy = chosen if isinstance(chosen, Policy) else resolve_policy(chosen, scenario)
        name = policy.name
        effective = [
            policy,
            *(for_department(policy, d, scenario) for d in scenario.organisation.departments),
        ]
        # A value is inert only if it is inert wherever it applies.
        per_scope = [dict(_policy_warnings(p, facts, scenario)) for p in effective]
        for mechanism, why in per_scope[0].items():
            if all(mechanism in scope for scope in per_scope):
                key = (name, mechanism, why)
                if key not in seen:
                    seen.add(key)
                    found.append(Inert(name, mechanism, why))
        for mechanism, why in nesting(policy):
            found.append(Inert(name, mechanism, why))
    transition = scenario.transition
    if transition is not None:
        for chosen in policies or []:
            name = chosen.name if isinstance(chosen, Policy) else chosen
            if name == transition.from_policy:
                found.append(
                    Inert(
                        name,
                        "transition",
                        "the run's policy is the transition's 'from': nothing is new to learn",
                    )
                )
    return found


def remedy_inert(base: Scenario, patched: Scenario, policy: Policy) -> str | None:
    """Why a change from `base` to `patched` cannot act under `policy`, or None if it may.

    It cannot when it changes nothing, when it only changes departments' policies to the
    mechanisms already in force there, or when it makes a setting inert that was not.
    """
    if patched == base:
        return "the scenario already has these values"
    same_policies = all(
        for_department(policy, new, patched) == for_department(policy, old, base)
        for new, old in zip(
            patched.organisation.departments, base.organisation.departments, strict=True
        )
    )
    if same_policies and _without_department_policies(patched) == _without_department_policies(
        base
    ):
        return "the departments already work under these mechanisms"
    # `patched` comes from `with_values`, which validates every value again as if the file
    # gave it: compare with the base gone through the same path, so that values the file
    # left to their defaults are not taken for new settings that cannot act.
    from simulator.loading import with_values

    before = {w.render() for w in inert_settings(with_values(base, {}), [policy])}
    after = [w.render() for w in inert_settings(patched, [policy]) if w.render() not in before]
    if after:
        return after[0]
    return None


def _without_department_policies(scenario: Scenario) -> Scenario:
    departments = [d.model_copy(update={"policy": None}) for d in scenario.organisation.departments]
    organisation = scenario.organisation.model_copy(update={"departments": departments})
    return scenario.model_copy(update={"organisation": organisation})
