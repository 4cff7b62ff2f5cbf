"""Where a run's steps execute: in the run's own process (default), on Celery workers (`investing workers up`),
or in Kubernetes pods (dagster-k8s).

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
    name = settings.executor()
    if name == "k8s":
        return k8s_executor()
    if name != "celery":
        return dg.in_process_executor
    from dagster_celery import celery_executor

    url = broker_url()
    return celery_executor.configured({"broker": url, "backend": url, "config_source": dict(CELERY_SETTINGS)},
                                      name="celery")


def k8s_executor() -> dg.ExecutorDefinition:
    """dagster-k8s' executor: each step a Kubernetes Job of the run's own image, launched by the K8sRunLauncher
    of deploy/helm/values.yaml (namespace, image and the settings' secret come from it)."""
    try:
        from dagster_k8s import k8s_job_executor
    except ImportError:
        raise ValueError("INVESTING_EXECUTOR=k8s needs dagster-k8s: pip install 'investing-assets[k8s]'") from None
    return k8s_job_executor
