"""The sections of a sweep report that follow the paired gap across the design.

The gap is a policy's lead time minus the reference policy's, run by run on the same seed
(`experiments.summaries.paired_gaps`). Three sections:

- the gap against each varied parameter (figure and table: mean, 95% CI, wins in k of n);
- main effects: how far each parameter moves each policy's lead time and each gap, from
  its first level to its last, with 95% CIs;
- interactions of two factors: a heatmap of the gap over two crossed parameters, and the
  interaction contrast with its CI (`experiments.statistics.interaction_contrast`).

Every interval pools the cells of a replicate first (the same seed meets every cell), then
takes Student's t over the replicates. Main effects and interactions need crossed levels:
they are drawn for factorial designs only.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import TYPE_CHECKING, Any

from experiments import figures
from experiments import report_html as markup
from experiments.display import parameter_label
from experiments.runs_table import LEAD_TIME

if TYPE_CHECKING:
    import pandas as pd

MAX_GAP_FIGURES = 12
MAX_INTERACTIONS = 3  # pairs of factors drawn (the first parameters of the experiment)
SAMPLED = ("lhs", "sobol", "morris")


def varied(context: Any) -> list[str]:
    """The experiment's parameters that take more than one value in the successful runs."""
    good = context.good
    return [k for k in context.manifest["parameters"] if k in good and good[k].nunique() > 1]


def crossed(context: Any) -> list[str]:
    """The varied parameters whose levels are crossed (a factorial design), else none."""
    return varied(context) if context.manifest["design"]["kind"] == "factorial" else []


def gap_against_parameters(context: Any, gaps: pd.DataFrame) -> str:
    """The paired gap of every policy against each varied parameter: figure and table."""
    from experiments.summaries import gap_by_level

    parameters = varied(context)
    if gaps.empty or not parameters:
        return ""
    reference = context.policies[0]
    others = [p for p in context.policies[1:] if p in set(gaps["policy"])]
    parts = []
    for i, key in enumerate(parameters[:MAX_GAP_FIGURES]):
        placed = gaps.assign(**{key: figures.binned(gaps[key])})
        by_level = gap_by_level(placed, key)
        name = parameter_label(key)
        image = context.figure(
            f"gap-parameter-{i + 1}",
            figures.paired_gap_against_parameter(by_level, key, context.policies, LEAD_TIME, name),
            f"paired difference in lead time against {name}",
        )
        rows = []
        for _, r in by_level.iterrows():
            rows.append(
                [
                    markup.escape(r["policy"]),
                    markup.plain(r[key]),
                    markup.signed(LEAD_TIME, r["mean"]),
                    markup.span(LEAD_TIME, r["ci_low"], r["ci_high"]),
                    f"{int(r['wins'])} of {int(r['pairs'])}",
                ]
            )
        table = markup.table(
            ["policy", name, f"minus {reference} (working days)", "95% CI", "wins"], rows
        )
        parts.append(f"<h3>{markup.escape(name)} ({markup.escape(key)})</h3>" + image + table)
    more = (
        f"<p>{len(parameters) - MAX_GAP_FIGURES} more parameters are not drawn.</p>"
        if len(parameters) > MAX_GAP_FIGURES
        else ""
    )
    intro = (
        f"Each policy's lead time minus {markup.escape(reference)}'s, run by run on the same "
        "seeds, at each value of a varied parameter (the other parameters averaged over). "
        "The line is the mean paired difference, the band its 95% confidence interval; "
        f"below 0 the policy finished earlier than {markup.escape(reference)}. Where the "
        "band leaves 0 the sweep tells the policies apart at that value. <em>Wins</em>: in "
        f"how many of the paired runs at that value the policy finished earlier. The "
        "interval is over the replications (each replication's pairs averaged first: the "
        f"same seed meets every cell). Policies: {', '.join(markup.escape(p) for p in others)}."
    )
    if context.manifest["design"]["kind"] in SAMPLED:
        intro += (
            " This design samples the parameters together and continuous values are grouped "
            "into bins: read the curves as rough shapes."
        )
    return markup.section(
        f"Paired difference to {reference} against each varied parameter",
        intro,
        "".join(parts) + more,
    )


def main_effects_table(context: Any) -> pd.DataFrame:
    """`experiments.summaries.main_effects` of the lead time over the crossed parameters."""
    import pandas as pd

    from experiments.summaries import main_effects

    parameters = crossed(context)
    if not parameters:
        return pd.DataFrame()
    return main_effects(context.good, parameters, LEAD_TIME, context.policies[0])


def main_effects_section(context: Any, effects: pd.DataFrame) -> str:
    """Main effects of each parameter on each policy's lead time and on each paired gap."""
    if effects.empty:
        return ""
    reference = context.policies[0]
    header = ["parameter", "from → to"]
    columns = [(p, "kpi") for p in context.policies]
    columns += [(p, "gap") for p in context.policies[1:]]
    header += [f"{p}: lead time" for p in context.policies]
    header += [f"{p} − {reference}" for p in context.policies[1:]]
    rows = []
    for parameter in dict.fromkeys(effects["parameter"]):
        part = effects.loc[effects["parameter"] == parameter]
        first = part.iloc[0]
        row = [
            markup.escape(parameter_label(parameter)),
            f"{markup.plain(first['low'])} → {markup.plain(first['high'])}",
        ]
        for policy, measure in columns:
            hit = part.loc[(part["policy"] == policy) & (part["measure"] == measure)]
            if hit.empty:
                row.append("")
                continue
            r = hit.iloc[0]
            row.append(
                f"{markup.signed(LEAD_TIME, r['mean'])} "
                f"({markup.span(LEAD_TIME, r['ci_low'], r['ci_high'])})"
            )
        rows.append(row)
    return markup.section(
        "Main effects",
        "How far the mean lead time moves when one parameter goes from its first level to its "
        "last, the other parameters averaged over, in working days with its 95% confidence "
        f"interval; then the same for each paired difference to {markup.escape(reference)}: "
        "a main effect on the difference means the parameter helps one policy more than the "
        "other. Each effect is computed replication by replication (the same seed at every "
        "level, so the project's own luck cancels) and the interval is over the replications.",
        markup.table(header, rows),
    )


def interactions_table(context: Any) -> pd.DataFrame:
    """The interaction contrast of each policy's gap for the first pairs of crossed
    parameters: first, second, low/high levels of each, policy, replicates, mean, ci_low,
    ci_high."""
    import pandas as pd

    from experiments.statistics import interaction_contrast
    from experiments.summaries import ordered_levels

    parameters = crossed(context)
    columns = ["first", "first_low", "first_high", "second", "second_low", "second_high"]
    columns += ["policy", "reference", "replicates", "mean", "ci_low", "ci_high"]
    if len(parameters) < 2 or len(context.policies) < 2:
        return pd.DataFrame(columns=columns)
    reference = context.policies[0]
    rows = []
    for first, second in list(combinations(parameters, 2))[:MAX_INTERACTIONS]:
        a = ordered_levels(context.good[first])
        b = ordered_levels(context.good[second])
        levels = ((a[0], a[-1]), (b[0], b[-1]))
        for policy in context.policies[1:]:
            estimate = interaction_contrast(
                context.good, first, second, policy, reference, LEAD_TIME, levels
            )
            rows.append(
                [
                    first,
                    a[0],
                    a[-1],
                    second,
                    b[0],
                    b[-1],
                    policy,
                    reference,
                    *estimate[3:],
                    *estimate[:3],
                ]
            )
    return pd.DataFrame(rows, columns=columns)


def interactions_section(context: Any, gaps: pd.DataFrame, contrasts: pd.DataFrame) -> str:
    """A heatmap of each gap over two crossed parameters, and the interaction contrast."""
    from experiments.summaries import gap_grid, ordered_levels

    if contrasts.empty or gaps.empty:
        return ""
    reference = context.policies[0]
    parts = []
    for i, r in enumerate(contrasts.itertuples(index=False)):
        grid = gap_grid(gaps, r.first, r.second, r.policy)
        if grid.empty:
            continue
        order_a = {v: k for k, v in enumerate(ordered_levels(context.good[r.first]))}
        order_b = {v: k for k, v in enumerate(ordered_levels(context.good[r.second]))}
        grid = grid.assign(
            _a=grid[r.first].map(order_a), _b=grid[r.second].map(order_b)
        ).sort_values(["_a", "_b"])
        names = (parameter_label(r.first), parameter_label(r.second))
        image = context.figure(
            f"interaction-{i + 1}",
            figures.gap_heatmap(
                grid.drop(columns=["_a", "_b"]),
                r.first,
                r.second,
                r.policy,
                reference,
                LEAD_TIME,
                names,
            ),
            f"{r.policy} − {reference} over {names[0]} and {names[1]}",
        )
        if math.isnan(r.ci_low):
            verdict = "too few replications for an interval"
        elif r.ci_low <= 0 <= r.ci_high:
            verdict = "the interval includes 0: no interaction shows at this sample size"
        else:
            verdict = "the interval excludes 0: the two parameters interact"
        text = (
            f"<p>Interaction contrast, {markup.escape(r.policy)} − {markup.escape(reference)}: "
            f"[gap({markup.plain(r.first_high)}, {markup.plain(r.second_high)}) − "
            f"gap({markup.plain(r.first_low)}, {markup.plain(r.second_high)})] − "
            f"[gap({markup.plain(r.first_high)}, {markup.plain(r.second_low)}) − "
            f"gap({markup.plain(r.first_low)}, {markup.plain(r.second_low)})] = "
            f"<strong>{markup.signed(LEAD_TIME, r.mean)} working days</strong> "
            f"(95% CI {markup.span(LEAD_TIME, r.ci_low, r.ci_high)}, {int(r.replicates)} "
            f"replications): {verdict}.</p>"
        )
        parts.append(
            f"<h3>{markup.escape(names[0])} × {markup.escape(names[1])}: "
            f"{markup.escape(r.policy)}</h3>" + image + text
        )
    return markup.section(
        "Interaction of two parameters",
        f"Each square is the mean paired difference (policy − {markup.escape(reference)}, "
        "working days) at one level of each parameter, the others averaged over, with its "
        "95% interval; purple where the policy finished earlier, orange where later. The "
        "interaction contrast is how much the effect of the first parameter on the difference "
        "changes between the lowest and highest level of the second (0: it does not change), "
        "computed replication by replication with its 95% interval over the replications.",
        "".join(parts),
    )
