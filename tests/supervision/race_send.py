"""Run by test_numbering on a file SQLite database: N threads send N letters at once."""

import datetime as dt
import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")
django.setup()

from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)

from tuijin.orgs.actions import create_org
from tuijin.supervision import actions
from tuijin.supervision.models import ReminderLetter

n = int(sys.argv[1])
org = create_org(actor=None, parent=None, code="XS", name="中共X市委", kind="党委")
on = dt.date(2026, 11, 27)
drafts = [
    ReminderLetter.objects.create(
        org=org, issuer="第一巡回指导组", title="t", body="b", drafted_on=on, feedback_due=on + dt.timedelta(days=7)
    )
    for _ in range(n)
]
barrier, errors = threading.Barrier(n), []


def send(letter):
    try:
        barrier.wait()
        actions.send_letter(letter, actor=None, on=on)
    except Exception as exc:  # reported to the test
        errors.append(repr(exc))
    finally:
        connection.close()


threads = [threading.Thread(target=send, args=(d,)) for d in drafts]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"numbers": list(ReminderLetter.objects.values_list("number", flat=True)), "errors": errors}))
