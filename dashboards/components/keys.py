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
        this.presses = this.presses + 1;
        this.pressed = key + ' ' + this.presses;
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
    """The template above; `pressed` is "KEY N" for the N-th press seen."""

    template = traitlets.Unicode(_LISTENER).tag(sync=True)
    pressed = traitlets.Unicode("").tag(sync=True)
    presses = traitlets.Int(0).tag(sync=True)


@solara.component
def KeyListener(on_play_pause: Callable[[], None], on_step: Callable[[], None]):
    """Space: `on_play_pause`; →: `on_step`."""

    def pressed(value: str) -> None:
        key = value.split(" ")[0]
        if key == "space":
            on_play_pause()
        elif key == "ArrowRight":
            on_step()

    return KeyListenerWidget.element(on_pressed=pressed)
