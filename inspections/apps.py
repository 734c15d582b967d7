from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "Inspections"

    def ready(self):
        from .permissions import ensure_curator_group

        # Permissions exist only after post_migrate, so the group is kept in step there.
        post_migrate.connect(ensure_curator_group, sender=self)

        from .freshness import connect_signals

        connect_signals()  # any change to a public record changes the pages' validators
