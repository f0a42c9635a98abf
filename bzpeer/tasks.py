"""Project-wide Celery tasks."""

from celery import shared_task

from bzpeer import mail


@shared_task(
    autoretry_for=(mail.TransientMailError,),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=50,
    time_limit=60,
)
def send_email(subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email. A server that is down, slow or answers 4xx is retried with
    backoff (for about two hours); a 5xx answer or a bad address fails at once."""
    mail.send_now(subject, body, to)
