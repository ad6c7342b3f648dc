import datetime as dt

import pytest

from tests.conftest import world  # noqa: F401  (the shared small city)


@pytest.fixture
def as_of():
    return dt.date(2026, 11, 27)
