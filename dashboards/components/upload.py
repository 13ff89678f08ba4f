"""The scenario upload field: a file picker whose file is read only when small enough.

Built on ipyvuetify's FileInput (a plain `<input type=file>`, so a keyboard, a mouse and
Playwright can all use it) the way Solara builds FileDrop: the browser sends the file's
name and size first; the bytes are fetched in a background thread, and only after
`dashboards.uploads` has accepted the size.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara
import traitlets
from ipyvuetify.extra import FileInput

from dashboards.uploads import MAX_UPLOAD_BYTES, UploadRefused, read_upload

_TEMPLATE = """
<template>
  <v-file-input
    v-model="myfiles"
    :accept="accept"
    :label="label"
    class="scenario-upload"
    prepend-icon="mdi-upload"
    dense
    outlined
    hide-details
    show-size
    @change="setFiles"
  />
</template>
<script>
module.exports = {
  created() {
    this.chunk_size = 2 * 1024 * 1024;
  },
  methods: {
    setFiles(e) {
      if (!e) {
        this.native_file_info = [];
        this.file_info = [];
        return;
      }
      this.native_file_info = e instanceof File ? [e] : e;
      this.file_info = this.native_file_info.map(({ name, size }) => ({ name, size }));
    },
    jupyter_clear() {
      this.myfiles = undefined;
      this.setFiles(false);
    },
    jupyter_read(chunk) {
      const { id, file_index, offset, length } = chunk;
      let to_do = length;
      let sub_offset = offset;
      (async () => {
        while (to_do > 0) {
          const sub_length = Math.min(to_do, this.chunk_size);
          const file = this.native_file_info[file_index];
          const blob = file.slice(sub_offset, sub_offset + sub_length);
          const buff = await blob.arrayBuffer();
          this.upload({ id, file_index, offset: sub_offset, length: sub_length }, [buff]);
          to_do -= sub_length;
          sub_offset += sub_length;
        }
      })();
    },
  },
};
</script>
"""


class ScenarioFileInput(FileInput):
    """FileInput with a label, compact, one file at a time."""

    template = traitlets.Unicode(_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Scenario file (at most 1 MB)").tag(sync=True)


@solara.component
def ScenarioUpload(on_scenario: Callable, on_refused: Callable[[list[str]], None]):
    """A file field; calls `on_scenario(name, scenario)` or `on_refused(lines)`."""
    file_info, set_file_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    picker = ScenarioFileInput.element(
        accept=".yaml,.yml,.toml", multiple=False, show_progress=False, on_file_info=set_file_info
    )

    def wire() -> None:
        # In the render context (the widget is reachable only there): as Solara's FileDrop
        # does, a new version makes earlier readers give up, then file handles are made.
        if not file_info:
            return
        widget = solara.get_widget(picker)
        widget.version += 1
        widget.reset_stats()
        set_wired(widget.get_files(timeout=20))

    solara.use_effect(wire, [file_info])

    def receive(cancel: threading.Event) -> None:
        # In a thread: the bytes arrive over the same connection the page uses.
        if not wired:
            return
        first = wired[0]
        try:
            name = str(first.get("name", "upload"))
            size = int(first.get("size", MAX_UPLOAD_BYTES + 1))
            scenario = read_upload(name, size, first["file_obj"].read)
        except UploadRefused as refused:
            on_refused(refused.lines)
            return
        except Exception as exc:  # whatever the transfer did, the session goes on
            on_refused([f"error: the upload failed ({type(exc).__name__})"])
            return
        if not cancel.is_set():
            on_scenario(name, scenario)

    solara.use_thread(receive, [wired], intrusive_cancel=False)
    return picker
