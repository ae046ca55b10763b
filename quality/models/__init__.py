# Process-control plans (paper 3.3) live in plans.py, quality objections (paper 3.5) in
# objections.py, their deadline rules in deadlines.py, the judgement check's question and
# answer in judgement.py, the inspectors' decisions in decisions.py and the lessons spread to
# similar customers in lessons.py; all are imported here for Django.
from .deadlines import *  # noqa: F403
from .decisions import *  # noqa: F403
from .judgement import *  # noqa: F403
from .lessons import *  # noqa: F403
from .objections import *  # noqa: F403
from .plans import *  # noqa: F403
