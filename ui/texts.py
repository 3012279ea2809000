"""Every Dutch word the app itself shows (the answers are the engine's), kept together for one tone."""

from __future__ import annotations

import math

from assistant.messages import TYPE_NOUNS_NL

APP_TITLE = "Samenwerkingsassistent"
# The page heading: a soft hyphen lets the one long word break as "Samenwerkings-assistent" on a narrow screen.
APP_HEADING = "Samenwerkings\u00adassistent"
APP_ICON = ":material/handshake:"
PAGE_CHAT = "Vragen stellen"
PAGE_UPLOAD = "Documenten uploaden"

LOADING = "Het zoekmodel en de index met documenten worden geladen…"
SEARCHING = "Ik zoek in de bronnen…"
CHAT_PLACEHOLDER = "Stel een vraag over OOGO, passend onderwijs of jeugdhulp…"

INTRO = "Stel een vraag; elk antwoord citeert letterlijk uit de bronnen, met een verwijzing naar de passage."
KNOWS = "Ik beantwoord vragen uit **{count} {documents}**: {parts}."
NO_DOCUMENTS = (
    "Er zijn nog geen documenten ingelezen. Voeg documenten toe via **Documenten uploaden**, "
    "of laat de beheerder `assistant ingest` uitvoeren."
)
EXAMPLES_LEAD = "Probeer bijvoorbeeld:"
REFUSAL_EXAMPLES_LEAD = "Hierover kan ik wel antwoorden:"

TYPE_NOUNS = TYPE_NOUNS_NL
"""Counted nouns for the start line: (one, many); the engine's refusals count documents with the same words."""

SEARCHED_FOR = "Gezocht op: {query}"
TYPO_FIXED = "Bedoelde u {fixes}?"
TYPO_FIX = "*{searched}* (u typte *{typed}*)"
STOP = "Stoppen"
UNANSWERED = "Deze vraag is niet beantwoord: het antwoord werd onderbroken (de pagina werd herladen of er kwam een nieuwe vraag)."
ASK_AGAIN = "Opnieuw vragen"
FOLLOW_UPS_LEAD = "Verder vragen:"
FILTERED_ON = "Alleen gezocht in: {types}"
FILTER_HINT = "Buiten uw filter staat een passage die beter bij de vraag past (type: {type})."
FILTER_SEARCH_ALL = "Zoek in alle documenten"
SOURCES = "Bronnen"
COPY = "Antwoord kopiëren"
COPIED = "Gekopieerd"
UNFOLD = "Lees het hele antwoord"
FOLD = "Minder tonen"
LEAD_IN_ONLY = "Wat na de dubbele punt volgt, staat in de bron hieronder."
SOURCE_LINK = "Bekijk de bron"
SOURCE_IN_DOCUMENT = "Lees het in het hele document"
SOURCE_LAW_LINK = "Bekijk {reference} op wetten.overheid.nl"
SOURCE_MISSING = "Deze passage staat niet meer in de index (het document is intussen gewijzigd of verwijderd)."
QUOTED = "Geciteerd:"
OUTDATED_BADGE = "verouderde wettekst"
OUTDATED_NOTE = "Let op: dit is een vervallen versie van de wet. Controleer de geldende tekst op wetten.overheid.nl."

FEEDBACK_UP = "Goed antwoord"
FEEDBACK_DOWN = "Geen goed antwoord"
SELECT_ALL = "Alles selecteren"

# What a screen reader announces of Streamlit's own controls (ui/style.py puts these in place of the English).
SKIP_TO_QUESTION = "Naar het vraagveld"
SKIP_TO_CONTENT = "Naar de inhoud"
SEND_QUESTION = "Vraag versturen"
SIDEBAR_OPEN = "Zijbalk openen"
SIDEBAR_CLOSE = "Zijbalk sluiten"
SIDEBAR_LABEL = "Zijbalk"
PAGES_LABEL = "Pagina's"
MAIN_MENU = "Hoofdmenu"
HEADING_LINK = "Link naar deze kop"
OPEN = "Openen"
CLOSE = "Sluiten"
CLEAR = "Wissen"
CLEAR_ALL = "Alles wissen"
RATING = "Beoordeling"
BUSY = "Bezig…"
MESSAGE_FROM_ASSISTANT = "Antwoord van de assistent"
MESSAGE_FROM_USER = "Uw vraag"
ADD_FILES = "Bestanden toevoegen"
PICK_FILES = "Bestanden kiezen"
RETRY_UPLOAD = "Klik om opnieuw te uploaden"
SHOW_PASSWORD = "Wachtwoord tonen"
HIDE_PASSWORD = "Wachtwoord verbergen"
PRESS_TO_SUBMIT = "Druk op $1 om te versturen"
PRESS_TO_APPLY = "Druk op $1 om toe te passen"
# "$1" is what the English label named (a widget, a file): JavaScript's replacement syntax.
HELP_FOR = "Uitleg bij $1"
REMOVE_NAMED = "$1 verwijderen"
CANCEL_UPLOAD_OF = "Uploaden van $1 annuleren"
FEEDBACK_THANKS = "Bedankt voor uw beoordeling."
FEEDBACK_COMMENT = "Toelichting (optioneel)"
FEEDBACK_COMMENT_HELP = "Wat was goed of wat ontbrak er? Uw toelichting helpt de assistent te verbeteren."
FEEDBACK_SEND = "Versturen"
FEEDBACK_SAVED = "Uw toelichting is opgeslagen. Dank u wel!"

ENGINE_ERROR = "Dat lukte niet: {message}"
UNEXPECTED_ERROR = (
    "Er ging onverwacht iets mis. Probeer het nog eens; blijft het misgaan, meld het dan aan de beheerder."
)

SIDEBAR_FILTER = "Zoek alleen in"
SIDEBAR_FILTER_PLACEHOLDER = "Alle documenttypen"
SIDEBAR_FILTER_HELP = "Laat leeg om in alle documenten te zoeken."
SIDEBAR_NEW_CHAT = "Nieuw gesprek"
SIDEBAR_DOWNLOAD = "Gesprek downloaden"
SIDEBAR_CONVERSATIONS = "Eerdere gesprekken ({count})"
SIDEBAR_NO_CONVERSATIONS = "Nog geen gesprekken bewaard."
SIDEBAR_CONVERSATION_LINE = "{date} · {questions}"
SIDEBAR_DELETE_CONVERSATION = "Gesprek verwijderen"
SIDEBAR_CONVERSATIONS_KEPT = (
    "Gesprekken worden {days} dagen bewaard. Deel een gesprek met de link in de adresbalk: wie die link opent, "
    "kan dat ene gesprek lezen, niet uw andere gesprekken."
)
SIDEBAR_OWN_BROWSER = "Alleen zichtbaar in deze browser."
SIDEBAR_OWN_USER = "Gesprekken van {user}."
SHARED_CONVERSATION = (
    "Dit is een gedeeld gesprek van iemand anders: u kunt het lezen, niet wijzigen of verwijderen. Stelt u een "
    "vraag, dan gaat het verder als uw eigen gesprek (een kopie); het origineel blijft zoals het is."
)
CONVERSATION_UNAVAILABLE = (
    "Dat gesprek is niet beschikbaar: het is van voor de tijd dat gesprekken een eigenaar hadden, of verwijderd. "
    "U begint een nieuw gesprek."
)
SIDEBAR_DOCUMENTS = "Documenten in de index ({count})"
SIDEBAR_DOCUMENT_LINE = "{type} · {date} · {passages}"
SIDEBAR_DOCUMENT_OPEN = "Tekst van {title} lezen"
DOCUMENT_LINE = "{type} · {date} · {publisher}"
DOCUMENT_GONE = "Dit document staat niet meer in de index."
SIDEBAR_DATE_UNKNOWN = "datum onbekend"
SIDEBAR_GLOSSARY = "Begrippenlijst"
SIDEBAR_BACKEND = "Antwoorden: {label}"
BACKEND_LABELS = {
    "extractive": "letterlijke citaten uit de bronnen (werkt offline)",
    "openai": "taalmodel via een OpenAI-compatibele server",
    "ollama": "taalmodel via Ollama",
    "local": "lokaal taalmodel",
}

EXPORT_TITLE = "Gesprek met de Samenwerkingsassistent"
EXPORT_DATE = "Gedownload op {date}."
EXPORT_QUESTION = "Vraag {n}: {question}"
EXPORT_NO_ANSWER = "_Geen antwoord uit de bronnen._"
EXPORT_UNANSWERED = "_Niet beantwoord (het antwoord werd onderbroken)._"
EXPORT_FILE = "gesprek-samenwerkingsassistent-{stamp}.md"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

UPLOAD_TITLE = "Documenten uploaden"
UPLOAD_INTRO = (
    "Voeg eigen documenten toe aan de bronnen van de assistent: {types}, maximaal {max_mb:.0f} MB per bestand. "
    "Een bestand met dezelfde naam vervangt de eerdere versie."
)
UPLOAD_LOCAL = (
    "Uploaden is toegestaan omdat de assistent alleen op deze computer bereikbaar is. "
    "Stel `ASSISTENT_ADMIN_PASSWORD` in om uploaden ook op een gedeelde server toe te staan."
)
UPLOAD_CLOSED = (
    "Uploaden is uitgeschakeld: de assistent is vanaf andere computers bereikbaar en er is geen "
    "beheerderswachtwoord ingesteld. De beheerder kan `ASSISTENT_ADMIN_PASSWORD` instellen."
)
UPLOAD_PASSWORD = "Beheerderswachtwoord"
UPLOAD_UNLOCK = "Ontgrendelen"
UPLOAD_WRONG_PASSWORD = "Dat wachtwoord klopt niet."
UPLOAD_LOCKED = "Te veel onjuiste wachtwoorden. Probeer het over {wait} opnieuw."
UPLOAD_PICK = "Kies een of meer bestanden"
UPLOAD_DROP = "Sleep bestanden hierheen (maximaal $1 MB per bestand)"
UPLOAD_BROWSE = "Bladeren"
UPLOAD_START = "Inlezen"
UPLOAD_TYPE_REFUSED = "Dit bestandstype wordt niet ondersteund."
UPLOAD_TOO_LARGE = "Dit bestand is groter dan $1."
# Streamlit writes a file's size as "12.0B" or "1.5MB"; these read "12 bytes", "1,5 MB".
SIZE_BYTES = "$1 bytes"
SIZE_UNITS = "$1,$2 $3"
UPLOAD_STAGE = "{stage} {done}/{total}"
UPLOAD_SAVING = "Bestanden controleren…"
UPLOAD_DONE = "Klaar: {names} ingelezen. U kunt er nu vragen over stellen."
UPLOAD_REPLACED = "{name} vervangt de eerdere versie ({replaced}): alleen de nieuwe staat in de index."
UPLOAD_REJECTED = "Niet toegevoegd: **{name}**: {reason}."
UPLOAD_SKIPPED = "Overgeslagen bij het inlezen: **{path}**: {reason}."
UPLOAD_LIST = "Geüploade documenten"
UPLOAD_NONE = "Er zijn nog geen documenten geüpload."
UPLOAD_DOCUMENT_LINE = "{file} · {passages}"
UPLOAD_NOT_INDEXED = "{file} · nog niet ingelezen"
UPLOAD_REMOVE = "Verwijderen"
UPLOAD_REMOVED = "{name} is verwijderd ({passages} uit de index gehaald)."


def question_count(n: int) -> str:
    return f"{n} vraag" if n == 1 else f"{n} vragen"


def upload_locked(seconds: float) -> str:
    """The lock-out message, the wait rounded up to whole minutes ("1 minuut", "10 minuten")."""
    minutes = max(1, math.ceil(seconds / 60))
    return UPLOAD_LOCKED.format(wait=f"{minutes} minuut" if minutes == 1 else f"{minutes} minuten")


def passage_count(n: int) -> str:
    return f"{n} passage" if n == 1 else f"{n} passages"


_UNKNOWN = "onbekend"


def known_date(date: str | None) -> str | None:
    """A document's date as a reader says it ("2026-08-01" reads "1 augustus 2026"; "oktober 2021" stays),
    or None where the front matter has none or says it is unknown ("onbekend (na oktober 2022)")."""
    date = (date or "").strip()
    if not date or date.lower().startswith(_UNKNOWN):
        return None
    parts = date.split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts) and 1 <= int(parts[1]) <= 12:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return date


def document_date(date: str | None) -> str:
    """The date for a document's own line: `known_date`, else "datum onbekend" with what the source adds."""
    if known := known_date(date):
        return known
    rest = (date or "").strip()[len(_UNKNOWN):].strip()
    return f"{SIDEBAR_DATE_UNKNOWN} {rest}" if rest else SIDEBAR_DATE_UNKNOWN
