"""Background work for personal data: sending a resident the link to their data.

The task takes contact ids, never the address, so the task queue holds no personal data; it
makes the signed link itself, so the queue holds no working link either.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from forandra.ideas.models import ProposerContact

from . import tokens


@task()
def send_resident_link(contact_ids: list[int], base_url: str, language: str) -> int:
    """E-mail the resident whose contacts these are a link to their data; how many were sent."""
    contacts = list(ProposerContact.objects.filter(pk__in=contact_ids).order_by("pk"))
    if not contacts:
        return 0
    email = contacts[0].email
    contacts = [contact for contact in contacts if contact.email.casefold() == email.casefold()]
    token = tokens.resident_token(contacts=contacts)
    link = base_url.rstrip("/") + reverse("privacy:resident_data", args=[token])
    context = {"link": link, "days": tokens.link_days(), "count": len(contacts)}
    with translation.override(language):
        subject = render_to_string("privacy/email/resident_link_subject.txt", context)
        body = render_to_string("privacy/email/resident_link.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])
    return 1
