from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "amparo.protection"
    label = "protection"

    def ready(self) -> None:
        from amparo.cases import attention, page_sections, workflow
        from amparo.cases.signals import case_activity
        from amparo.intake import reporter_sections
        from amparo.protection import attention as protection_attention
        from amparo.protection import desk_sections, receivers, reporter

        workflow.register_requirement("current_assessment", receivers.has_current_assessment)
        case_activity.connect(receivers.on_case_activity, dispatch_uid="amparo.protection")
        attention.register(*protection_attention.LISTS)
        reporter_sections.register(reporter.SECTION)
        page_sections.register(*desk_sections.SECTIONS)
