"""Email that never undoes or breaks the action that sent it, retried only when it may succeed."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)


class TransientMailError(Exception):
    """The mail server may take this message later: the task retries it with backoff."""


def is_transient(error: BaseException) -> bool:
    """True for what a later try can fix: no connection, a timeout, a dropped session, or a
    4xx answer (greylisting, a full queue, "try again later"). A 5xx answer (unknown mailbox,
    refused sender, failed login) or an address Django cannot encode is permanent: sending the
    same message again gets the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Raised only when every recipient was refused; worth retrying if any refusal was 4xx.
        return any(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):  # SMTPConnectError, SMTPDataError, ...
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):  # SMTPNotSupportedError and the like
        return False
    # Refused, reset, unreachable, DNS failure, timeout: socket errors are all OSError.
    return isinstance(error, OSError)


def send_now(subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email; :class:`TransientMailError` if a later try may succeed, the
    original error (logged) if it cannot."""
    try:
        send_mail(subject, body, None, to, fail_silently=False)
    except Exception as error:
        if is_transient(error):
            raise TransientMailError(f"{type(error).__name__}: {error}") from error
        log.error("Not retrying %r to %s: %s: %s", subject, to, type(error).__name__, error)
        raise


def mail_after_commit(subject: str, body: str, to: list[str]) -> None:
    """Queue an email once the current transaction commits.

    The action's rows are committed by then, so a mail server that fails must not turn the
    request into an error: the task retries transient failures (with a worker) and a failure
    is logged, never raised.
    """
    from bzpeer.tasks import send_email

    def queue() -> None:
        try:
            if settings.BZPEER_EMAIL_VIA_WORKER:
                send_email.delay(subject, body, to)
            else:
                send_email.apply(args=(subject, body, to), throw=True)
        except Exception:
            log.exception("Could not send %r to %s", subject, to)

    transaction.on_commit(queue)
