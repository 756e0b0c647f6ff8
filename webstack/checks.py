"""The deployment-pitfall rule pack, under the product's name.

A thin re-export of :mod:`webstack_pitfalls` (its own installable package) so
that ``from webstack.checks import PitfallChecks`` keeps working.
"""

from webstack_pitfalls import *  # noqa: F403
from webstack_pitfalls import __all__  # noqa: F401
