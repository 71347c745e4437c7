"""Titles of the report's charts (shared by the HTML/PDF writers and the chart renderer)."""

CHART_TITLES = {
    "answers": "How owners answered",
    "effectiveness": "Effectiveness",
    "program_funnel": "Program funnel",
    "evidence": "Evidence",
}
