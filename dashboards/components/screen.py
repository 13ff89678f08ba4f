"""Page-wide scripts of the app's layout: no formula library fetched, network labels legible,
tooltips a room can read.

All live in one small Vue template rendered once by the layout (dashboards/app.py); none
touches the server.

- Solara's Markdown component loads KaTeX from a CDN through the server when it finds no
  formula renderer in the page; solara-assets does not bundle KaTeX, so offline the server
  would log failed fetches. The dashboard shows no formulas: an empty renderer is set first.
- The organisation is an SVG scaled to its box, so its labels (department names, in-tray
  badges) shrink with it: three networks side by side, a 1024-pixel screen. After every
  redraw, the labels are resized to at least 16 screen pixels; a department name wider
  than its box (plus the gap beside it) is condensed to fit rather than overlap.
- Tooltips: the browser's own (`title`) come late and in small print, useless on a
  projector. Widgets use Vuetify's tooltip (solara.Tooltip); drawings and HTML redrawn
  every frame (the people of the network, the KPI cards, pinned changes) carry their text
  in `data-tip`, and one tooltip of the page, styled like Vuetify's and as large, shows it
  as soon as the pointer is over them.
"""

from __future__ import annotations

import ipyvuetify as v
import solara
import traitlets

_SCRIPTS = """
<template><span class="page-scripts" style="display:none"></span></template>
<script>
module.exports = {
  created() {
    if (!window.renderMathInElement) { window.renderMathInElement = function () {}; }
  },
  mounted() {
    const MIN_PX = 16;
    const fit = () => {
      this.pending = false;
      document.querySelectorAll('svg.org-network').forEach((svg) => {
        const m = svg.getScreenCTM();
        const scale = m ? Math.hypot(m.a, m.b) : 1;
        if (!scale) return;
        svg.querySelectorAll('text.department-name').forEach((text) => {
          const size = Math.max(17, MIN_PX / scale);
          if (text.getAttribute('font-size') !== String(size)) {
            text.setAttribute('font-size', String(size));
          }
          text.removeAttribute('textLength');
          const room = parseFloat(text.getAttribute('data-fit'));
          if (room && text.getComputedTextLength() > room) {
            text.setAttribute('textLength', String(room));
            text.setAttribute('lengthAdjust', 'spacingAndGlyphs');
          }
        });
        svg.querySelectorAll('g.queue').forEach((badge) => {
          const k = Math.max(1, MIN_PX / (16 * scale));
          const x = badge.getAttribute('data-x'), y = badge.getAttribute('data-y');
          badge.setAttribute('transform',
            `translate(${x} ${y}) scale(${k}) translate(${-x} ${-y})`);
        });
      });
    };
    this.schedule = () => {
      if (!this.pending) { this.pending = true; window.requestAnimationFrame(fit); }
    };
    this.observer = new MutationObserver(this.schedule);
    this.observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener('resize', this.schedule);
    this.schedule();

    const tip = document.createElement('div');
    tip.className = 'orgsim-tip';
    tip.setAttribute('role', 'tooltip');
    tip.style.display = 'none';
    document.body.appendChild(tip);
    this.tip = tip;
    this.showTip = (event) => {
      const target = event.target.closest ? event.target.closest('[data-tip]') : null;
      if (!target) { tip.style.display = 'none'; return; }
      tip.textContent = target.getAttribute('data-tip');
      tip.style.display = 'block';
      // Below the element, or above it near the bottom; always inside the window.
      const box = target.getBoundingClientRect();
      const w = tip.offsetWidth, h = tip.offsetHeight;
      const left = Math.min(Math.max(4, box.left + box.width / 2 - w / 2),
        window.innerWidth - w - 4);
      let top = box.bottom + 6;
      if (top + h > window.innerHeight - 4) top = Math.max(4, box.top - h - 6);
      tip.style.left = `${left}px`;
      tip.style.top = `${top}px`;
    };
    this.hideTip = () => { tip.style.display = 'none'; };
    document.addEventListener('mouseover', this.showTip);
    document.addEventListener('mouseleave', this.hideTip);
  },
  destroyed() {
    this.observer.disconnect();
    window.removeEventListener('resize', this.schedule);
    document.removeEventListener('mouseover', this.showTip);
    document.removeEventListener('mouseleave', this.hideTip);
    this.tip.remove();
  },
};
</script>
"""


class PageScriptsWidget(v.VuetifyTemplate):
    """The template above."""

    template = traitlets.Unicode(_SCRIPTS).tag(sync=True)


@solara.component
def PageScripts():
    """No KaTeX fetched; network labels at least 16 screen pixels; `data-tip` tooltips."""
    return PageScriptsWidget.element()
