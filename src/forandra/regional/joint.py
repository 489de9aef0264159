"""Starting, changing and ending a joint initiative: something two or more municipalities of a
region do once, together, linking initiatives of their plans and ideas of their idea banks.

What is linked is never taken on trust: each reference is looked up again among what the person
making the change sees of the region (`visibility.sight_for`), and a joint initiative always
involves at least two municipalities. Errors are raised as ValidationError with the form's field
names as keys, and nothing is written then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import collaboration, collaboration_items
from .collaboration_items import INITIATIVE, ItemRef
from .models import JointInitiative, JointLink
from .visibility import Sight, sight_for

if TYPE_CHECKING:
    from forandra.accounts.models import User
    from forandra.municipalities.models import Region

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


def _texts(title: str, description: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    title, description = title.strip(), description.strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the joint initiative a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            _("Keep the title to %(max)s characters.") % {"max": TITLE_MAX}
        )
    if len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(
            _("Keep the description to %(max)s characters.") % {"max": DESCRIPTION_MAX}
        )
    return title, description


def _resolved(
    sight: Sight, items: Iterable[str | ItemRef], errors: dict[str, list[str]]
) -> dict[ItemRef, int]:
    """Each posted reference with its municipality, looked up among what `sight` sees."""
    refs: list[ItemRef] = []
    unknown = False
    for value in items:
        ref = value if isinstance(value, ItemRef) else ItemRef.parse(value)
        if ref is None:
            unknown = True
        elif ref not in refs:
            refs.append(ref)
    found = collaboration_items.resolve(sight=sight, refs=refs)
    if unknown or len(found) < len(refs):
        errors.setdefault("items", []).append(
            _(
                "An item you chose cannot be linked: it is not in the region, or you may not "
                "see it. Choose among the items listed."
            )
        )
    return found


def _check_municipalities(municipalities: set[int], errors: dict[str, list[str]]) -> None:
    if len(municipalities) < 2:
        errors.setdefault("items", []).append(
            _(
                "Choose items of at least two municipalities: a joint initiative is done by "
                "two or more municipalities together."
            )
        )


def _link(joint: JointInitiative, ref: ItemRef, municipality_id: int) -> JointLink:
    if ref.kind == INITIATIVE:
        return JointLink(joint=joint, municipality_id=municipality_id, initiative_key=ref.ident)
    return JointLink(joint=joint, municipality_id=municipality_id, idea_id=int(ref.ident))


@transaction.atomic
def joint_create(
    *,
    region: Region,
    by: User,
    title: str,
    description: str = "",
    items: Iterable[str | ItemRef],
    is_demo: bool = False,
) -> JointInitiative:
    """Start a joint initiative of the region linking `items` ("initiative:<key>" or
    "idea:<pk>") that `by` sees, of at least two municipalities."""
    errors: dict[str, list[str]] = {}
    title, description = _texts(title, description, errors)
    found = _resolved(sight_for(by, region), items, errors)
    if "items" not in errors:
        _check_municipalities(set(found.values()), errors)
    if errors:
        raise ValidationError(errors)
    joint = JointInitiative.objects.create(
        region=region, title=title, description=description, created_by=by, is_demo=is_demo
    )
    JointLink.objects.bulk_create(
        [_link(joint, ref, municipality) for ref, municipality in found.items()]
    )
    return joint


@transaction.atomic
def joint_update(
    *,
    joint: JointInitiative,
    by: User,
    title: str,
    description: str = "",
    items: Iterable[str | ItemRef],
) -> JointInitiative:
    """Change the title, the description and the links `by` sees; links to what `by` does not
    see stay as they are (and count towards the two municipalities)."""
    joint = JointInitiative.objects.select_for_update().select_related("region").get(pk=joint.pk)
    sight = sight_for(by, joint.region)
    errors: dict[str, list[str]] = {}
    title, description = _texts(title, description, errors)
    found = _resolved(sight, items, errors)
    seen, unseen = collaboration.link_refs(sight=sight, joint=joint)
    if "items" not in errors:
        kept = {link.municipality_id for link in unseen}
        _check_municipalities(kept | set(found.values()), errors)
    if errors:
        raise ValidationError(errors)
    joint.title, joint.description = title, description
    joint.save(update_fields=["title", "description", "updated_at"])
    gone = [ref for ref in seen if ref not in found]
    for ref in gone:
        if ref.kind == INITIATIVE:
            joint.links.filter(initiative_key=ref.ident).delete()
        else:
            joint.links.filter(idea_id=int(ref.ident)).delete()
    JointLink.objects.bulk_create(
        [_link(joint, ref, municipality) for ref, municipality in found.items() if ref not in seen]
    )
    return joint


@transaction.atomic
def joint_delete(*, joint: JointInitiative) -> None:
    """End a joint initiative: it and its links go; the initiatives and ideas stay as they are."""
    JointInitiative.objects.select_for_update().filter(pk=joint.pk).delete()
