"""Where a run's steps execute: in the run's own process (default), or on Celery workers (`investing workers up`).

The Celery executor is dagster-celery's: each step becomes a task on the broker, a worker process reconstructs the
code location from this package and runs the step against the same instance storage (PostgreSQL), so the UI,
partitions and checks read the same as an in-process run. Broker and result backend are the project's Redis unless
`INVESTING_CELERY_BROKER` names another.
"""

from __future__ import annotations

import dagster as dg

from investing_assets import settings
from investing_assets.lib.storage.servers import celery_url

CELERY_QUEUE = "dagster"  # dagster-celery's one queue; the workers listen on it
# A task is acknowledged when it ends, so a worker (one process, prefetch 1) holds only the step it runs and a
# second step goes to an idle worker instead of waiting behind the first (early acks reserve one extra task).
CELERY_SETTINGS = {"task_acks_late": True}


def broker_url() -> str:
    """The broker both the run (submitting steps) and the workers (taking them) use."""
    url = settings.celery_broker() or settings.redis_url()
    if not url:
        raise ValueError("INVESTING_EXECUTOR=celery needs a broker: set INVESTING_CELERY_BROKER or INVESTING_REDIS_URL "
                         "(`investing services up` writes it to .investing/env.sh)")
    return celery_url(url)


def run_executor() -> dg.ExecutorDefinition:
    if settings.executor() != "celery":
        return dg.in_process_executor
    from dagster_celery import celery_executor

    url = broker_url()
    return celery_executor.configured({"broker": url, "backend": url, "config_source": dict(CELERY_SETTINGS)},
                                      name="celery")
