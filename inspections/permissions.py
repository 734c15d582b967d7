"""The Curator group: what staff who curate the records may do, and nothing more.

Curators load reports and correct what the importer extracted. They cannot manage
users or groups, change the reference data's structure, or delete source documents
(the evidence behind published records).
"""

from django.contrib.auth.models import Group, Permission

CURATOR_GROUP = "Curator"

CURATOR_PERMISSIONS = {
    "inspection": ("view", "change"),
    "judgement": ("view", "add", "change", "delete"),
    "finding": ("view", "change"),
    "recommendation": ("view", "change"),
    "findingtheme": ("view", "add", "change", "delete"),
    "recommendationtheme": ("view", "add", "change", "delete"),
    "followthroughlink": ("view", "add", "change", "delete"),
    "theme": ("view", "add", "change", "delete"),
    "sourcedocument": ("view", "add"),
    "importattempt": ("view",),
    "authority": ("view", "change"),
    "alternativename": ("view", "add", "change", "delete"),
    "region": ("view",),
    "statisticalneighbour": ("view",),
}


def curator_permission_codenames() -> set[str]:
    return {
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    }


def ensure_curator_group(**kwargs) -> None:
    """Create the Curator group or reset its permissions to exactly the list above."""
    group, _ = Group.objects.get_or_create(name=CURATOR_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="inspections", codename__in=curator_permission_codenames()
    )
    group.permissions.set(permissions)
