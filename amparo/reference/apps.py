from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "amparo.reference"
    label = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from amparo.reference import api

        # Each request reads a list at most once, and never sees another
        # request's copy: the memo lives from request start to request end.
        request_started.connect(api.start_request_cache, dispatch_uid="reference-memo-start")
        request_finished.connect(api.end_request_cache, dispatch_uid="reference-memo-end")
        # Requests share the lists within a process: any saved or deleted row of
        # reference data makes every process read them again.
        from django.db.models.signals import post_delete, post_save

        from amparo.reference import models

        for model in (
            models.ReferenceList,
            models.Term,
            models.Situation,
            models.StateParty,
            models.AssemblySession,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    api.invalidate, sender=model, dispatch_uid=f"reference-{model.__name__}"
                )
