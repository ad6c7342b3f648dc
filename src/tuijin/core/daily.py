"""Daily work of apps above the jobs' layer, run by `tuijin worker`'s daily job after the snapshot.

An app appends `(day) -> str` (what it did, for the JobRun message) from its AppConfig.ready().
Each must be idempotent: a retried day runs it again."""

AFTER_SNAPSHOT: list = []
