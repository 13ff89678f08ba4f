"""The dashboard's style sheet: sized for a projector, nothing scrolls but lists.

Kept as a Python string (not a .css file) so that it ships with the package without
package-data settings. Every page is a fixed-height flex layout: the app bar, then the
page, whose panels share the remaining height; long content (the feed, tables, a long
list of departments) scrolls inside its own box, never the page.

Legible from the back of a room: no text under 16 px (labels, legends, tables, buttons,
menus; the charts use the same size, see dashboards/charts.py). The organisation's network
takes the most room. Narrow or short windows (1024×768, or 1280×720 at 125% zoom, which
is 1024×576) keep the clock and the status in view: the control bar wraps, the side
panels narrow and the charts shorten. Presentation mode (`.presenting`) hides the set-up
panels and enlarges the type.
"""

MIN_FONT_PX = 16  # the smallest text on any page (checked by the browser tests)

CSS = """
html, body { margin: 0; }
.v-application { font-size: 16px; }
.orgsim-app { height: 100vh; display: flex; flex-direction: column; overflow: hidden; }
.orgsim-app .v-btn { font-size: 16px !important; text-transform: none; letter-spacing: 0; }
.orgsim-app .v-tab { font-size: 16px; text-transform: none; letter-spacing: 0; }
.orgsim-app .v-label, .orgsim-app .v-input input, .orgsim-app .v-select__selection,
.orgsim-app .v-input__slot { font-size: 16px !important; }
.orgsim-app .v-input--dense .v-label { font-size: 16px; }
/* Vuetify shrinks a field's label to 75% once it holds a value: keep it at full size, above. */
.orgsim-app .v-text-field .v-label--active { transform: translateY(-21px) scale(1) !important; }
.orgsim-app .v-text-field.v-input--dense { padding-top: 14px !important; margin-top: 0 !important; }
.v-menu__content .v-list-item__title, .v-menu__content .v-list-item { font-size: 16px !important; }
/* Tooltips (Vuetify's, and the page's own for drawings: components/screen.py) live
   outside the app's box, at the end of the page: legible from the back like the rest. */
.v-tooltip__content, .orgsim-tip { font-size: 16px !important; line-height: 1.35; }
.orgsim-tip {
  position: fixed; z-index: 1000; max-width: 420px; padding: 5px 16px; border-radius: 4px;
  background: rgba(97, 97, 97, 0.95); color: #fff; pointer-events: none;
}
.orgsim-app .app-bar {
  height: 46px; flex: none; background: #1d3557; color: #fff;
  padding: 0 12px; align-items: center; flex-wrap: nowrap;
}
.orgsim-app .brand { font-size: 20px; font-weight: 700; margin-right: 14px; color: #fff; }
.orgsim-app .app-bar .v-btn { color: #fff !important; }
.orgsim-app .app-bar .nav-active { background: rgba(255, 255, 255, 0.22); }
.orgsim-app .app-bar .bar-note { margin-left: auto; font-size: 16px; opacity: 0.9; white-space: nowrap; }
.orgsim-app .app-bar .present-button { margin-left: 12px; }
.orgsim-app .app-body { flex: 1; min-height: 0; padding: 6px 10px 6px 10px; overflow: hidden; }
/* Solara puts the page inside a router div and a column: both must pass the height down. */
.orgsim-app .solara-autorouter-content {
  flex: 1; min-height: 0; display: flex; flex-direction: column;
}
.orgsim-app .solara-autorouter-content > .v-sheet { flex: 1; min-height: 0; }
.orgsim-app .page { flex: 1 1 auto; height: 100%; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .side-panel {
  width: 300px; flex: none; height: 100%; overflow-y: auto; padding-right: 4px;
}
.orgsim-app .side-panel .v-tabs { flex: none; }
.orgsim-app .side-panel .v-tab { min-width: 0; padding: 0 8px; }
.orgsim-app .side-panel .v-window { padding-top: 4px; }
/* Rows of buttons in the side panel wrap rather than run out of it. */
.orgsim-app .wrap-row { flex-wrap: wrap !important; row-gap: 4px; }
.orgsim-app .side-panel .v-btn-toggle { flex-wrap: wrap; }
.orgsim-app .main { flex: 1; min-width: 0; height: 100%; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .play-bar { flex: none; flex-wrap: wrap; min-height: 40px; row-gap: 2px; }
.orgsim-app .bar-label { font-size: 16px; color: #333; margin-left: 4px; white-space: nowrap; }
.orgsim-app .speed .v-btn { min-width: 34px !important; padding: 0 6px !important; }
.orgsim-app .day-counter { font-size: 22px; font-weight: 700; margin-left: 8px; white-space: nowrap; }
.orgsim-app .run-status { font-size: 18px; font-weight: 600; color: #1d3557; white-space: nowrap; }
.orgsim-app .sim-top { flex: 1 1 auto; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .network-box { flex: 1; min-width: 0; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .network { flex: 1; min-height: 0; }
.orgsim-app .network svg { display: block; }
.orgsim-app .legend { flex: none; }
.orgsim-app .org-legend { font-size: 16px; line-height: 1.3; }
.orgsim-app .side-figures { width: 300px; flex: none; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .kpi-grid { display: grid; gap: 4px; flex: none; }
.orgsim-app .kpi { border: 1px solid #cfcfcf; border-radius: 6px; padding: 1px 7px; background: #fafafa; min-width: 0; }
.orgsim-app .kpi-label { font-size: 16px; color: #333; line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.orgsim-app .kpi-value { font-size: 24px; font-weight: 700; line-height: 1.2; }
.orgsim-app .feed-box { flex: 1; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .feed {
  flex: 1; min-height: 0; overflow-y: auto; font-size: 16px; line-height: 1.35;
  border: 1px solid #e0e0e0; border-radius: 6px; padding: 4px 6px;
}
.orgsim-app .feed-title { font-size: 16px; font-weight: 700; flex: none; }
.orgsim-app .feed-entry { margin-bottom: 2px; }
.orgsim-app .feed-day { color: #555; font-variant-numeric: tabular-nums; }
.orgsim-app .feed-change { border-left: 4px solid #222; padding-left: 5px; font-weight: 600; }
.orgsim-app .feed-pinned {
  flex: none; font-size: 16px; line-height: 1.3; overflow: hidden;
  background: #f4f4f4; border-radius: 6px; padding: 1px 6px;
}
/* One line each (the full text is in the feed below and in the tooltip). */
.orgsim-app .feed-pinned .feed-entry { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; margin: 0; }
.orgsim-app .feed-pin { font-weight: 600; }
.orgsim-app .feed-count { font-weight: 700; color: #1d3557; }
.orgsim-app .feed-empty { color: #555; }
.orgsim-app .charts { flex: none; height: 210px; flex-wrap: nowrap; }
.orgsim-app .charts > * { flex: 1; min-width: 0; }
.orgsim-app .panel-subtitle { font-size: 16px; font-weight: 700; margin-top: 6px; display: block; }
.orgsim-app .hint { font-size: 16px; color: #444; }
.orgsim-app .knob { flex-wrap: nowrap; min-height: 30px; }
.orgsim-app .knob-label { width: 128px; flex: none; font-size: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.orgsim-app .knob-slider { flex: 1; margin: 0 !important; }
.orgsim-app .knob-value { width: 62px; flex: none; font-size: 16px; text-align: right; white-space: nowrap; }
.orgsim-app .stale { background: #fff3d6; border-radius: 6px; padding: 2px 6px; font-size: 16px; }
.orgsim-app .upload-errors { background: #fdecea; border-left: 4px solid #D55E00; padding: 4px 6px; margin-top: 4px; }
.orgsim-app .error-line { font-family: monospace; font-size: 16px; white-space: pre-wrap; word-break: break-word; }
.orgsim-app .v-alert { font-size: 16px; }
/* Vuetify sets code to 85% with a rule of the same weight: whichever style sheet loads
   last would win, so this one must not depend on the order. */
.orgsim-app code, .orgsim-app pre, .orgsim-app kbd { font-size: 16px !important; }
.orgsim-app table.mechanisms { font-size: 16px; border-collapse: collapse; width: 100%; }
.orgsim-app table.mechanisms td { padding: 0 4px; }
.orgsim-app .v-messages { display: none; }
.orgsim-app .v-text-field__details { display: none; }
.orgsim-app .compare-bar { flex: none; flex-wrap: wrap; align-items: center; row-gap: 0; }
.orgsim-app .compare-shocks { align-items: center; flex: none; }
.orgsim-app .shock-note { font-size: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 360px; }
.orgsim-app .compare-columns { flex: 1 1 auto; min-height: 0; flex-wrap: nowrap; }
/* Compare's knobs (the Knobs button): the side panel of Simulate, narrower, so that each
   policy keeps its name and standing on one line above its network. */
.orgsim-app .compare-knobs { width: 260px; }
.orgsim-app .compare-knobs .knob-label { width: 114px; }
.orgsim-app .compare-knobs .knob-value { width: 58px; }
.orgsim-app .policy-column {
  flex: 1; min-width: 0; min-height: 0; border: 1px solid #d8d8d8; border-radius: 6px;
  padding: 2px 6px; flex-wrap: nowrap;
}
.orgsim-app .policy-title { font-size: 20px; font-weight: 700; white-space: nowrap; }
.orgsim-app .policy-stats { font-size: 16px; line-height: 1.3; }
.orgsim-app .policy-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.orgsim-app .standing { margin-left: auto; font-size: 20px; font-weight: 700; color: #333; white-space: nowrap; }
.orgsim-app .standing-gap { font-size: 18px; font-weight: 600; color: #555; }
.orgsim-app .standing-ahead .standing-gap { color: #007a55; }
.orgsim-app .cost-bars { flex: none; }
.orgsim-app .cost-bar { display: flex; align-items: center; gap: 6px; font-size: 16px; line-height: 1.3; }
.orgsim-app .cost-label { width: 11.5em; flex: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.orgsim-app .cost-track { flex: 1; height: 12px; background: #eee; border-radius: 3px; min-width: 20px; }
.orgsim-app .cost-fill { display: block; height: 100%; border-radius: 3px; }
.orgsim-app .cost-value { width: 4.5em; flex: none; text-align: right; font-variant-numeric: tabular-nums; }
.orgsim-app .compare-bottom { flex: none; height: 240px; flex-wrap: nowrap; }
.orgsim-app .compare-bottom > * { flex: 1; min-width: 0; }
.orgsim-app .page-headline { font-size: 16px; flex: none; }
.orgsim-app .typical-headline { font-weight: 600; }
.orgsim-app .typical-note { font-size: 16px; background: #fff3d6; border-radius: 6px; padding: 0 6px; }
.orgsim-app .data-table { overflow: auto; font-size: 16px; min-height: 0; }
.orgsim-app .data-table table { border-collapse: collapse; width: 100%; }
.orgsim-app .data-table th, .orgsim-app .data-table td {
  padding: 1px 6px; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap;
}
.orgsim-app .data-table th:first-child, .orgsim-app .data-table td:first-child { text-align: left; }
.orgsim-app .data-table th { position: sticky; top: 0; background: #f3f3f3; }
.orgsim-app .data-table td.best { font-weight: 700; background: #e3f1e8; }
.orgsim-app .figures { flex: none; flex-wrap: nowrap; }
.orgsim-app .figures > * { min-width: 0; overflow: hidden; }
.orgsim-app .figures img { width: 100%; height: auto; max-height: 290px; object-fit: contain; }
.orgsim-app .downloads { flex-wrap: wrap; align-items: center; flex: none; }
.orgsim-app .downloads .v-btn { padding: 0 6px; }
.orgsim-app .notice { font-size: 16px; max-width: 760px; }

/* Presentation mode: the set-up panels go, the type grows, the network gets the room. */
.orgsim-app.presenting .side-panel, .orgsim-app.presenting .compare-bar { display: none !important; }
.orgsim-app.presenting .day-counter { font-size: 28px; }
.orgsim-app.presenting .run-status { font-size: 22px; }
.orgsim-app.presenting .kpi-label { font-size: 18px; }
.orgsim-app.presenting .kpi-value { font-size: 30px; }
.orgsim-app.presenting .feed, .orgsim-app.presenting .feed-title, .orgsim-app.presenting .feed-pinned,
.orgsim-app.presenting .org-legend, .orgsim-app.presenting .policy-stats,
.orgsim-app.presenting .data-table, .orgsim-app.presenting .page-headline { font-size: 19px; }
.orgsim-app.presenting .policy-title { font-size: 24px; }
.orgsim-app.presenting .standing { font-size: 26px; }
.orgsim-app.presenting .side-figures { width: 340px; }

/* Narrow windows (1024 wide, or zoomed): narrower panels, no tagline. */
@media (max-width: 1180px) {
  .orgsim-app .app-bar .bar-note { display: none; }
  .orgsim-app .app-bar .present-button { margin-left: auto; }
  .orgsim-app .side-panel { width: 260px; }
  .orgsim-app .side-figures { width: 250px; }
  .orgsim-app .knob-label { width: 96px; }
  .orgsim-app .policy-title { font-size: 18px; }
  .orgsim-app .standing { font-size: 17px; }
  .orgsim-app .standing-gap { font-size: 16px; }
  .orgsim-app .cost-label { width: 9.5em; }
}
/* Short windows (1280×720 at 125% zoom is 1024×576): shorter charts and tables, and
   Compare's cost bars give way to the networks (the KPI table has the same figures). */
@media (max-height: 650px) {
  .orgsim-app .charts { height: 160px; }
  .orgsim-app .compare-bottom { height: 170px; }
  .orgsim-app .cost-bars { display: none; }
}
"""
