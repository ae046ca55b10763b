"""Statistics of the quality app, computed over querysets the caller has scoped to the user:
`plans` (set vs actual, per-parameter summaries and run charts), `objections` (sensitivity,
Pareto, monthly trend, claims, and their charts and export sheets)."""
