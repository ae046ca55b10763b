"""Forms of the quality app: `plans` (plans, revisions, parameters, runs, reuse), `objections`
(objections, status changes, the judgement check, the statistics' range)."""
