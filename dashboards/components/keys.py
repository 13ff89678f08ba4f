"""Keys for the person at the front: the space bar plays and pauses, → steps one hour.

A small Vue template listens on the whole window (a clicker or a keyboard, whatever has
the focus) and hands the key to Python through a synced trait. Keys typed into a field
(a seed, a select, a slider moved with the arrows) are left to that field. The space bar's
default action is cancelled, so a button that still has the focus after a click is not
pressed a second time.
"""

from __future__ import annotations

from collections.abc import Callable

import ipyvuetify as v
import solara
import traitlets

_LISTENER = """
<template><span class="key-listener" style="display:none"></span></template>
<script>
module.exports = {
  mounted() {
    const typing = (el) => el && el.closest &&
      el.closest('input, textarea, select, [contenteditable], [role=slider], .v-select');
    this.onKey = (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      const key = event.key === ' ' ? 'space' : event.key;
      if (key !== 'space' && key !== 'ArrowRight') return;
      event.preventDefault();
      if (event.type === 'keydown' && !event.repeat) {
        if (key === 'space') { this.spaces = this.spaces + 1; }
        else { this.steps = this.steps + 1; }
      }
    };
    window.addEventListener('keydown', this.onKey, true);
    window.addEventListener('keyup', this.onKey, true);
  },
  destroyed() {
    window.removeEventListener('keydown', this.onKey, true);
    window.removeEventListener('keyup', this.onKey, true);
  },
};
</script>
"""


class KeyListenerWidget(v.VuetifyTemplate):
    """The template above. It counts presses (`spaces`, `steps`) rather than reporting each
    one: quick presses may reach the server as one update, and a count loses none."""

    template = traitlets.Unicode(_LISTENER).tag(sync=True)
    spaces = traitlets.Int(0).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)


@solara.component
def KeyListener(on_play_pause: Callable[[], None], on_step: Callable[[], None]):
    """Space: `on_play_pause`; →: `on_step` (once per press)."""
    seen = solara.use_ref({"spaces": 0, "steps": 0})

    def counted(name: str, action: Callable[[], None]) -> Callable[[int], None]:
        def pressed(count: int) -> None:
            new = count - seen.current[name]
            seen.current[name] = count
            for _ in range(max(new, 0)):
                action()

        return pressed

    return KeyListenerWidget.element(
        on_spaces=counted("spaces", on_play_pause), on_steps=counted("steps", on_step)
    )
