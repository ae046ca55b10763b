"""List filters of the quality app: `plans` (process-control plans), `objections` (quality
objections), `decisions` (the inspectors' decisions)."""
