from celery import shared_task

from follows import digest


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60)
def send_weekly_digests() -> int:
    """Weekly (Celery beat): email each follower the new works of those they follow."""
    return digest.send_weekly_digests()
