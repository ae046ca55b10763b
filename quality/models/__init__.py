# Process-control plans (paper 3.3) live in plans.py, quality objections
# (paper 3.5) in objections.py; both are imported here for Django.
from .objections import *  # noqa: F403
from .plans import *  # noqa: F403
