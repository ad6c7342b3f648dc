"""`tuijin bench`: speed measured on a demo city, reported as figures (SPEC §3), never asserted by tests."""
