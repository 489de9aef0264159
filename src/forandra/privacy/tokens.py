"""The resident's link: a signed, expiring token that names their contacts, not their address.

The token carries the ids of the resident's contacts (ideas.ProposerContact) and a keyed digest
of the e-mail address, signed with a timestamp (`TimestampSigner`). It holds no personal data: a
link that ends up in a log or a mail server's archive shows numbers, not an address. Opening it
finds the contacts that still exist with that digest, then every contact with the same address,
so proposals made after the link was sent are included too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from forandra.ideas.models import ProposerContact

SALT = "forandra.privacy.resident"
LINK_DAYS_DEFAULT = 7


class LinkExpiredError(Exception):
    """The link was genuine but is older than the settings allow."""


class LinkInvalidError(Exception):
    """The link was not made by this installation, or has been changed."""


def link_days() -> int:
    """How many days a resident's link works."""
    return int(getattr(settings, "PRIVACY_RESIDENT_LINK_DAYS", LINK_DAYS_DEFAULT))


def email_digest(email: str) -> str:
    """A keyed digest of an address (any case), to bind a token to it without naming it."""
    return salted_hmac(SALT, email.strip().casefold()).hexdigest()[:32]


def resident_token(*, contacts: Iterable[ProposerContact]) -> str:
    """A token for the resident whose contacts these are (all with one address)."""
    contacts = list(contacts)
    if not contacts:
        raise ValueError("a resident's token needs at least one contact")
    ids = sorted(contact.pk for contact in contacts)
    payload = {"c": ids, "h": email_digest(contacts[0].email)}
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


def resident_email(token: str) -> str | None:
    """The address a token was made for, or None when none of its contacts is left.

    Raises LinkExpiredError or LinkInvalidError."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=timedelta(days=link_days())
        )
    except signing.SignatureExpired:
        raise LinkExpiredError from None
    except (signing.BadSignature, ValueError):
        raise LinkInvalidError from None
    if not isinstance(payload, dict):
        raise LinkInvalidError
    ids, digest = payload.get("c"), payload.get("h")
    if not isinstance(ids, list) or not all(isinstance(pk, int) for pk in ids):
        raise LinkInvalidError
    for contact in ProposerContact.objects.filter(pk__in=ids).order_by("pk"):
        if email_digest(contact.email) == digest:
            return contact.email
    return None
