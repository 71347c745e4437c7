"""Insights: the dashboards' facts, the coverage analysis and the transparency report, with their permissions."""
