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
