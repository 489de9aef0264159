"""Background work for webhooks, run by django-tasks (`forandra worker` works the queue).

One task is one attempt at one delivery. Its arguments are plain values (stored as JSON): the
delivery's id, the attempt's number and whether it was sent by hand. Running it twice is safe: the
attempt is claimed by its number first (services.delivery_attempt).
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver(delivery_id: int, number: int, manual: bool = False) -> dict[str, object]:
    """Make attempt `number` of the delivery; a retry, if one is needed, is enqueued from here."""
    attempt = services.delivery_attempt(delivery_id=delivery_id, number=number, manual=manual)
    if attempt is None:
        return {"delivery": delivery_id, "attempt": number, "skipped": True}
    return {
        "delivery": delivery_id,
        "attempt": number,
        "succeeded": attempt.succeeded,
        "response_code": attempt.response_code,
        "error_code": attempt.error_code,
    }
