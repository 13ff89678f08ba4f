"""The organisation drawn as SVG: clusters, chain of command, people's states, lit contacts.

SVG built here rather than by a chart library: it needs no JavaScript (so it works
offline with the bundled front end), costs well under a millisecond per person, stays
sharp on a projector at any size, and gives each person a tooltip. The layout comes from
`org_layout` (computed once per run); the states from a `Frame`.
"""

from __future__ import annotations

from html import escape

from dashboards.org_layout import OrgLayout
from dashboards.palette import (
    CONTACT_BY_KIND,
    CONTACTS,
    INK,
    MUTED,
    STATE_BY_KEY,
    STATES,
    department_tint,
)
from dashboards.simulation import LIT_HOURS, Frame

SCALE = 40.0  # pixels of the SVG's own coordinates per layout unit
PERSON_RADIUS = 12.0
MANAGER_SIDE = 26.0
MAX_BOW = 45.0  # the most a lit contact curves away from a straight line


def _xy(layout: OrgLayout, uid: int) -> tuple[float, float]:
    x, y = layout.positions[uid]
    return x * SCALE, y * SCALE


def _glyph(x: float, y: float, state: str, manager: bool, scale: float = 1.0) -> str:
    """The shape of one person: circles for collaborators, squares for managers.

    Besides colour, each state the room asks about has a sign inside (palette.State.mark)
    and some an outline of their own, so that they read without colour and from the back.
    """
    look = STATE_BY_KEY[state]
    stroke, width, dash = INK, 1.2 * scale, ""
    if look.outline == "heavy":
        width = 3.2 * scale
    elif look.outline == "dotted":
        stroke, dash = MUTED, f' stroke-dasharray="{2.5 * scale:g} {2 * scale:g}"'
        width = 1.6 * scale
    style = f'fill="{look.colour}" stroke="{stroke}" stroke-width="{width:g}"{dash}'
    if manager:
        side = MANAGER_SIDE * scale
        shape = (
            f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}" rx="{4 * scale:.1f}" {style}/>'
        )
    else:
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{PERSON_RADIUS * scale:.1f}" {style}/>'
    return shape + _mark(x, y, look.mark, PERSON_RADIUS * scale * 0.62, scale)


# The sign's ink on each fill: white on the dark and saturated fills, ink on the light ones.
_MARK_INK = {"bar": "#ffffff", "dots": INK, "triad": "#ffffff", "arrow": "#ffffff"}


def _mark(x: float, y: float, mark: str, r: float, scale: float) -> str:
    """The sign inside a person (palette.State.mark), `r` its half-size."""
    ink = _MARK_INK.get(mark, MUTED)
    if mark == "bar":  # a no-entry bar
        return (
            f'<rect class="mark" data-mark="bar" x="{x - r:.1f}" y="{y - r * 0.3:.1f}" '
            f'width="{2 * r:.1f}" height="{r * 0.6:.1f}" fill="{ink}"/>'
        )
    if mark == "dots":  # "…": waiting
        dot = r * 0.28
        return "".join(
            f'<circle class="mark" data-mark="dots" cx="{x + dx * r * 0.7:.1f}" cy="{y:.1f}" '
            f'r="{dot:.1f}" fill="{ink}"/>'
            for dx in (-1, 0, 1)
        )
    if mark == "triad":  # three people round a table: deliberating together
        dot = r * 0.32
        points = ((0.0, -0.65), (-0.6, 0.45), (0.6, 0.45))
        return "".join(
            f'<circle class="mark" data-mark="triad" cx="{x + dx * r:.1f}" '
            f'cy="{y + dy * r:.1f}" r="{dot:.1f}" fill="{ink}"/>'
            for dx, dy in points
        )
    if mark == "arrow":  # a compass needle: being oriented
        return (
            f'<path class="mark" data-mark="arrow" d="M{x:.1f},{y - r:.1f}L{x + r * 0.7:.1f},'
            f'{y + r * 0.8:.1f}L{x:.1f},{y + r * 0.35:.1f}L{x - r * 0.7:.1f},{y + r * 0.8:.1f}Z" '
            f'fill="{ink}"/>'
        )
    if mark == "pause":  # two bars: away, the project paused for them
        w = r * 0.38
        return "".join(
            f'<rect class="mark" data-mark="pause" x="{x + dx:.1f}" y="{y - r * 0.8:.1f}" '
            f'width="{w:.1f}" height="{r * 1.6:.1f}" fill="{ink}"/>'
            for dx in (-r * 0.55 - w / 2, r * 0.55 - w / 2)
        )
    if mark == "cross":  # left the project
        return (
            f'<path class="mark" data-mark="cross" d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},'
            f'{y + r:.1f}M{x - r:.1f},{y + r:.1f}L{x + r:.1f},{y - r:.1f}" stroke="{ink}" '
            f'stroke-width="{2 * scale:g}"/>'
        )
    return ""


def org_svg(frame: Frame, layout: OrgLayout, label: str = "organisation") -> str:
    """The whole organisation at the moment of `frame`, as an SVG element that fills its box."""
    width, height = layout.width * SCALE, layout.height * SCALE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" height="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-label="{escape(label)}" class="org-network" font-family="sans-serif">'
    ]
    for cluster in layout.clusters:
        x0, y0 = cluster.x0 * SCALE, cluster.y0 * SCALE
        w, h = (cluster.x1 - cluster.x0) * SCALE, (cluster.y1 - cluster.y0) * SCALE
        parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" rx="10" '
            f'fill="{department_tint(cluster.index)}" stroke="#9a9a9a" stroke-width="1"/>'
            f'<text class="department-name" x="{x0 + w / 2:.1f}" y="{y0 + h - 9:.1f}" '
            f'text-anchor="middle" font-size="17" font-weight="600" fill="{INK}" '
            f'data-fit="{w + 2 * SCALE * 0.4:.0f}">{escape(cluster.name)}</text>'
        )
    for x0, y0, x1, y1 in layout.hierarchy:
        parts.append(
            f'<line x1="{x0 * SCALE:.1f}" y1="{y0 * SCALE:.1f}" x2="{x1 * SCALE:.1f}" '
            f'y2="{y1 * SCALE:.1f}" stroke="#7a7a7a" stroke-width="1.5"/>'
        )
    for a, b in layout.lateral:
        (xa, ya), (xb, yb) = _xy(layout, a), _xy(layout, b)
        parts.append(
            f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" y2="{yb:.1f}" '
            f'stroke="#9a9a9a" stroke-width="1" stroke-dasharray="4 4"/>'
        )
    parts.append(_lit_edges(frame, layout))
    for person in frame.people:
        if person.uid not in layout.positions:
            continue
        x, y = _xy(layout, person.uid)
        parts.append(
            # The page's own tooltip shows data-tip at once and large (components/screen.py);
            # an SVG <title> would be the browser's small, slow one.
            f'<g class="person" data-state="{person.state}" data-tip="{escape(person.tip)}">'
            f"{_glyph(x, y, person.state, person.manager)}</g>"
        )
        if person.manager and person.queue > 0:
            parts.append(_queue_badge(x, y, person.queue))
    parts.append("</svg>")
    return "".join(parts)


def _lit_edges(frame: Frame, layout: OrgLayout) -> str:
    """Contacts of the last few hours, newest brightest; one line per pair of people."""
    newest: dict[tuple[int, int], tuple[float, str]] = {}
    for age, a, b, kind in frame.contacts:
        if a == b or a not in layout.positions or b not in layout.positions:
            continue
        key = (min(a, b), max(a, b))
        if key not in newest or age < newest[key][0]:
            newest[key] = (age, kind)
    lines = []
    for (a, b), (age, kind) in sorted(newest.items(), key=lambda item: -item[1][0]):
        (xa, ya), (xb, yb) = _xy(layout, a), _xy(layout, b)
        style = CONTACT_BY_KIND.get(kind, CONTACTS[0])
        opacity = max(0.25, 1.0 - 0.75 * age / LIT_HOURS)
        lines.append(
            f'<path class="lit" data-kind="{style.kind}" d="{_bow(xa, ya, xb, yb)}" fill="none" '
            f'stroke="{style.colour}" stroke-width="3.5" stroke-linecap="round" '
            f'opacity="{opacity:.2f}"/>'
        )
    return "".join(lines)


def _bow(xa: float, ya: float, xb: float, yb: float) -> str:
    """A gently curved path from a to b, bowing upwards, so that a contact between two
    managers of one row does not run straight through the managers between them."""
    mx, my = (xa + xb) / 2, (ya + yb) / 2
    dx, dy = xb - xa, yb - ya
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    nx, ny = -dy / length, dx / length  # a unit normal of the segment
    if ny > 0 or (ny == 0 and nx > 0):
        nx, ny = -nx, -ny  # the one pointing up the page
    bow = min(0.18 * length, MAX_BOW)  # long contacts bow no more than short ones
    cx, cy = mx + bow * nx, max(my + bow * ny, 0.0)  # and never above the drawing
    return f"M{xa:.1f},{ya:.1f}Q{cx:.1f},{cy:.1f} {xb:.1f},{yb:.1f}"


def _queue_badge(x: float, y: float, queue: int) -> str:
    """The manager's in-tray: a dark badge with the number of items (the one in hand too)."""
    bx, by = x + MANAGER_SIDE / 2 + 2, y - MANAGER_SIDE / 2
    text = str(queue) if queue < 100 else "99+"
    radius = 12 if len(text) == 1 else 15
    return (
        f'<g class="queue" data-queue="{queue}" data-x="{bx:.1f}" data-y="{by:.1f}">'
        f'<circle cx="{bx:.1f}" cy="{by:.1f}" r="{radius}" fill="{INK}"/>'
        f'<text x="{bx:.1f}" y="{by + 5.5:.1f}" text-anchor="middle" '
        f'font-size="16" font-weight="700" fill="#ffffff">{text}</text></g>'
    )


def legend_svg(state: str, manager: bool = False) -> str:
    """A small swatch of one state for the legend (same glyph as on the network)."""
    size = 26  # large enough for the sign inside to read at the legend's 16 px
    glyph = _glyph(size / 2, size / 2, state, manager, scale=0.95)
    return f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}">{glyph}</svg>'


def legend_html(compact: bool = False) -> str:
    """The legend of states, shapes, the in-tray badge and lit contacts, as HTML."""
    item = (
        '<span style="display:inline-flex;align-items:center;gap:4px;margin-right:12px;'
        'white-space:nowrap">{swatch}<span>{label}</span></span>'
    )
    entries = [
        f'<span class="legend-state" data-state="{state.key}" style="display:inline-flex;'
        f'align-items:center;gap:4px;margin-right:12px;white-space:nowrap">'
        f"{legend_svg(state.key)}<span>{escape(state.label)}</span></span>"
        for state in STATES
    ]
    entries.append(
        item.format(
            swatch=(
                f'<svg width="24" height="24"><circle cx="12" cy="12" r="11" fill="{INK}"/>'
                '<text x="12" y="17.5" text-anchor="middle" font-size="16" font-weight="700" '
                'fill="#fff">3</text></svg>'
            ),
            label="manager (square): in-tray",
        )
    )
    for style in CONTACTS:
        entries.append(
            item.format(
                swatch=(
                    f'<svg width="24" height="10"><line x1="1" y1="5" x2="23" y2="5" '
                    f'stroke="{style.colour}" stroke-width="4" stroke-linecap="round"/></svg>'
                ),
                label=escape(style.label),
            )
        )
    # The type size comes from the style sheet (16 px, larger when presenting); `compact`
    # only tightens the spacing.
    gap = "0px" if compact else "2px"
    return (
        f'<div class="org-legend" style="display:flex;flex-wrap:wrap;row-gap:{gap}">'
        f"{''.join(entries)}</div>"
    )
