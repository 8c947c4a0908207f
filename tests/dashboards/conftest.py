from tests.ruptures.test_rates import place  # noqa: F401  (the hand-built place of the rupture-rate tests)
