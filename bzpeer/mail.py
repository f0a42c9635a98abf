"""Email that never undoes or breaks the action that sent it."""

import logging

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def mail_after_commit(subject: str, body: str, to: list[str]) -> None:
    """Queue an email once the current transaction commits.

    The action's rows are committed by then, so a mail server that fails must not turn the
    request into an error: the task retries (with a worker) and a failure is logged, never raised.
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
