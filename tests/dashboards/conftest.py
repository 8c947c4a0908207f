# Fixtures shared with the tests of the modules the rollups read: the hand-built place of the rupture-rate tests, and
# the attendance world on a fixed calendar.
from tests.attendance.conftest import frozen, klass  # noqa: F401
from tests.ruptures.test_rates import place  # noqa: F401
