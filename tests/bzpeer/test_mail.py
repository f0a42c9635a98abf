"""A mail server that fails never turns a committed action into an error."""

import smtplib
import socket
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from bzpeer.mail import mail_after_commit
from bzpeer.tasks import send_email
from claims.models import Claim
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory


@pytest.mark.django_db
def test_a_rejection_stands_and_answers_normally_when_the_mail_server_is_down(
    client, owner, staff_reviewer, django_capture_on_commit_callbacks, caplog
):
    claim = ClaimFactory(researcher=ResearcherFactory(), claimant=owner)
    client.force_login(staff_reviewer)
    refused = smtplib.SMTPConnectError(421, "down")

    with (
        mock.patch("bzpeer.mail.send_mail", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("claims:reject", args=[claim.pk]), {"reason": "No."})

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert "Could not send" in caplog.text


@pytest.mark.django_db
def test_mail_is_sent_only_once_the_action_commits(
    client, owner, staff_reviewer, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(researcher=ResearcherFactory(), claimant=owner)
    client.force_login(staff_reviewer)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("claims:reject", args=[claim.pk]), {"reason": "No."})
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[owner.email]]


@pytest.mark.django_db
def test_with_a_broker_the_mail_is_queued_for_a_worker(
    settings, django_capture_on_commit_callbacks
):
    settings.BZPEER_EMAIL_VIA_WORKER = True
    with (
        mock.patch("bzpeer.tasks.send_email.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        mail_after_commit("Subject", "Body", ["someone@example.org"])

    delay.assert_called_once_with("Subject", "Body", ["someone@example.org"])
    assert mail.outbox == []


@pytest.fixture
def retries_run_in_process():
    """apply() then runs each retry at once (no countdown) and returns the last attempt's result;
    with eager propagation on, the first retry would be raised to the caller instead."""
    from bzpeer.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


TRANSIENT = [
    smtplib.SMTPConnectError(421, "Service not available, try again later"),
    smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    smtplib.SMTPDataError(451, "Temporary local problem"),
    smtplib.SMTPSenderRefused(452, "Insufficient system storage", "noreply@localhost"),
    smtplib.SMTPRecipientsRefused({"someone@example.org": (450, b"Greylisted, come back later")}),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError("timed out"),
    socket.gaierror(-3, "Temporary failure in name resolution"),
]
PERMANENT = [
    smtplib.SMTPRecipientsRefused({"someone@example.org": (550, b"No such user")}),
    smtplib.SMTPDataError(554, "Message rejected as spam"),
    smtplib.SMTPSenderRefused(553, "Sender address rejected", "noreply@localhost"),
    smtplib.SMTPAuthenticationError(535, "Authentication credentials invalid"),
    smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_a_transient_failure_is_retried_until_the_mail_goes(error, retries_run_in_process):
    with mock.patch("bzpeer.mail.send_mail", side_effect=[error, error, 1]) as send:
        result = send_email.apply(args=("Subject", "Body", ["someone@example.org"]))
    assert result.successful()
    assert send.call_count == 3


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: f"{type(e).__name__}")
def test_a_permanent_failure_is_not_retried(error, caplog, retries_run_in_process):
    with mock.patch("bzpeer.mail.send_mail", side_effect=[error, 1]) as send:
        result = send_email.apply(args=("Subject", "Body", ["someone@example.org"]))
    assert result.failed()
    assert result.result is error
    assert send.call_count == 1
    assert "Not retrying 'Subject'" in caplog.text


def test_an_address_that_cannot_be_sent_to_is_not_retried(retries_run_in_process):
    from django.core.mail import send_mail

    with mock.patch("bzpeer.mail.send_mail", wraps=send_mail) as send:
        result = send_email.apply(args=("Subject", "Body", ["someone@example.org\nBcc: x@y.z"]))
    assert result.failed()
    assert send.call_count == 1
    assert mail.outbox == []


def test_transient_retries_stop_at_the_cap(retries_run_in_process):
    refused = ConnectionRefusedError(111, "Connection refused")
    with mock.patch("bzpeer.mail.send_mail", side_effect=refused) as send:
        result = send_email.apply(args=("Subject", "Body", ["someone@example.org"]))
    assert result.failed()
    assert send.call_count == send_email.max_retries + 1
