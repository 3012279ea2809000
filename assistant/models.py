"""The typed values that travel between ingest, retrieval, answering and the front ends.

Field names here are read by other tools (the app, the eval harness, JSON consumers of
`assistant ask --json`), so they are part of the public contract: add fields, do not rename them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from langchain_core.documents import Document

OUTDATED_TYPE = "wetgeving (vervallen versie)"
"""Law texts that no longer apply: used only when a question asks about an old text."""
UPLOADED_TYPE = "geüpload"
"""Uploads, and files in a folder the corpus does not know: nobody vouched for them, so an answer that
quotes one says so (whatever their front matter claims, see assistant.ingest.loaders)."""

DOC_TYPES = (
    "wetgeving",
    "wetgeving (vervallen versie)",
    "handreiking",
    "praktijkvoorbeeld",
    "opinie",
    "samenvatting",
    UPLOADED_TYPE,
)


@dataclass(frozen=True)
class Passage:
    """One indexed chunk of a source document, the unit that is retrieved and cited."""

    id: str
    doc_id: str
    text: str
    title: str
    type: str
    position: int
    article: str | None = None
    lid: str | None = None
    page: int | None = None
    heading: str | None = None
    source_url: str | None = None
    short: str | None = None
    date: str | None = None
    publisher: str | None = None
    licence: str | None = None
    place: str | None = None
    bwb_id: str | None = None
    """The law's id in the BWB (e.g. BWBR0003420): with article and lid it makes a link to the article."""
    instructions: str | None = None
    """Sentences of the source that address the assistant, one per line: cut out of `text` at ingest
    (`assistant.ingest.screening`), kept here so the document can be flagged."""

    @property
    def reference(self) -> str:
        """Human-readable location, e.g. 'WPO art. 18a lid 9', 'p. 3' or 'p. 3, 2. Toezicht'."""
        return format_reference(self.short, self.article, self.lid, self.page, self.heading)

    def metadata(self) -> dict[str, Any]:
        """Flat metadata as stored in Chroma (no None values: Chroma rejects them)."""
        data = asdict(self)
        data.pop("text")
        data.pop("id")
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_metadata(cls, passage_id: str, text: str, metadata: dict[str, Any]) -> Passage:
        known = {name for name in cls.__dataclass_fields__ if name not in ("id", "text")}
        values = {key: value for key, value in metadata.items() if key in known}
        return cls(id=passage_id, text=text, **values)

    def to_document(self) -> Document:
        """The LangChain view of a passage, for users who plug our retrieval into their own chains."""
        return Document(id=self.id, page_content=self.text, metadata={"id": self.id, **self.metadata()})


def format_reference(
    short: str | None, article: str | None, lid: str | None, page: int | None, heading: str | None = None
) -> str:
    """A page is named with its section heading when it has one: a reader finds the place faster."""
    parts: list[str] = []
    if article:
        parts.append(f"{short} art. {article}" if short else f"art. {article}")
        if lid:
            parts.append(f"lid {lid}")
    elif page:
        parts.append(f"p. {page}, {heading}" if heading else f"p. {page}")
    return " ".join(parts)


@dataclass
class ScoredPassage:
    """A passage with the scores that ranked it; `score` is the final rank score."""

    passage: Passage
    score: float
    dense: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class IndexRows:
    """Rows of the active generation as Chroma's `get` returns them (ids, documents, metadatas,
    embeddings): its passages and their answer units. The bench copies them into synthetic indexes."""

    passages: dict[str, Any]
    units: dict[str, Any]


@dataclass
class DocumentInfo:
    """One indexed document, for the sidebar, `assistant corpus` and the upload page."""

    doc_id: str
    title: str
    type: str
    date: str | None
    publisher: str | None
    source_url: str | None
    passages: int
    missing_fields: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    """Sentences that address the assistant (never quoted as an answer); shown so a maintainer can look."""


@dataclass
class Citation:
    """Source `number` as written `[number]` in the answer text."""

    number: int
    doc_id: str
    title: str
    type: str
    article: str | None
    lid: str | None
    page: int | None
    quote: str
    source_url: str | None
    passage_id: str
    reference: str = ""
    outdated: bool = False
    bwb_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    refused: bool
    search_query: str
    backend: str = "extractive"
    refusal_reason: str | None = None
    retrieved: list[ScoredPassage] = field(default_factory=list)
    guard_notes: list[str] = field(default_factory=list)
    language: Literal["nl", "en"] = "nl"
    typo_fixes: dict[str, str] = field(default_factory=dict)
    """Words of the search query repaired against the corpus vocabulary (typed -> searched), so a
    front end can say "bedoelde u ..." instead of silently answering another word."""

    def to_dict(self, with_retrieved: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "citations": [citation.to_dict() for citation in self.citations],
            "refused": self.refused,
            "search_query": self.search_query,
            "backend": self.backend,
            "refusal_reason": self.refusal_reason,
            "guard_notes": list(self.guard_notes),
            "language": self.language,
            "typo_fixes": dict(self.typo_fixes),
        }
        if with_retrieved:
            data["retrieved"] = [
                {
                    "passage_id": item.passage.id,
                    "doc_id": item.passage.doc_id,
                    "article": item.passage.article,
                    "lid": item.passage.lid,
                    "score": round(item.score, 5),
                }
                for item in self.retrieved
            ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The answer `to_dict(with_retrieved=False)` wrote (the retrieved passages are not kept);
        fields added later default, so older records stay readable."""
        return cls(
            text=data["text"],
            citations=[Citation(**item) for item in data.get("citations", [])],
            refused=bool(data["refused"]),
            search_query=data.get("search_query", ""),
            backend=data.get("backend", "extractive"),
            refusal_reason=data.get("refusal_reason"),
            guard_notes=list(data.get("guard_notes", [])),
            language=data.get("language", "nl"),
            typo_fixes=dict(data.get("typo_fixes", {})),
        )


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str
