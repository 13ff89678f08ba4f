"""The orgsim dashboard: a Solara app for trainers and consultants.

Pages: Simulate (one live run), Compare (policies side by side, in lockstep) and
Experiments (results folders written by `orgsim sweep`). `orgsim dashboard` serves
`dashboards.app`; nothing else in orgsim imports this package.

Modules with one job each: `palette` (colours and states), `org_layout` (where each person
sits), `org_drawing` (the organisation as SVG), `charts` and `result_charts` (matplotlib),
`knobs` (slider settings as scenario overrides, scenario YAML), `uploads`, `simulation`
(a run and runs in lockstep, safe to drive from two threads), `typical` (the typical-run
search), `results` (reading results folders), `state` (per-session state), `theme` (the
style sheet), `app` (the Solara entry point), the Solara `components/` and `pages/`, and
`serving` (starting `orgsim dashboard` from a script: the browser tests, the benchmark).
"""
