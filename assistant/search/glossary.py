"""The field's acronyms and terms: query expansion, English-to-Dutch search terms, and the UI glossary.

One curated list, so "wat is oogo", "op overeenstemming gericht overleg" and "consultation aimed at
agreement" all search for the same thing, and the sidebar explains the same words the search knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.textutils import normalize


@dataclass(frozen=True)
class Term:
    abbreviation: str
    full: str
    explanation: str
    english: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


GLOSSARY: tuple[Term, ...] = (
    Term("OOGO", "op overeenstemming gericht overleg",
         "Verplicht overleg tussen gemeente en samenwerkingsverband over elkaars plannen (ondersteuningsplan, jeugdplan).",
         ("consultation aimed at agreement", "consultation aimed at reaching agreement", "agreement-oriented consultation"),
         ("overeenstemmingsgericht overleg",)),
    Term("SWV", "samenwerkingsverband passend onderwijs",
         "Verband van schoolbesturen in een regio dat zorgt voor passend onderwijs; apart voor po en vo.",
         ("school partnership", "school partnerships", "school alliance", "partnership for inclusive education",
          "samenwerkingsverband"),
         ("samenwerkingsverbanden",)),
    Term("PO", "primair onderwijs", "Basisonderwijs, speciaal basisonderwijs en speciaal onderwijs.",
         ("primary education", "primary school", "primary schools")),
    Term("VO", "voortgezet onderwijs", "Middelbaar onderwijs na de basisschool.",
         ("secondary education", "secondary school", "secondary schools")),
    Term("JGZ", "jeugdgezondheidszorg", "Zorg van jeugdartsen en -verpleegkundigen voor alle kinderen van 0 tot 18 jaar.",
         ("youth health care", "youth healthcare")),
    Term("LEA", "lokale educatieve agenda", "Lokaal overleg van gemeente en onderwijs over gezamenlijke onderwijsthema's.",
         ("local education agenda", "local educational agenda")),
    Term("REA", "regionale educatieve agenda", "Regionale variant van de lokale educatieve agenda.",
         ("regional education agenda",)),
    Term("RMC", "regionale meld- en coördinatiefunctie voortijdig schoolverlaten",
         "Regionale functie die voortijdig schoolverlaters registreert en begeleidt.",
         ("regional reporting and coordination", "early school leavers"), ("regionale meld- en coördinatiepunten",)),
    Term("OPP", "ontwikkelingsperspectief", "Plan met het verwachte uitstroomniveau en de ondersteuning van een leerling.",
         ("development perspective", "development plan")),
    Term("VVE", "voor- en vroegschoolse educatie", "Educatie voor jonge kinderen met een risico op achterstand.",
         ("early childhood education",)),
    Term("AOJ", "aansluiting onderwijs en jeugdhulp", "De verbinding tussen onderwijs en jeugdhulp; ook de naam van een monitor.",
         ("connection between education and youth care",)),
    Term("BMK", "Bindende afspraken Met Kwaliteitskompas",
         "Aanpak voor langdurig bindende afspraken tussen gemeenten, onderwijs en jeugdhulp.",
         ("binding agreements",), ("kwaliteitskompas",)),
    Term("IB'er", "intern begeleider", "Leerkracht die op school de leerlingenzorg coördineert.",
         ("internal supervisor", "special needs coordinator", "pupil support coordinator"), ("ib er", "ib-er", "iber")),
    Term("sbo", "speciaal basisonderwijs", "Basisonderwijs voor kinderen die meer ondersteuning nodig hebben.",
         ("special primary education",)),
    Term("so", "speciaal onderwijs", "Onderwijs op een school voor kinderen met een beperking of stoornis.",
         ("special education", "special needs education")),
    Term("vso", "voortgezet speciaal onderwijs", "Speciaal onderwijs voor het voortgezet onderwijs.",
         ("secondary special education",), ("(v)so",)),
    Term("lwoo", "leerwegondersteunend onderwijs", "Extra ondersteuning in het vmbo.",
         ("learning support", "learning pathway support")),
    Term("pro", "praktijkonderwijs", "Praktijkgerichte vorm van voortgezet onderwijs.",
         ("practical education", "practical training")),
    Term("mbo", "middelbaar beroepsonderwijs", "Beroepsonderwijs na het vo.", ("vocational education", "vocational school")),
    Term("Wpo", "Wet op het primair onderwijs", "De wet voor het basisonderwijs; artikel 18a gaat over samenwerkingsverbanden.",
         ("primary education act",)),
    Term("WVO 2020", "Wet voortgezet onderwijs 2020",
         "De wet voor het voortgezet onderwijs; artikel 2.47 gaat over samenwerkingsverbanden.",
         ("secondary education act",), ("wvo",)),
    Term("WEC", "Wet op de expertisecentra", "De wet voor speciaal en voortgezet speciaal onderwijs.",
         ("expertise centres act",)),
    Term("Awb", "Algemene wet bestuursrecht", "De algemene wet over besluiten en bezwaar van bestuursorganen.",
         ("general administrative law act",)),
    Term("TLV", "toelaatbaarheidsverklaring",
         "Verklaring van het samenwerkingsverband dat een leerling naar het (v)so of sbo mag.",
         ("admissibility statement", "admission statement")),
)

# English policy words without an acronym, mapped to the Dutch words the sources use.
ENGLISH_TERMS: dict[str, str] = {
    "municipality": "gemeente", "municipalities": "gemeenten", "local authority": "gemeente",
    "council": "gemeenteraad", "municipal council": "gemeenteraad", "aldermen": "burgemeester en wethouders",
    "mayor and aldermen": "college van burgemeester en wethouders", "executive": "college",
    "youth care": "jeugdhulp", "youth services": "jeugdhulp", "youth assistance": "jeugdhulp",
    "youth act": "Jeugdwet", "youth plan": "jeugdplan plan preventie jeugdhulp",
    "support plan": "ondersteuningsplan", "support structure": "ondersteuningsstructuur",
    "inclusive education": "passend onderwijs", "appropriate education": "passend onderwijs",
    "compulsory education": "leerplicht", "compulsory education act": "Leerplichtwet", "truancy": "verzuim",
    "school board": "bevoegd gezag schoolbestuur", "school boards": "schoolbesturen", "competent authority": "bevoegd gezag",
    "dispute": "geschil", "disputes": "geschillen", "disagreement": "geschil", "procedure": "procedure",
    "cooperation": "samenwerking", "collaboration": "samenwerking", "work together": "samenwerken",
    "working principles": "werkzame principes", "effective principles": "werkzame principes",
    "building blocks": "bouwstenen", "quality compass": "kwaliteitskompas", "urgency": "urgentie",
    "parents": "ouders", "pupil": "leerling", "pupils": "leerlingen", "student": "leerling", "students": "leerlingen",
    "children": "kinderen", "young people": "jongeren", "teacher": "leerkracht", "teachers": "leerkrachten",
    "school": "school", "schools": "scholen", "article": "artikel", "paragraph": "lid", "subsection": "lid",
    "law": "wet", "act": "wet", "inspectorate": "inspectie", "minister": "minister", "plan": "plan",
    "adopted": "vastgesteld", "adopt": "vaststellen", "before": "voordat", "must": "moet",
    "confidential adviser": "vertrouwenspersoon", "support": "ondersteuning", "extra support": "extra ondersteuning",
    "monitor": "monitor", "professionals": "professionals", "prevention": "preventie",
}

ENGLISH_MARKERS = frozenset(
    "what which who how why when where does do is are the of and should must can could would "
    "municipality school youth care partnership support plan please tell explain about".split()
)
_ENGLISH_QUESTION_WORDS = frozenset("what which who how why when where does do is are can should must".split())
DUTCH_MARKERS = frozenset(
    "wat welke wie hoe waarom wanneer waar is zijn de het een van en moet moeten kan kunnen "
    "gemeente samenwerkingsverband over bij voor met".split()
)


def looks_english(question: str) -> bool:
    """A cheap language guess: enough English function words and more of them than Dutch ones."""
    words = normalize(question).split()
    english = sum(word in ENGLISH_MARKERS for word in words)
    dutch = sum(word in DUTCH_MARKERS for word in words)
    asks_in_english = any(word in _ENGLISH_QUESTION_WORDS for word in words)
    return (english >= 2 and english > dutch) or (asks_in_english and dutch == 0 and len(words) >= 2)


def _contains(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def expansions(question: str) -> list[str]:
    """Dutch terms to add to a search: the full form of each acronym, the acronym of each full form,
    and the Dutch words for English field terms. The question itself is not repeated."""
    text = normalize(question)
    english = looks_english(question)
    added: list[str] = []
    for term in GLOSSARY:
        forms = [term.full, *term.variants]
        # Lowercase acronyms like "so" and "pro" are ordinary words in an English question.
        acronym_counts = not (english and term.abbreviation.islower())
        names_full_form = any(_contains(text, normalize(form)) for form in forms)
        if (acronym_counts and _contains(text, normalize(term.abbreviation))) or names_full_form:
            added.extend([term.abbreviation, term.full])
        elif any(_contains(text, normalize(phrase)) for phrase in term.english):
            added.extend([term.full, term.abbreviation])
    for english, dutch in sorted(ENGLISH_TERMS.items(), key=lambda item: -len(item[0])):
        if _contains(text, english) and dutch.lower() not in added:
            added.append(dutch)
    return [term for term in dict.fromkeys(added) if not _contains(text, normalize(term))]
