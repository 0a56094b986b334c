"""What seed_demo's invented stories are made of: places, names, organisations,
events, narratives and messages in each language. Invented: any likeness to real
people is accidental."""

from __future__ import annotations

# --- What the stories are made of -------------------------------------------------------

#: Per language: (place, ISO country, ICC situation code or "").
PLACES: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("Gulu", "UG", "uganda"),
        ("Lira", "UG", "uganda"),
        ("Eldoret", "KE", "kenya"),
        ("Kisumu", "KE", "kenya"),
        ("Davao", "PH", "philippines"),
        ("Herat", "AF", "afghanistan"),
        ("Kharkiv", "UA", "ukraine"),
        ("Cox's Bazar", "BD", "bangladesh_myanmar"),
        ("Maiduguri", "NG", "nigeria"),
        ("Gori", "GE", "georgia"),
    ],
    "fr": [
        ("Bunia", "CD", "drc"),
        ("Goma", "CD", "drc"),
        ("Bangui", "CF", "car_ii"),
        ("Bambari", "CF", "car_ii"),
        ("Gao", "ML", "mali"),
        ("Mopti", "ML", "mali"),
        ("Duékoué", "CI", "cote_d_ivoire"),
        ("Gitega", "BI", "burundi"),
    ],
    "es": [
        ("Caracas", "VE", "venezuela_i"),
        ("Maracaibo", "VE", "venezuela_i"),
        ("Barquisimeto", "VE", "venezuela_i"),
        ("San Cristóbal", "VE", "venezuela_ii"),
        ("Cúcuta", "CO", ""),
        ("Tegucigalpa", "HN", ""),
    ],
    "ar": [
        ("الفاشر", "SD", "darfur"),
        ("نيالا", "SD", "darfur"),
        ("الجنينة", "SD", "darfur"),
        ("طرابلس", "LY", "libya"),
        ("بنغازي", "LY", "libya"),
        ("الخليل", "PS", "palestine"),
        ("رام الله", "PS", "palestine"),
    ],
}

FIRST_NAMES = {
    "en": ["Grace", "Samuel", "Esther", "Joseph", "Ruth", "Daniel", "Maria", "Halima"],
    "fr": ["Aline", "Clarisse", "Didier", "Espérance", "Jean-Claude", "Mariam", "Rosine", "Serge"],
    "es": ["Lucía", "Andrés", "Marisol", "Javier", "Carmen", "Yolanda", "Ricardo", "Nelson"],
    "ar": ["مريم", "أحمد", "فاطمة", "يوسف", "آمنة", "عمر", "هدى", "خالد"],
}
LAST_NAMES = {
    "en": ["Okello", "Achieng", "Mwangi", "Atim", "Dela Cruz", "Rahimi", "Kovalenko", "Otieno"],
    "fr": ["Mukendi", "Nzeyimana", "Kouassi", "Ngoy", "Bizimana", "Yambéré", "Diarra", "Kalonji"],
    "es": [
        "Rangel",
        "Quintero",
        "Salcedo",
        "Urdaneta",
        "Villalobos",
        "Parra",
        "Colmenares",
        "Lugo",
    ],
    "ar": ["الطاهر", "عبد الرحمن", "إدريس", "النور", "المبروك", "حماد", "الزين", "سليمان"],
}
ORGANISATIONS = {
    "en": [
        "the River Valley Victims' Association",
        "Mothers for Truth",
        "the Community Justice Forum",
        "the Northern Documentation Project",
    ],
    "fr": [
        "le Collectif des victimes du Nord",
        "l'Observatoire citoyen pour la justice",
        "Femmes debout pour la vérité",
        "la Ligue des familles de disparus",
    ],
    "es": [
        "el Colectivo Memoria y Justicia",
        "la Red de Familiares de Víctimas",
        "el Observatorio Ciudadano de Derechos",
        "Madres por la Verdad",
    ],
    "ar": [
        "رابطة ضحايا الوادي",
        "مرصد العدالة المدني",
        "جمعية أمهات من أجل الحقيقة",
        "مركز توثيق الانتهاكات",
    ],
}
EVENTS = {
    "en": [
        "the side event at the Assembly of States Parties",
        "a meeting with the Office of the Prosecutor",
        "a victims' consultation organised by the Registry",
        "a training for the Court's intermediaries",
    ],
    "fr": [
        "l'événement parallèle de l'Assemblée des États Parties",
        "une réunion avec le Bureau du Procureur",
        "une consultation des victimes organisée par le Greffe",
        "une formation pour les intermédiaires de la Cour",
    ],
    "es": [
        "el evento paralelo de la Asamblea de los Estados Partes",
        "una reunión con la Fiscalía",
        "una consulta con víctimas organizada por la Secretaría",
        "una capacitación para intermediarios de la Corte",
    ],
    "ar": [
        "الفعالية الجانبية لجمعية الدول الأطراف",
        "اجتماع مع مكتب المدعي العام",
        "مشاورة مع الضحايا نظّمها قلم المحكمة",
        "دورة تدريبية لوسطاء المحكمة",
    ],
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}
NARRATIVES = {
    "en": [
        "On {when}, after I spoke at {event}, two men in plain clothes followed me from our "
        "office in {place} to my home. The next day {name} received a call: people from {org} "
        "should stop talking to the Court, or their families would pay. This is a threat to my "
        "life and I do not know who to trust.",
        "{name}, a member of {org}, was arrested in {place} on {when}. The police said it was an "
        "old tax matter, but the questions were only about the victims we helped to apply to "
        "the ICC. We do not know where {name} is detained.",
        "Since {when} I receive messages calling me a traitor and a foreign agent because of "
        "{event}. Someone published my home address in {place} and a photo of my children.",
        "Our office in {place} was raided on {when}. They took the laptops and the files of the "
        "victims who took part in {event}. {name} was beaten and is in hospital.",
        "I was due to travel to {event}, but on {when} my passport was taken at the airport in "
        "{place}. They said I cannot leave the country while I work for foreigners.",
    ],
    "fr": [
        "Le {when}, après mon intervention à {event}, deux hommes en civil m'ont suivi·e de notre "
        "bureau de {place} jusque chez moi. Le lendemain, {name} a reçu un appel : les gens de "
        "{org} doivent cesser de parler à la Cour, sinon leurs familles paieront. C'est une "
        "menace de mort et je ne sais plus à qui faire confiance.",
        "{name}, membre de {org}, a été arrêté·e à {place} le {when}. La police parle d'une "
        "vieille affaire fiscale, mais les questions portaient uniquement sur les victimes que "
        "nous avons aidées à déposer une demande auprès de la CPI.",
        "Depuis le {when}, je reçois des messages qui me traitent de traître et d'agent de "
        "l'étranger à cause de {event}. Quelqu'un a publié mon adresse à {place}.",
        "Notre bureau de {place} a été perquisitionné le {when}. Ils ont emporté les ordinateurs "
        "et les dossiers des victimes qui ont participé à {event}. {name} a été frappé·e.",
        "Je devais me rendre à {event}, mais le {when} mon passeport a été confisqué à "
        "l'aéroport de {place}. On m'a dit que je ne pouvais pas quitter le pays.",
    ],
    "es": [
        "El {when}, después de hablar en {event}, dos hombres de civil me siguieron desde nuestra "
        "oficina en {place} hasta mi casa. Al día siguiente {name} recibió una llamada: la gente "
        "de {org} debe dejar de hablar con la Corte o sus familias lo pagarán. Es una amenaza de "
        "muerte y no sé en quién confiar.",
        "{name}, integrante de {org}, fue detenido en {place} el {when}. La policía habla de un "
        "asunto tributario antiguo, pero solo preguntaron por las víctimas que ayudamos a "
        "presentar solicitudes ante la CPI. No sabemos dónde está detenido.",
        "Desde el {when} recibo mensajes que me llaman traidora y agente extranjera por {event}. "
        "Alguien publicó mi dirección en {place} y una foto de mis hijos.",
        "Allanaron nuestra oficina en {place} el {when}. Se llevaron las computadoras y los "
        "expedientes de las víctimas que participaron en {event}. {name} fue golpeado.",
        "Tenía que viajar para {event}, pero el {when} me retuvieron el pasaporte en el "
        "aeropuerto de {place}. Me dijeron que no puedo salir del país.",
    ],
    "ar": [
        "في {when}، بعد أن تحدثت في {event}، تبعني رجلان بملابس مدنية من مكتبنا في {place} "
        "حتى منزلي. وفي اليوم التالي تلقّى {name} اتصالًا: على أعضاء {org} أن يتوقفوا عن "
        "التواصل مع المحكمة وإلا ستدفع عائلاتهم الثمن. هذا تهديد بالقتل ولا أعرف بمن أثق.",
        "اعتُقل {name}، عضو {org}، في {place} في {when}. تقول الشرطة إنها قضية ضريبية قديمة، "
        "لكن الأسئلة كانت عن الضحايا الذين ساعدناهم في التقدم بطلبات إلى المحكمة الجنائية الدولية.",
        "منذ {when} تصلني رسائل تصفني بالخائن والعميل الأجنبي بسبب {event}. "
        "ونشر أحدهم عنوان منزلي في {place}.",
        "داهموا مكتبنا في {place} في {when} وأخذوا الحواسيب وملفات الضحايا الذين شاركوا في "
        "{event}. تعرّض {name} للضرب وهو الآن في المستشفى.",
        "كان من المقرر أن أسافر إلى {event}، لكن في {when} صودر جواز سفري في مطار {place}. "
        "قالوا لي إنني لا أستطيع مغادرة البلاد.",
    ],
}
RESPONSIBLE = {
    "en": ["Men in plain clothes", "The police", "Unknown", "Soldiers at a checkpoint"],
    "fr": ["Des hommes en civil", "La police", "Inconnus", "Des militaires à un barrage"],
    "es": ["Hombres de civil", "La policía", "Desconocidos", "Militares en un retén"],
    "ar": ["رجال بملابس مدنية", "الشرطة", "مجهولون", "جنود عند حاجز"],
}
CONTACT = {
    "en": ["Through this website only", "Signal, evenings only", "Through my lawyer"],
    "fr": ["Uniquement par ce site", "Signal, le soir seulement", "Par mon avocate"],
    "es": ["Solo por este sitio", "Signal, solo por la noche", "A través de mi abogado"],
    "ar": ["عبر هذا الموقع فقط", "سيغنال، مساءً فقط", "عن طريق محاميّ"],
}
DESK_MESSAGES = {
    "en": [
        "Thank you for your report. A focal point is looking at it. Are you safe right now?",
        "Have the people who followed you come back since? Please tell us only what you can.",
        "We know a partner who may help with temporary relocation. May we share your first "
        "name with them?",
        "Please remember to clear this page from your browser history after reading.",
    ],
    "fr": [
        "Merci pour votre signalement. Un point focal l'examine. Êtes-vous en sécurité ?",
        "Les personnes qui vous ont suivi·e sont-elles revenues ? Dites-nous seulement ce que "
        "vous pouvez.",
        "Un partenaire pourrait aider à une relocalisation temporaire. Pouvons-nous lui donner "
        "votre prénom ?",
        "Pensez à effacer cette page de l'historique de votre navigateur.",
    ],
    "es": [
        "Gracias por su informe. Un punto focal lo está revisando. ¿Está a salvo ahora?",
        "¿Han vuelto las personas que la siguieron? Cuéntenos solo lo que pueda.",
        "Una organización aliada podría ayudar con una reubicación temporal. ¿Podemos darle su "
        "nombre de pila?",
        "Recuerde borrar esta página del historial del navegador.",
    ],
    "ar": [
        "شكرًا على بلاغك. تقوم إحدى جهات التنسيق بدراسته. هل أنت في أمان الآن؟",
        "هل عاد الأشخاص الذين تبعوك؟ أخبرنا فقط بما تستطيع.",
        "قد يساعد أحد الشركاء في نقل مؤقت. هل نستطيع مشاركة اسمك الأول معه؟",
        "تذكّر أن تحذف هذه الصفحة من سجل المتصفح.",
    ],
}
REPORTER_MESSAGES = {
    "en": [
        "Thank you. I am safe for now, staying with family.",
        "Yes, they came back yesterday evening and asked the neighbours about me.",
        "I agree, but only my first name please.",
        "My lawyer says the hearing was postponed again.",
    ],
    "fr": [
        "Merci. Je suis en sécurité pour l'instant, chez de la famille.",
        "Oui, ils sont revenus hier soir et ont interrogé les voisins.",
        "D'accord, mais seulement mon prénom.",
        "Mon avocat dit que l'audience a encore été reportée.",
    ],
    "es": [
        "Gracias. Por ahora estoy a salvo, con mi familia.",
        "Sí, volvieron anoche y preguntaron por mí a los vecinos.",
        "Estoy de acuerdo, pero solo mi nombre de pila.",
        "Mi abogada dice que la audiencia se aplazó otra vez.",
    ],
    "ar": [
        "شكرًا. أنا في أمان الآن، أقيم عند أقاربي.",
        "نعم، عادوا مساء أمس وسألوا الجيران عني.",
        "أوافق، لكن اسمي الأول فقط من فضلك.",
        "يقول محاميّ إن الجلسة أُجّلت مرة أخرى.",
    ],
}
REASONS = {
    "en": ["Not linked to engagement with the Court.", "The person is safe and asked to close."],
    "fr": ["Sans lien avec la coopération avec la Cour.", "La personne est en sécurité."],
    "es": ["Sin relación con la Corte.", "La persona está a salvo y pidió cerrar el caso."],
    "ar": ["لا صلة له بالتعامل مع المحكمة.", "الشخص في أمان وطلب إغلاق الملف."],
}
