"""Background jobs: the daily schedule, its record (`JobRun`) and the `tuijin worker` process.

The work itself is a django-tasks `@task` (tasks.py) queued in our own database (django-tasks-db);
`tuijin worker` claims each day's run in the database, enqueues it and runs the queue.
"""
