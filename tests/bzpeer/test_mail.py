"""A mail server that fails never turns a committed action into an error."""

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from bzpeer.mail import mail_after_commit
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
        mock.patch("bzpeer.tasks.send_mail", side_effect=refused),
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
