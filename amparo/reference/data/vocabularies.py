"""The controlled vocabularies of DESIGN.md, in English, French, Spanish and Arabic.

Wording follows the Court's and the UN's own texts in each language (see
GLOSSARY.md and docs/reference-data.md). Codes are stable identifiers stored
in cases: never rename one; retire it by marking the term inactive.

To change a list: edit it here, bump its date, run
``manage.py load_reference_data`` (labels edited by an administrator are kept unless
``--overwrite``).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

#: When these lists were last checked against DESIGN.md and GLOSSARY.md.
AS_OF = datetime.date(2026, 11, 28)
SOURCE = (
    "Amparo design brief, “Controlled vocabularies”; French, Spanish and Arabic wording "
    "from the ICC's and the UN's official texts (GLOSSARY.md)."
)


class Entry(NamedTuple):
    code: str
    en: str
    fr: str
    es: str
    ar: str
    children: tuple[Entry, ...] = ()
    since_version: int = 1
    retired_in_version: int | None = None


class Vocabulary(NamedTuple):
    code: str
    en: str
    fr: str
    es: str
    ar: str
    terms: tuple[Entry, ...]
    as_of: datetime.date = AS_OF
    source: str = SOURCE
    # Raise it when adding or retiring terms, and mark them with since() or
    # retired(): cases keep the version they were reported or coded with.
    version: int = 1


def E(code: str, en: str, fr: str, es: str, ar: str, *children: Entry) -> Entry:
    return Entry(code, en, fr, es, ar, children)


def since(version: int, entry: Entry) -> Entry:
    """A term added to its list in ``version``."""
    return entry._replace(since_version=version)


def retired(version: int, entry: Entry) -> Entry:
    """A term no longer offered from ``version`` on; cases that hold it keep it."""
    return entry._replace(retired_in_version=version)


UNKNOWN = ("unknown", "Unknown", "Inconnu", "Desconocido", "غير معروف")

REPRISAL_TYPE = Vocabulary(
    "reprisal_type",
    "Type of reprisal",
    "Type de représailles",
    "Tipo de represalia",
    "نوع الأعمال الانتقامية",
    (
        E(
            "life",
            "Life and physical integrity",
            "Vie et intégrité physique",
            "Vida e integridad física",
            "الحياة والسلامة البدنية",
            E("life.killing", "Killing", "Meurtre", "Asesinato", "القتل"),
            E(
                "life.attempted_killing",
                "Attempted killing",
                "Tentative de meurtre",
                "Tentativa de asesinato",
                "الشروع في القتل",
            ),
            E(
                "life.enforced_disappearance",
                "Enforced disappearance",
                "Disparition forcée",
                "Desaparición forzada",
                "الاختفاء القسري",
            ),
            E("life.abduction", "Abduction", "Enlèvement", "Secuestro", "الاختطاف"),
            E(
                "life.torture",
                "Torture or ill-treatment",
                "Torture ou mauvais traitements",
                "Tortura o malos tratos",
                "التعذيب أو سوء المعاملة",
            ),
            E(
                "life.assault",
                "Assault",
                "Agression physique",
                "Agresión física",
                "الاعتداء الجسدي",
            ),
            E(
                "life.sexual_gender_violence",
                "Sexual or gender-based violence",
                "Violence sexuelle ou fondée sur le genre",
                "Violencia sexual o de género",
                "العنف الجنسي أو الجنساني",
            ),
        ),
        E(
            "threats",
            "Threats",
            "Menaces",
            "Amenazas",
            "التهديدات",
            E(
                "threats.death_threat",
                "Death threat",
                "Menace de mort",
                "Amenaza de muerte",
                "التهديد بالقتل",
            ),
            E(
                "threats.direct_threat",
                "Other direct threat",
                "Autre menace directe",
                "Otra amenaza directa",
                "تهديد مباشر آخر",
            ),
            E(
                "threats.family_or_colleagues",
                "Threat to family or colleagues",
                "Menace visant la famille ou des collègues",
                "Amenaza contra familiares o colegas",
                "تهديد الأسرة أو الزملاء",
            ),
            E(
                "threats.summons_or_visit",
                "Intimidating summons or visit",
                "Convocation ou visite d'intimidation",
                "Citación o visita intimidatoria",
                "استدعاء أو زيارة بقصد الترهيب",
            ),
            E(
                "threats.stalking",
                "Stalking",
                "Traque (harcèlement obsessionnel)",
                "Acecho",
                "الملاحقة والتعقب",
            ),
        ),
        E(
            "judicial",
            "Judicial and administrative harassment",
            "Harcèlement judiciaire et administratif",
            "Hostigamiento judicial y administrativo",
            "المضايقة القضائية والإدارية",
            E(
                "judicial.arbitrary_detention",
                "Arbitrary arrest or detention",
                "Arrestation ou détention arbitraire",
                "Arresto o detención arbitrarios",
                "القبض أو الاحتجاز التعسفي",
            ),
            E(
                "judicial.criminal_charges",
                "Criminal charges",
                "Poursuites pénales",
                "Cargos penales",
                "توجيه تهم جنائية",
            ),
            E(
                "judicial.abusive_lawsuit",
                "Abusive lawsuit",
                "Poursuite abusive (procédure-bâillon)",
                "Demanda abusiva",
                "دعوى قضائية كيدية",
            ),
            E(
                "judicial.tax_or_registration",
                "Tax or registration proceedings",
                "Procédures fiscales ou d'enregistrement",
                "Procedimientos fiscales o de registro",
                "إجراءات ضريبية أو متعلقة بالتسجيل",
            ),
            E(
                "judicial.bail_conditions",
                "Restrictive bail conditions",
                "Conditions restrictives de mise en liberté",
                "Condiciones restrictivas de libertad provisional",
                "شروط تقييدية للإفراج بكفالة",
            ),
            E(
                "judicial.unfair_trial",
                "Unfair trial",
                "Procès inéquitable",
                "Juicio sin las debidas garantías",
                "محاكمة غير عادلة",
            ),
        ),
        E(
            "movement",
            "Movement and status",
            "Liberté de circulation et statut",
            "Libertad de circulación y estatus",
            "حرية التنقل والوضع القانوني",
            E(
                "movement.travel_ban",
                "Travel ban",
                "Interdiction de voyager",
                "Prohibición de viajar",
                "حظر السفر",
            ),
            E(
                "movement.passport_withheld",
                "Passport withheld",
                "Passeport confisqué ou refusé",
                "Pasaporte retenido o denegado",
                "حجز جواز السفر أو رفض إصداره",
            ),
            E(
                "movement.entry_refused_or_deportation",
                "Entry refused or deportation",
                "Refus d'entrée ou expulsion",
                "Denegación de entrada o expulsión",
                "رفض الدخول أو الترحيل",
            ),
            E(
                "movement.nationality_or_residence_revoked",
                "Nationality or residence revoked",
                "Retrait de la nationalité ou du titre de séjour",
                "Privación de la nacionalidad o de la residencia",
                "سحب الجنسية أو الإقامة",
            ),
            E(
                "movement.forced_exile",
                "Forced exile",
                "Exil forcé",
                "Exilio forzado",
                "النفي القسري",
            ),
        ),
        E(
            "digital",
            "Surveillance and digital attacks",
            "Surveillance et attaques numériques",
            "Vigilancia y ataques digitales",
            "المراقبة والهجمات الرقمية",
            E(
                "digital.physical_surveillance",
                "Physical surveillance",
                "Surveillance physique",
                "Vigilancia física",
                "المراقبة المادية",
            ),
            E(
                "digital.interception_or_spyware",
                "Interception or spyware",
                "Interception des communications ou logiciel espion",
                "Interceptación de comunicaciones o programas espía",
                "اعتراض الاتصالات أو برامج التجسس",
            ),
            E(
                "digital.account_or_device_compromise",
                "Account or device compromise",
                "Piratage de comptes ou d'appareils",
                "Vulneración de cuentas o dispositivos",
                "اختراق الحسابات أو الأجهزة",
            ),
            E(
                "digital.device_seizure",
                "Device seizure",
                "Saisie d'appareils",
                "Incautación de dispositivos",
                "مصادرة الأجهزة",
            ),
            E(
                "digital.doxxing",
                "Doxxing",
                "Divulgation de données personnelles (doxxing)",
                "Divulgación de datos personales (doxing)",
                "نشر البيانات الشخصية",
            ),
            E(
                "digital.online_harassment",
                "Online harassment",
                "Harcèlement en ligne",
                "Acoso en línea",
                "المضايقة عبر الإنترنت",
            ),
        ),
        E(
            "stigmatisation",
            "Stigmatisation",
            "Stigmatisation",
            "Estigmatización",
            "الوصم",
            E(
                "stigmatisation.smear_by_officials",
                "Smear campaign by officials",
                "Campagne de dénigrement menée par des responsables publics",
                "Campaña de desprestigio por parte de funcionarios públicos",
                "حملة تشهير يشنها مسؤولون حكوميون",
            ),
            E(
                "stigmatisation.smear_by_others",
                "Smear campaign by others",
                "Campagne de dénigrement menée par d'autres acteurs",
                "Campaña de desprestigio por parte de otros actores",
                "حملة تشهير تشنها جهات أخرى",
            ),
            E(
                "stigmatisation.hostile_labelling",
                "Labelled “foreign agent”, “terrorist” or “traitor”",
                "Qualification d'« agent de l'étranger », de « terroriste » ou de « traître »",
                "Calificación de «agente extranjero», «terrorista» o «traidor»",
                "النعت بـ«عميل أجنبي» أو «إرهابي» أو «خائن»",
            ),
        ),
        E(
            "economic",
            "Economic and organisational",
            "Mesures économiques et atteintes aux organisations",
            "Medidas económicas y contra organizaciones",
            "التدابير الاقتصادية والتنظيمية",
            E(
                "economic.asset_freeze",
                "Asset freeze",
                "Gel des avoirs",
                "Congelación de activos",
                "تجميد الأصول",
            ),
            E(
                "economic.sanctions_or_listing",
                "Sanctions or listing",
                "Sanctions ou inscription sur une liste",
                "Sanciones o inclusión en listas",
                "العقوبات أو الإدراج في القوائم",
            ),
            E(
                "economic.funding_restrictions",
                "Funding restrictions",
                "Restrictions de financement",
                "Restricciones a la financiación",
                "القيود على التمويل",
            ),
            E(
                "economic.dismissal",
                "Dismissal from employment",
                "Licenciement",
                "Despido",
                "الفصل من العمل",
            ),
            E("economic.raid", "Raid", "Perquisition ou descente", "Allanamiento", "المداهمة"),
            E(
                "economic.deregistration_or_ban",
                "Deregistration or ban of an organisation",
                "Radiation ou interdiction d'une organisation",
                "Cancelación del registro o prohibición de una organización",
                "شطب تسجيل منظمة أو حظرها",
            ),
            E(
                "economic.property_or_data",
                "Destruction or theft of property or data",
                "Destruction ou vol de biens ou de données",
                "Destrucción o robo de bienes o datos",
                "إتلاف الممتلكات أو البيانات أو سرقتها",
            ),
        ),
        E(
            "obstruction",
            "Obstruction of engagement with the Court",
            "Entrave à la collaboration avec la Cour",
            "Obstaculización de la colaboración con la Corte",
            "عرقلة التعامل مع المحكمة",
            E(
                "obstruction.travel_or_meetings_blocked",
                "Travel or meetings blocked",
                "Déplacements ou réunions empêchés",
                "Viajes o reuniones impedidos",
                "منع السفر أو الاجتماعات",
            ),
            E(
                "obstruction.pressure_to_withdraw",
                "Pressure to withdraw testimony or applications",
                "Pressions pour retirer un témoignage ou une demande",
                "Presiones para retirar testimonios o solicitudes",
                "الضغط لسحب الشهادة أو الطلبات",
            ),
            E(
                "obstruction.exposure_as_cooperator",
                "Exposure as a cooperator",
                "Divulgation de la qualité de collaborateur de la Cour",
                "Exposición como colaborador de la Corte",
                "الكشف عن التعاون مع المحكمة",
            ),
            E(
                "obstruction.retaliation_against_intermediaries",
                "Retaliation against intermediaries",
                "Représailles contre des intermédiaires",
                "Represalias contra intermediarios",
                "الأعمال الانتقامية ضد الوسطاء",
            ),
        ),
        # A category without items: it is its own choice.
        E("other", "Other", "Autre", "Otro", "غير ذلك"),
    ),
)

ENGAGEMENT = Vocabulary(
    "engagement",
    "Engagement with the Rome Statute system",
    "Engagement auprès du système du Statut de Rome",
    "Participación en el sistema del Estatuto de Roma",
    "التعامل مع منظومة نظام روما الأساسي",
    (
        E(
            "communication_article_15",
            "Communication to the Prosecutor (article 15)",
            "Communication au Procureur (article 15)",
            "Comunicación a la Fiscalía (artículo 15)",
            "إبلاغ المدعي العام بمعلومات (المادة 15)",
        ),
        since(
            2,
            E(
                "otp_meeting",
                "Meeting or interview with the Office of the Prosecutor "
                "(not an article 15 communication)",
                "Rencontre ou entretien avec le Bureau du Procureur "
                "(autre qu'une communication au titre de l'article 15)",
                "Reunión o entrevista con la Fiscalía "
                "(distinta de una comunicación del artículo 15)",
                "اجتماع أو مقابلة مع مكتب المدعي العام (غير الإبلاغ بمعلومات بموجب المادة 15)",
            ),
        ),
        since(
            2,
            E(
                "registry_vws",
                "Contact with the Registry or its Victims and Witnesses Section",
                "Contact avec le Greffe ou sa Section de l'aide aux victimes et aux témoins",
                "Contacto con la Secretaría o su Sección de Víctimas y Testigos",
                "التواصل مع قلم المحكمة أو قسم المجني عليهم والشهود التابع له",
            ),
        ),
        E(
            "victim_application",
            "Victim participation or reparations application",
            "Demande de participation ou de réparations en tant que victime",
            "Solicitud de participación o de reparaciones de las víctimas",
            "طلب مشاركة المجني عليهم أو طلب جبر الضرر",
        ),
        E("witness", "Witness", "Témoin", "Testigo", "شاهد"),
        E("intermediary", "Intermediary", "Intermédiaire", "Intermediario", "وسيط"),
        E(
            "legal_representative",
            "Legal representative",
            "Représentant légal",
            "Representante legal",
            "ممثل قانوني",
        ),
        E(
            "trust_fund_for_victims",
            "Trust Fund for Victims",
            "Fonds au profit des victimes",
            "Fondo Fiduciario en beneficio de las Víctimas",
            "الصندوق الاستئماني للمجني عليهم",
        ),
        E(
            "assembly",
            "Participation in the Assembly of States Parties (session, side event, consultation)",
            "Participation à l'Assemblée des États Parties "
            "(session, manifestation parallèle, consultation)",
            "Participación en la Asamblea de los Estados Partes "
            "(período de sesiones, evento paralelo, consulta)",
            "المشاركة في جمعية الدول الأطراف (دورة، حدث جانبي، مشاورة)",
        ),
        E(
            "national_accountability",
            "National accountability work",
            "Action en faveur de l'établissement des responsabilités au niveau national",
            "Labor de rendición de cuentas en el plano nacional",
            "العمل من أجل المساءلة على الصعيد الوطني",
        ),
        E(
            "perceived",
            # The code keeps its meaning (engagement attributed to someone who
            # does not engage); the words are what a person would say.
            "They think I work with the Court, but I do not",
            "On croit que je travaille avec la Cour, mais ce n'est pas le cas",
            "Creen que trabajo con la Corte, pero no es así",
            "يظنون أنني أعمل مع المحكمة، لكنني لا أعمل معها",
        ),
        E(*UNKNOWN),
    ),
    # 2: a meeting with the Office of the Prosecutor and contact with the
    # Registry added (issue 11); the Assembly named in full; "perceived" reworded.
    version=2,
)

DEFENDER_PROFILE = Vocabulary(
    "defender_profile",
    "Defender profile",
    "Profil du défenseur ou de la défenseuse",
    "Perfil de la persona defensora",
    "صفة المدافع أو المدافعة",
    (
        E(
            "victim_or_community_leader",
            "Victim or community leader",
            "Victime ou responsable communautaire",
            "Víctima o líder comunitario",
            "مجني عليه أو قائد مجتمعي",
        ),
        E("lawyer", "Lawyer", "Avocat ou avocate", "Abogado o abogada", "محامٍ أو محامية"),
        E(
            "documenter_or_researcher",
            "Documenter or researcher",
            "Documentation des violations ou recherche",
            "Documentación de violaciones o investigación",
            "توثيق الانتهاكات أو البحث",
        ),
        E("journalist", "Journalist", "Journaliste", "Periodista", "صحفي أو صحفية"),
        E(
            "ngo_staff",
            "NGO staff",
            "Personnel d'ONG",
            "Personal de ONG",
            "العاملون في المنظمات غير الحكومية",
        ),
        E(
            "land_environment_indigenous",
            "Land, environmental or Indigenous rights defender",
            "Défense des droits fonciers, de l'environnement ou des peuples autochtones",
            "Defensa de la tierra, el medio ambiente o los derechos de los pueblos indígenas",
            "الدفاع عن الحقوق في الأرض أو البيئة أو حقوق الشعوب الأصلية",
        ),
        E(
            "woman_defender",
            "Woman human rights defender",
            "Défenseuse des droits humains",
            "Defensora de derechos humanos",
            "مدافعة عن حقوق الإنسان",
        ),
        E(
            "lgbtiq_defender",
            "LGBTIQ+ defender",
            "Défense des droits des personnes LGBTIQ+",
            "Defensa de los derechos de las personas LGBTIQ+",
            "الدفاع عن حقوق مجتمع الميم (LGBTIQ+)",
        ),
        E("trade_unionist", "Trade unionist", "Syndicaliste", "Sindicalista", "نقابي أو نقابية"),
        E(
            "humanitarian_worker",
            "Humanitarian worker",
            "Personnel humanitaire",
            "Personal humanitario",
            "العاملون في المجال الإنساني",
        ),
        E(
            "relative_of_defender",
            "Relative of a defender",
            "Proche d'un défenseur ou d'une défenseuse",
            "Familiar de una persona defensora",
            "قريب أو قريبة لمدافع أو مدافعة",
        ),
    ),
)

TARGET = Vocabulary(
    "target",
    "Target",
    "Cible",
    "Persona o grupo afectado",
    "الجهة المستهدفة",
    (
        E("individual", "Individual", "Personne", "Persona", "فرد"),
        E("organisation", "Organisation", "Organisation", "Organización", "منظمة"),
        E("community", "Community", "Communauté", "Comunidad", "مجتمع محلي"),
        E("family", "Family", "Famille", "Familia", "أسرة"),
    ),
)

PERPETRATOR = Vocabulary(
    "perpetrator",
    "Perpetrator type",
    "Type d'auteur présumé",
    "Tipo de presunto autor",
    "نوع الجهة الفاعلة المزعومة",
    (
        E(
            "state_security_forces",
            "State security forces (police, military, intelligence)",
            "Forces de sécurité de l'État (police, armée, renseignement)",
            "Fuerzas de seguridad del Estado (policía, ejército, inteligencia)",
            "قوات الأمن التابعة للدولة (الشرطة، الجيش، الاستخبارات)",
        ),
        E(
            "prosecution_or_judiciary",
            "Prosecution or judiciary",
            "Ministère public ou autorités judiciaires",
            "Ministerio público o poder judicial",
            "النيابة العامة أو السلطة القضائية",
        ),
        E(
            "other_officials",
            "Other officials",
            "Autres agents publics",
            "Otros funcionarios públicos",
            "موظفون عموميون آخرون",
        ),
        E(
            "state_aligned_groups",
            "State-aligned groups or online networks",
            "Groupes ou réseaux en ligne proches de l'État",
            "Grupos o redes en línea afines al Estado",
            "جماعات أو شبكات إلكترونية موالية للدولة",
        ),
        E(
            "foreign_state",
            "A foreign State",
            "Un État étranger",
            "Un Estado extranjero",
            "دولة أجنبية",
        ),
        E(
            "non_state_armed_group",
            "Non-State armed group",
            "Groupe armé non étatique",
            "Grupo armado no estatal",
            "جماعة مسلحة من غير الدول",
        ),
        E(
            "accused_or_network",
            "An accused person or their network",
            "Une personne accusée ou son réseau",
            "Una persona acusada o su red",
            "شخص متهم أو شبكته",
        ),
        E(
            "business_or_private_security",
            "Business or private security",
            "Entreprise ou société de sécurité privée",
            "Empresa o seguridad privada",
            "شركة تجارية أو شركة أمن خاصة",
        ),
        E(
            "organised_crime",
            "Organised crime",
            "Criminalité organisée",
            "Delincuencia organizada",
            "الجريمة المنظمة",
        ),
        E(
            "community_or_family",
            "Community or family",
            "Communauté ou famille",
            "Comunidad o familia",
            "المجتمع المحلي أو الأسرة",
        ),
        E(*UNKNOWN),
    ),
)

INVOLVEMENT = Vocabulary(
    "involvement",
    "Degree of involvement",
    "Degré d'implication",
    "Grado de participación",
    "درجة التورط",
    (
        E("direct", "Direct perpetrator", "Auteur direct", "Autor directo", "مرتكب مباشر"),
        E(
            "instigator",
            "Instigator (ordered or induced)",
            "Instigateur (a ordonné ou provoqué)",
            "Instigador (ordenó o indujo)",
            "محرِّض (أمر بالفعل أو حرّض عليه)",
        ),
        E(
            "acquiescence_or_complicity",
            "Acquiescence or complicity",
            "Acquiescement ou complicité",
            "Aquiescencia o complicidad",
            "القبول الضمني أو التواطؤ",
        ),
        E(*UNKNOWN),
    ),
)

CONFIDENCE = Vocabulary(
    "confidence",
    "Confidence",
    "Degré de certitude",
    "Grado de certeza",
    "درجة الثقة",
    (
        E("confirmed", "Confirmed", "Confirmé", "Confirmado", "مؤكد"),
        E("probable", "Probable", "Probable", "Probable", "مرجّح"),
        E("suspected", "Suspected", "Soupçonné", "Sospechado", "مشتبه فيه"),
        E(*UNKNOWN),
    ),
)

#: Protection measures (issue 8): what the desk can do, recorded in a case's plan.
#: Codes are counted by the statistics and linked to referrals: never rename one.
PROTECTION_MEASURE = Vocabulary(
    "protection_measure",
    "Protection measure",
    "Mesure de protection",
    "Medida de protección",
    "تدبير الحماية",
    (
        E(
            "emergency_grant",
            "Emergency grant",
            "Aide financière d'urgence",
            "Subvención de emergencia",
            "منحة طارئة",
        ),
        E(
            "temporary_relocation",
            "Temporary relocation",
            "Réinstallation temporaire",
            "Reubicación temporal",
            "الانتقال المؤقت إلى مكان آمن",
        ),
        E(
            "legal_aid",
            "Legal aid or trial observation",
            "Aide juridique ou observation de procès",
            "Asistencia jurídica u observación de juicios",
            "المساعدة القانونية أو مراقبة المحاكمات",
        ),
        E(
            "medical_psychosocial",
            "Medical or psychosocial support",
            "Soutien médical ou psychosocial",
            "Apoyo médico o psicosocial",
            "الدعم الطبي أو النفسي والاجتماعي",
        ),
        E(
            "digital_security",
            "Digital security support",
            "Soutien en sécurité numérique",
            "Apoyo en seguridad digital",
            "الدعم في مجال الأمن الرقمي",
        ),
        E(
            "physical_security",
            "Physical security",
            "Sécurité physique",
            "Seguridad física",
            "الأمن المادي",
        ),
        E(
            "private_demarche",
            "Private démarche by a State",
            "Démarche privée d'un État",
            "Gestión diplomática privada de un Estado",
            "مسعى دبلوماسي خاص تقوم به دولة",
        ),
        E(
            "public_statement",
            "Public statement",
            "Déclaration publique",
            "Declaración pública",
            "بيان علني",
        ),
        E(
            "court_organ",
            "Request to an organ of the Court",
            "Demande à un organe de la Cour",
            "Solicitud a un órgano de la Corte",
            "طلب إلى جهاز من أجهزة المحكمة",
            E(
                "court_organ.victims_witnesses",
                "Registry's Victims and Witnesses Section (victims and witnesses)",
                "Section de l'aide aux victimes et aux témoins du Greffe (victimes et témoins)",
                "Sección de Víctimas y Testigos de la Secretaría (víctimas y testigos)",
                "قسم المجني عليهم والشهود في قلم المحكمة (المجني عليهم والشهود)",
            ),
            E(
                "court_organ.prosecutor_article_70",
                "Office of the Prosecutor "
                "(offences against the administration of justice, article 70)",
                "Bureau du Procureur (atteintes à l'administration de la justice, article 70)",
                "Fiscalía (delitos contra la administración de justicia, artículo 70)",
                "مكتب المدعي العام (الأفعال المخلة بإقامة العدل، المادة 70)",
            ),
        ),
        E(
            "un_advocacy",
            "Advocacy with UN mechanisms",
            "Plaidoyer auprès des mécanismes des Nations Unies",
            "Incidencia ante los mecanismos de las Naciones Unidas",
            "المناصرة لدى آليات الأمم المتحدة",
        ),
        E("other", "Other", "Autre", "Otra", "أخرى"),
    ),
)

#: The areas of the vulnerability and capacity checklists (Protection International's
#: protection manual), shared by both lists.
_AREAS = {
    "location": (
        "Location and physical security",
        "Lieu de vie et sécurité physique",
        "Ubicación y seguridad física",
        "المكان والأمن المادي",
    ),
    "digital": (
        "Communications and digital",
        "Communications et numérique",
        "Comunicaciones y entorno digital",
        "الاتصالات والأمن الرقمي",
    ),
    "legal": ("Legal", "Situation juridique", "Situación jurídica", "الوضع القانوني"),
    "psychosocial": ("Psychosocial", "Psychosocial", "Psicosocial", "الجانب النفسي والاجتماعي"),
    "economic": ("Economic", "Économique", "Económico", "الجانب الاقتصادي"),
    "networks": (
        "Networks and visibility",
        "Réseaux et visibilité",
        "Redes y visibilidad",
        "الشبكات والظهور العلني",
    ),
    "family": (
        "Family and dependants",
        "Famille et personnes à charge",
        "Familia y personas a cargo",
        "الأسرة والمُعالون",
    ),
}


def _area(code: str, *items: Entry) -> Entry:
    return E(code, *_AREAS[code], *items)


#: What makes the defender more exposed. Administrators may add items.
VULNERABILITY = Vocabulary(
    "vulnerability",
    "Vulnerabilities",
    "Vulnérabilités",
    "Vulnerabilidades",
    "مواطن الضعف",
    (
        _area(
            "location",
            E(
                "location.home_known",
                "Home or workplace known to those threatening, or hard to secure",
                "Domicile ou lieu de travail connu des auteurs des menaces, "
                "ou difficile à sécuriser",
                "Domicilio o lugar de trabajo conocido por quienes amenazan, o difícil de proteger",
                "مكان السكن أو العمل معروف لمن يوجّهون التهديد أو يصعب تأمينه",
            ),
            E(
                "location.routines",
                "Predictable routes and routines",
                "Trajets et habitudes prévisibles",
                "Trayectos y rutinas previsibles",
                "تنقلات وعادات يمكن توقّعها",
            ),
        ),
        _area(
            "digital",
            E(
                "digital.devices",
                "Devices or accounts without protection",
                "Appareils ou comptes non protégés",
                "Dispositivos o cuentas sin protección",
                "أجهزة أو حسابات غير محمية",
            ),
            E(
                "digital.contacts_exposed",
                "Contacts and communications exposed",
                "Contacts et communications exposés",
                "Contactos y comunicaciones expuestos",
                "جهات الاتصال والمراسلات مكشوفة",
            ),
        ),
        _area(
            "legal",
            E(
                "legal.no_lawyer",
                "No access to a lawyer",
                "Pas d'accès à un avocat",
                "Sin acceso a un abogado",
                "لا سبيل إلى محامٍ",
            ),
            E(
                "legal.proceedings",
                "Pending proceedings or insecure legal status",
                "Procédures en cours ou statut juridique précaire",
                "Procesos en curso o situación jurídica precaria",
                "إجراءات قضائية جارية أو وضع قانوني هش",
            ),
        ),
        _area(
            "psychosocial",
            E(
                "psychosocial.strain",
                "Exhaustion, fear or trauma weighing on decisions",
                "Épuisement, peur ou traumatisme qui pèsent sur les décisions",
                "Agotamiento, miedo o trauma que pesan en las decisiones",
                "إنهاك أو خوف أو صدمة تؤثر في القرارات",
            ),
        ),
        _area(
            "economic",
            E(
                "economic.no_reserves",
                "No income or savings to fall back on",
                "Aucun revenu ni épargne de réserve",
                "Sin ingresos ni ahorros de reserva",
                "لا دخل ولا مدخرات احتياطية",
            ),
        ),
        _area(
            "networks",
            E(
                "networks.isolated",
                "Isolated: no organisation or network to call on",
                "Isolement : aucune organisation ni aucun réseau à qui faire appel",
                "Aislamiento: ninguna organización ni red a la que acudir",
                "عزلة: لا منظمة ولا شبكة يمكن اللجوء إليها",
            ),
            E(
                "networks.exposed_profile",
                "Public profile drawing attention",
                "Notoriété publique qui attire l'attention",
                "Perfil público que atrae la atención",
                "ظهور علني يلفت الانتباه",
            ),
        ),
        _area(
            "family",
            E(
                "family.exposed",
                "Family or dependants exposed or relying on the person",
                "Famille ou personnes à charge exposées ou dépendantes de la personne",
                "Familia o personas a cargo expuestas o que dependen de la persona",
                "أفراد الأسرة أو المُعالون معرّضون للخطر أو يعتمدون على الشخص",
            ),
        ),
    ),
)

#: What protects the defender. Administrators may add items.
CAPACITY = Vocabulary(
    "capacity",
    "Capacities",
    "Capacités",
    "Capacidades",
    "القدرات",
    (
        _area(
            "location",
            E(
                "location.safe_place",
                "A safe place to go at short notice",
                "Un lieu sûr où aller sans délai",
                "Un lugar seguro al que ir sin demora",
                "مكان آمن يمكن الانتقال إليه دون تأخير",
            ),
            E(
                "location.security_plan",
                "A security plan that is followed",
                "Un plan de sécurité appliqué",
                "Un plan de seguridad que se aplica",
                "خطة أمنية مطبّقة",
            ),
        ),
        _area(
            "digital",
            E(
                "digital.secure_communications",
                "Secure communications and devices",
                "Communications et appareils sécurisés",
                "Comunicaciones y dispositivos seguros",
                "اتصالات وأجهزة آمنة",
            ),
        ),
        _area(
            "legal",
            E(
                "legal.lawyer_ready",
                "A lawyer ready to act",
                "Un avocat prêt à agir",
                "Un abogado listo para actuar",
                "محامٍ مستعد للتحرك",
            ),
        ),
        _area(
            "psychosocial",
            E(
                "psychosocial.support",
                "Psychosocial support within reach",
                "Un soutien psychosocial accessible",
                "Apoyo psicosocial al alcance",
                "دعم نفسي واجتماعي متاح",
            ),
        ),
        _area(
            "economic",
            E(
                "economic.emergency_funds",
                "Money or resources for an emergency",
                "De l'argent ou des ressources en cas d'urgence",
                "Dinero o recursos para una emergencia",
                "مال أو موارد لحالات الطوارئ",
            ),
        ),
        _area(
            "networks",
            E(
                "networks.quick_response",
                "A network or organisation that can react quickly",
                "Un réseau ou une organisation capable de réagir vite",
                "Una red u organización capaz de reaccionar rápido",
                "شبكة أو منظمة قادرة على التحرك بسرعة",
            ),
            E(
                "networks.international",
                "Contacts with international actors (embassies, the UN, the Court)",
                "Des contacts avec des acteurs internationaux (ambassades, Nations Unies, Cour)",
                "Contactos con actores internacionales (embajadas, Naciones Unidas, la Corte)",
                "صلات بجهات دولية (السفارات، الأمم المتحدة، المحكمة)",
            ),
        ),
        _area(
            "family",
            E(
                "family.plan",
                "Family members know the risks and have a plan",
                "Les proches connaissent les risques et ont un plan",
                "Los familiares conocen los riesgos y tienen un plan",
                "أفراد الأسرة على دراية بالمخاطر ولديهم خطة",
            ),
        ),
    ),
)

VOCABULARIES: tuple[Vocabulary, ...] = (
    REPRISAL_TYPE,
    ENGAGEMENT,
    DEFENDER_PROFILE,
    TARGET,
    PERPETRATOR,
    INVOLVEMENT,
    CONFIDENCE,
    PROTECTION_MEASURE,
    VULNERABILITY,
    CAPACITY,
)
