"""The dashboard's style sheet: sized for a 1280×720 projector, nothing scrolls but lists.

Kept as a Python string (not a .css file) so that it ships with the package without
package-data settings. Every page is a fixed-height flex layout: the app bar, then the
page, whose panels share the remaining height; long content (the feed, tables, a long
list of departments) scrolls inside its own box, never the page.
"""

CSS = """
html, body { margin: 0; }
.v-application { font-size: 15px; }
.orgsim-app { height: 100vh; display: flex; flex-direction: column; overflow: hidden; }
.orgsim-app .app-bar {
  height: 44px; flex: none; background: #1d3557; color: #fff;
  padding: 0 12px; align-items: center;
}
.orgsim-app .brand { font-size: 19px; font-weight: 700; margin-right: 18px; color: #fff; }
.orgsim-app .app-bar .v-btn { color: #fff !important; font-size: 15px; letter-spacing: 0.3px; }
.orgsim-app .app-bar .nav-active { background: rgba(255, 255, 255, 0.22); }
.orgsim-app .app-bar .bar-note { margin-left: auto; font-size: 13px; opacity: 0.9; }
.orgsim-app .app-body { flex: 1; min-height: 0; padding: 6px 10px 6px 10px; overflow: hidden; }
/* Solara puts the page inside a router div and a column: both must pass the height down. */
.orgsim-app .solara-autorouter-content {
  flex: 1; min-height: 0; display: flex; flex-direction: column;
}
.orgsim-app .solara-autorouter-content > .v-sheet { flex: 1; min-height: 0; }
.orgsim-app .page { flex: 1 1 auto; height: 100%; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .side-panel {
  width: 310px; flex: none; height: 100%; overflow-y: auto; padding-right: 4px;
}
.orgsim-app .side-panel .v-tabs { flex: none; }
.orgsim-app .side-panel .v-btn { text-transform: none; letter-spacing: 0; }
.orgsim-app .side-panel .v-window { padding-top: 4px; }
.orgsim-app .main { flex: 1; min-width: 0; height: 100%; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .play-bar { flex: none; flex-wrap: nowrap; min-height: 40px; }
.orgsim-app .play-bar .v-btn { text-transform: none; font-size: 15px; }
.orgsim-app .bar-label { font-size: 13px; color: #444; margin-left: 6px; white-space: nowrap; }
.orgsim-app .speed .v-btn { min-width: 34px !important; padding: 0 6px !important; }
.orgsim-app .day-counter { font-size: 18px; font-weight: 700; margin-left: 10px; white-space: nowrap; }
.orgsim-app .run-status { font-size: 14px; color: #444; white-space: nowrap; }
.orgsim-app .sim-top { flex: 1 1 auto; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .network-box { flex: 1; min-width: 0; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .network { flex: 1; min-height: 0; }
.orgsim-app .network svg { display: block; }
.orgsim-app .legend { flex: none; }
.orgsim-app .side-figures { width: 330px; flex: none; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .kpi-grid { display: grid; gap: 5px; flex: none; }
.orgsim-app .kpi { border: 1px solid #cfcfcf; border-radius: 6px; padding: 2px 7px; background: #fafafa; }
.orgsim-app .kpi-label { font-size: 12px; color: #333; line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.orgsim-app .kpi-value { font-size: 22px; font-weight: 700; line-height: 1.2; }
.orgsim-app .feed {
  flex: 1; min-height: 0; overflow-y: auto; font-size: 13px; line-height: 1.35;
  border: 1px solid #e0e0e0; border-radius: 6px; padding: 4px 6px;
}
.orgsim-app .feed-title { font-size: 13px; font-weight: 600; flex: none; }
.orgsim-app .feed-entry { margin-bottom: 2px; }
.orgsim-app .feed-day { color: #555; font-variant-numeric: tabular-nums; }
.orgsim-app .feed-change { border-left: 4px solid #222; padding-left: 5px; font-weight: 600; }
.orgsim-app .feed-empty { color: #666; }
.orgsim-app .charts { flex: none; height: 250px; flex-wrap: nowrap; }
.orgsim-app .charts > * { flex: 1; min-width: 0; }
.orgsim-app .panel-subtitle { font-size: 13px; font-weight: 700; margin-top: 6px; display: block; }
.orgsim-app .hint { font-size: 12px; color: #555; }
.orgsim-app .knob { flex-wrap: nowrap; min-height: 28px; }
.orgsim-app .knob-label { width: 112px; flex: none; font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.orgsim-app .knob-slider { flex: 1; margin: 0 !important; }
.orgsim-app .knob-value { width: 58px; flex: none; font-size: 13px; text-align: right; white-space: nowrap; }
.orgsim-app .stale { background: #fff3d6; border-radius: 6px; padding: 2px 6px; font-size: 13px; }
.orgsim-app .upload-errors { background: #fdecea; border-left: 4px solid #D55E00; padding: 4px 6px; margin-top: 4px; }
.orgsim-app .error-line { font-family: monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.orgsim-app table.mechanisms { font-size: 13px; border-collapse: collapse; width: 100%; }
.orgsim-app table.mechanisms td { padding: 0 4px; }
.orgsim-app .v-input--dense .v-label { font-size: 14px; }
.orgsim-app .v-select.v-input--dense, .orgsim-app .v-text-field.v-input--dense { margin-top: 2px; padding-top: 4px; }
.orgsim-app .v-messages { display: none; }
.orgsim-app .v-text-field__details { display: none; }
.orgsim-app .compare-bar { flex: none; flex-wrap: nowrap; align-items: center; }
.orgsim-app .compare-columns { flex: 1 1 auto; min-height: 0; flex-wrap: nowrap; }
.orgsim-app .policy-column {
  flex: 1; min-width: 0; min-height: 0; border: 1px solid #d8d8d8; border-radius: 6px;
  padding: 2px 6px; flex-wrap: nowrap;
}
.orgsim-app .policy-title { font-size: 16px; font-weight: 700; white-space: nowrap; }
.orgsim-app .policy-stats { font-size: 13px; line-height: 1.3; }
.orgsim-app .compare-bottom { flex: none; height: 250px; flex-wrap: nowrap; }
.orgsim-app .compare-bottom > * { flex: 1; min-width: 0; }
.orgsim-app .page-headline { font-size: 14px; flex: none; }
.orgsim-app .data-table { overflow: auto; font-size: 13px; min-height: 0; }
.orgsim-app .data-table table { border-collapse: collapse; width: 100%; }
.orgsim-app .data-table th, .orgsim-app .data-table td {
  padding: 1px 6px; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap;
}
.orgsim-app .data-table th:first-child, .orgsim-app .data-table td:first-child { text-align: left; }
.orgsim-app .data-table th { position: sticky; top: 0; background: #f3f3f3; }
.orgsim-app .figures { flex: none; flex-wrap: nowrap; }
.orgsim-app .figures > * { min-width: 0; overflow: hidden; }
.orgsim-app .figures img { width: 100%; height: auto; max-height: 290px; object-fit: contain; }
.orgsim-app .downloads { flex-wrap: wrap; align-items: center; flex: none; }
.orgsim-app .downloads .v-btn { text-transform: none; font-size: 13px; padding: 0 6px; }
.orgsim-app .notice { font-size: 15px; max-width: 760px; }
"""
