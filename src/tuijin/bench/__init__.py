"""`tuijin bench`: speed measured on a demo city, reported as figures (SPEC §3), never asserted by tests."""
from . import scenarios  # noqa: F401  (first, so that importing bench.reads on its own finds it complete)
