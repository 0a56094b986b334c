from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "amparo.intake"
    label = "intake"

    def ready(self) -> None:
        from amparo.cases import hooks
        from amparo.intake import checks, questionnaire
        from amparo.intake.filecheck import set_pillow_limit

        checks.register()
        # The desk reads answers in the questionnaire's words (amparo/cases/hooks.py).
        hooks.labelled_answers.provide(questionnaire.labelled_answers)
        hooks.current_questionnaire.provide(questionnaire.current)
        hooks.questionnaire_text.provide(questionnaire.tr)
        set_pillow_limit()
        # The questionnaire, the desk's texts and the emergency contacts are kept per
        # process (amparo.lib.process_cache): any saved or deleted row makes every
        # process read them again. The actions that use update() say so themselves.
        from django.db.models.signals import post_delete, post_save

        from amparo.intake.models import DeskText, EmergencyContact, Questionnaire
        from amparo.lib import process_cache

        for model in (DeskText, EmergencyContact, Questionnaire):
            for signal in (post_save, post_delete):
                signal.connect(
                    process_cache.invalidate, sender=model, dispatch_uid=f"intake-{model.__name__}"
                )
