"""Factories and small set-up steps for accounts, claims and invitations."""

import factory
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from claims.models import Claim, Invitation
from tests.factories import ResearcherFactory


def verify_email(user) -> EmailAddress:
    """Give the user a verified primary address (what allauth's confirmation does)."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address


def connect_orcid(user, orcid: str) -> SocialAccount:
    """What a completed ORCID sign-in leaves behind."""
    return SocialAccount.objects.create(user=user, provider="orcid", uid=orcid, extra_data={})


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    researcher = factory.SubFactory(ResearcherFactory)
    evidence = Claim.Evidence.OTHER
    status = Claim.Status.PENDING
    note = "I am this person; see my staff page."


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    subject = "Working together"
    message = "Shall we write a paper?"
