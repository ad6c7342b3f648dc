"""Shared pieces of our management commands: exit codes and the acting user."""

import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

EXIT_INVALID = 2  # SPEC §4.1: invalid input exits 2


def fail(command: Any, messages: Iterable[str], code: int = EXIT_INVALID) -> NoReturn:
    for message in messages:
        command.stderr.write(message)
    command.stderr.flush()
    sys.exit(code)


def actor_from(username: str | None) -> Any:
    """`--as USER` makes a CLI run act (and be checked) as that user; without it the operator acts."""
    if not username:
        return None
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"账号“{username}”不存在") from None
