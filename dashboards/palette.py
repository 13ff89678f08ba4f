"""Colours of the dashboard, chosen to be told apart with any colour vision.

People's states use the Okabe–Ito palette (Okabe & Ito 2008), the usual colour-blind-safe
set of eight; departments are tinted with Paul Tol's "pale" scheme, light enough to sit
behind the state colours. Every colour is also named in a legend, and the states that
matter most in a room (blocked, waiting, deliberating, in orientation, away, departed)
carry a second cue besides colour: a sign inside the person and, for some, its outline.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

# Okabe–Ito.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
IDLE_GREY = "#D9D9D9"
INK = "#222222"
MUTED = "#8A8A8A"

# Paul Tol's pale scheme, for department clusters.
DEPARTMENT_TINTS = ("#BBCCEE", "#CCEEFF", "#CCDDAA", "#EEEEBB", "#FFCCCC", "#DDDDDD")


@dataclass(frozen=True)
class State:
    """A state a person can be in, as shown on the network and in the legend.

    `mark` is the sign drawn inside the person besides the colour (org_drawing draws it), so
    that the states a room asks about read on a projector and without colour vision:
    "bar" (no entry: blocked), "dots" (waiting), "triad" (a group deliberating), "arrow"
    (orientation), "pause" (away), "cross" (left); "" for none. `outline` is how the shape
    is edged: "thin", "heavy" or "dotted".
    """

    key: str
    label: str
    colour: str
    mark: str = ""
    outline: str = "thin"


WORKING = State("working", "working", BLUISH_GREEN)
BLOCKED = State("blocked", "blocked: waiting for a decision", VERMILLION, "bar", "heavy")
WAITING = State("waiting", "waiting for information", YELLOW, "dots")
DELIBERATING = State("deliberating", "deliberating (consensus)", REDDISH_PURPLE, "triad")
SOLVING = State("solving", "solving a problem, helping", REDDISH_PURPLE)
ORIENTING = State("orienting", "in orientation", BLACK, "arrow")
COORDINATING = State("coordinating", "coordinating, meeting", SKY_BLUE)
DECIDING = State("deciding", "deciding, escalating", ORANGE)
COMMUNICATING = State("communicating", "messages, assigning", BLUE)
IDLE = State("idle", "idle", IDLE_GREY)
AWAY = State("away", "away (other work)", "#FFFFFF", "pause", "dotted")
DEPARTED = State("departed", "left the project", "#FFFFFF", "cross", "dotted")

STATES = (
    WORKING,
    BLOCKED,
    WAITING,
    DELIBERATING,
    SOLVING,
    ORIENTING,
    COORDINATING,
    DECIDING,
    COMMUNICATING,
    IDLE,
    AWAY,
    DEPARTED,
)
STATE_BY_KEY = {s.key: s for s in STATES}

# What a person's current activity (a plain state or the kind of in-tray item in hand)
# means on the network. Unknown kinds fall back on "communicating": a new item kind in the
# model shows as busy rather than breaking the page.
_ACTIVITY_STATE = {
    "working": WORKING,
    "blocked": BLOCKED,
    "waiting": WAITING,
    "idle": IDLE,
    "away": AWAY,
    "help": SOLVING,
    "self_fix": SOLVING,
    "confront": SOLVING,
    "deliberate": DELIBERATING,
    "orientation": ORIENTING,
    "coordinate": COORDINATING,
    "meeting": COORDINATING,
    "codecide": COORDINATING,
    "decide": DECIDING,
    "sign_off": DECIDING,
    "escalate": DECIDING,
    "arbitrate": DECIDING,
    "post": COMMUNICATING,
    "read": COMMUNICATING,
    "read_record": COMMUNICATING,
    "relay": COMMUNICATING,
    "assign": COMMUNICATING,
}


def state_of(activity: str, departed: bool = False, away: bool = False) -> State:
    """The displayed state of a person doing `activity`; `away` (off the project, on other
    work or unavailable) wins over the item put aside, `departed` over everything."""
    if departed:
        return DEPARTED
    if away:
        return AWAY
    return _ACTIVITY_STATE.get(activity, COMMUNICATING)


@dataclass(frozen=True)
class ContactStyle:
    """How a recent contact between two people is drawn (a lit edge)."""

    kind: str
    label: str
    colour: str


CONTACTS = (
    ContactStyle("message", "message", BLUE),
    ContactStyle("help", "help", REDDISH_PURPLE),
    ContactStyle("escalation", "escalation", VERMILLION),
    ContactStyle("coordination", "coordination", SKY_BLUE),
)
CONTACT_BY_KIND = {c.kind: c for c in CONTACTS}

# Policies in overlays and distributions: fixed colours for the presets so that a policy
# keeps its colour on every page; others take the remaining Okabe–Ito colours in turn.
POLICY_COLOURS = {"hierarchical": VERMILLION, "cooperative": BLUE, "self_managed": BLUISH_GREEN}
_MORE_POLICY_COLOURS = (ORANGE, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW)
POLICY_DASHES = {"hierarchical": "-", "cooperative": "--", "self_managed": ":"}


def policy_colour(name: str, others: list[str] | tuple[str, ...] = ()) -> str:
    """The colour of a policy; `others` (policies shown together) orders the extra colours."""
    if name in POLICY_COLOURS:
        return POLICY_COLOURS[name]
    extra = [p for p in others if p not in POLICY_COLOURS]
    # crc32, not hash(): str hashes change from one process to the next.
    index = extra.index(name) if name in extra else zlib.crc32(name.encode())
    return _MORE_POLICY_COLOURS[index % len(_MORE_POLICY_COLOURS)]


def department_tint(index: int) -> str:
    """The pale background colour of a department's cluster."""
    return DEPARTMENT_TINTS[index % len(DEPARTMENT_TINTS)]
