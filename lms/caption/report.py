"""A caption check shaped for a page: findings, the text cut into marked pieces, and counts (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wtforms.fields.choices import SelectChoice

from lms.caption import MAX_CHECKED, PLATFORMS, Finding, check, normalise
from lms.caption import lists as word_lists
from lms.caption.model import CHECK, KIND_LABELS, WRONG

MAX_INPUT = 20_000  # characters a form may send; longer is refused with a message, not cut


@dataclass(frozen=True)
class Piece:
    """A run of the caption's text, marked when a finding (numbered from 1) covers it."""

    text: str
    number: int | None = None
    kind: str = ""


@dataclass
class Report:
    text: str
    platform: str
    findings: list[Finding] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def limit(self) -> int:
        return PLATFORMS[self.platform][1]

    @property
    def platform_name(self) -> str:
        return PLATFORMS[self.platform][0]

    @property
    def labels(self) -> dict[str, str]:
        return KIND_LABELS

    @property
    def wrong(self) -> int:
        return sum(1 for f in self.findings if f.certainty == WRONG)

    @property
    def to_check(self) -> int:
        return sum(1 for f in self.findings if f.certainty == CHECK)

    @property
    def truncated(self) -> bool:
        return self.characters > MAX_CHECKED

    def as_dict(self) -> dict[str, object]:
        """Return the findings and counts as JSON-ready data."""
        return {"platform": self.platform, "characters": self.characters, "limit": self.limit,
                "checked_characters": min(self.characters, MAX_CHECKED), "wrong": self.wrong,
                "to_check": self.to_check, "findings": [f.as_dict() for f in self.findings]}


def build(text: str, platform: str, courses_dir: Path) -> Report:
    """Check text with the word lists of courses_dir and cut it into marked pieces."""
    text = normalise(text)
    platform = platform if platform in PLATFORMS else "instagram"
    findings = check(text, platform, word_lists.cached(courses_dir))
    return Report(text, platform, findings, pieces(text, findings))


def pieces(text: str, findings: list[Finding]) -> list[Piece]:
    """Cut text into pieces, marking each finding's span; a span overlapping an earlier mark stays unmarked."""
    result: list[Piece] = []
    position = 0
    for number, finding in enumerate(findings, start=1):
        if finding.end <= finding.start or finding.start < position:
            continue
        if finding.start > position:
            result.append(Piece(text[position:finding.start]))
        result.append(Piece(text[finding.start:finding.end], number, finding.kind))
        position = finding.end
    if position < len(text):
        result.append(Piece(text[position:]))
    return result


PLATFORM_CHOICES = [SelectChoice(key, name) for key, (name, _) in PLATFORMS.items()]
