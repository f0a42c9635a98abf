"""Project-wide Celery tasks."""

import smtplib

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=50,
    time_limit=60,
)
def send_email(subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email; a mail server that is down is retried with backoff."""
    send_mail(subject, body, None, to, fail_silently=False)
