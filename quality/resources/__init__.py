"""Excel import and export of the quality app, on the import engine (`imports`).

Importing this package (the import engine autodiscovers each app's `resources`)
registers its modules: `objections` (quality objections), `plans` (process-control
plans with their parameters, and actual runs), `decisions` (the inspectors' decisions,
export only).
"""

from quality.resources import decisions, objections, plans  # noqa: F401  (they register their import modules)
