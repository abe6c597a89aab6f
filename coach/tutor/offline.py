"""The offline coach: guides from what the lessons' authors wrote, with no API call.

It works as a patient tutor would, one point at a time, asking before telling:
- in a discussion it sets the situation and asks about one target point (the author's hint
  question for it); the learner's reply is matched against that point; only when they ask
  for it, or reply a second time without reaching it, does it say the point, then moves on;
- on an exercise it takes the first failing checklist item, asks what the learner expects
  the run to show, and on the next turn points to the lesson passage about it (the checklist's
  own hints stay behind F3, so the offline coach never hands over the code);
- a typed question is matched to the lesson's sections with BM25 (rank-bm25), whose tokens
  keep numbers and identifiers whole (`529`, `retry-after`, `max_retries`), and is tied back
  to the first failing item when there is one.
Streamed in small pieces like a real reply and labelled as offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from coach.curriculum.model import Discussion, Exercise, Lesson

_TOKEN = re.compile(r"[a-z0-9][a-z0-9_\-.]*[a-z0-9]|[a-z0-9]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(])")
_STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "its", "it's", "not", "of", "on", "or", "so", "that", "the",
    "their", "then", "there", "these", "this", "to", "was", "what", "when", "where", "which", "while", "who",
    "why", "will", "with", "without", "you", "your", "yours", "my", "me", "we", "our", "about", "after", "all",
    "also", "any", "more", "most", "no", "only", "than", "them", "they", "too", "very", "just", "should", "would",
    "could", "use", "using", "used", "get", "gets", "tell", "telling", "mean", "means", "explain",
})
_TELL_ME = re.compile(r"\b(tell me|just say|i don'?t know|no idea|not sure|give up|show me|what is it)\b", re.I)
MAX_SENTENCES = 2


def tokens(text: str) -> list[str]:
    """Lower-case words, numbers and identifiers kept whole (retry-after, 529, max_retries), plus the
    parts of hyphenated and dotted ones, with a plural 's' dropped so "retries" meets "retry"."""
    out = []
    for token in _TOKEN.findall(text.lower()):
        if token in _STOP:
            continue
        out.append(_stem(token))
        parts = re.split(r"[-_.]", token)
        if len(parts) > 1:
            out += [_stem(p) for p in parts if p and p not in _STOP]
    return out


def _stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _sentences(markdown: str) -> Iterator[str]:
    """Prose sentences of a Markdown body, and table rows as sentences; code blocks are left out."""
    inside_code = False
    paragraph: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.strip().startswith("```"):
            inside_code = not inside_code
            continue
        if inside_code:
            continue
        if line.lstrip().startswith("|"):  # a table row reads as one sentence; the rule under the head does not
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if any(cell.strip("-: ") for cell in cells) and len(" ".join(cells).split()) >= 5:
                yield " · ".join(cell for cell in cells if cell)
            continue
        item = _LIST_ITEM.match(line)
        if line.strip() and not item:
            paragraph.append(line.strip())
            continue
        if paragraph:
            yield from (s.strip() for s in _SENTENCE_END.split(" ".join(paragraph)) if len(s.split()) >= 5)
            paragraph = []
        if item:  # each list item is its own paragraph
            paragraph.append(line[item.end():].strip())


@dataclass(frozen=True)
class Passage:
    section: str
    """The lesson section it comes from."""
    sentences: tuple[str, ...]


def _bm25(documents: list[list[str]]) -> Any:
    from rank_bm25 import BM25Okapi  # imported on first use: numpy is not needed at startup

    return BM25Okapi([doc or ["\0"] for doc in documents])


def best_passage(query: str, lesson: Lesson, limit: int = MAX_SENTENCES) -> Passage | None:
    """The section that BM25 ranks first for the query, and its best matching sentences."""
    wanted = tokens(query)
    if not wanted or not lesson.sections:
        return None
    # A section is its title (twice: titles say what a section is about) and its whole body, code included.
    sections = [tokens(f"{s.title} {s.title} {s.body}") for s in lesson.sections]
    scores = list(_bm25(sections).get_scores(wanted))
    best = max(range(len(scores)), key=lambda n: scores[n])
    if scores[best] <= 0:
        return None
    section = lesson.sections[best]
    sentences = list(_sentences(section.body))
    sentences = [s for s in sentences if len(s.split()) >= 8] or sentences  # whole thoughts over list fragments
    if not sentences:
        return Passage(section.title, ())
    ranked = list(_bm25([tokens(s) for s in sentences]).get_scores(wanted))
    order = sorted(range(len(sentences)), key=lambda n: (-ranked[n], n))[:limit]
    return Passage(section.title, tuple(sentences[n] for n in sorted(order)))


def best_sentences(question: str, lesson: Lesson, limit: int = MAX_SENTENCES) -> list[tuple[str, str]]:
    """(section title, sentence) pairs of the best passage; kept for callers that want a flat list."""
    passage = best_passage(question, lesson, limit)
    return [(passage.section, s) for s in passage.sentences] if passage else []


def reaches(message: str, point: str) -> bool:
    """Does the learner's message make the point? Offline this is a word match: half its key words."""
    wanted = set(tokens(point))
    said = set(tokens(message))
    return bool(wanted) and len(wanted & said) >= max(2, (len(wanted) + 1) // 2)


@dataclass
class _Discussion:
    point: int = 0
    """The target point being talked about."""
    misses: int = 0
    """Replies to the current point's question that did not reach it; the second (or "tell me") says it."""
    reached: set[int] = field(default_factory=set)


@dataclass
class _Item:
    item_id: str = ""
    turns: int = 0


class OfflineCoach:
    """Keeps where each conversation is (which point, which item), so replies move on instead of repeating."""

    def __init__(self) -> None:
        self._discussions: dict[tuple[str, str], _Discussion] = {}
        self._items: dict[str, _Item] = {}

    def reply(self, message: str, lesson: Lesson | None, exercise: Exercise | None = None,
              discussion: Discussion | None = None, report: Any = None, reason: str | None = None,
              opening: bool = False) -> str:
        parts = [f"_Offline coach{f' ({reason})' if reason else ''}: answers come from the lesson, not from Claude._"]
        if discussion is not None and lesson is not None:
            parts += self._discuss(message, lesson, discussion, opening)
        elif report is not None:
            parts += self._review(message, lesson, exercise, report)
        elif lesson is not None:
            parts += _answer(message, lesson, None)
        else:
            parts.append("Open a lesson (or pass `--lesson ID`) and ask again: I answer from the lesson's text.")
        return "\n\n".join(parts) + "\n"

    def _discuss(self, message: str, lesson: Lesson, discussion: Discussion, opening: bool) -> list[str]:
        state = self._discussions.setdefault((lesson.id, discussion.id), _Discussion())
        points = discussion.points
        parts: list[str] = []
        if opening:
            parts.append(f"**{discussion.title}.** {discussion.situation.strip()}")
            parts.append(f"Let's take it one point at a time ({len(points)} in all).")
        else:
            newly = {n for n, point in enumerate(points) if n not in state.reached and reaches(message, point)}
            if state.point in newly:
                parts.append(f"Yes: that is the point. _{points[state.point]}_")
            elif newly:
                parts.append("That reaches another point too: " + "; ".join(f"_{points[n]}_" for n in sorted(newly)))
            if state.point not in newly:
                state.misses += 1
            if state.point not in newly and (state.misses >= 2 or _TELL_ME.search(message)):
                parts.append(f"Here is the point I was after: **{points[state.point]}**")
                passage = best_passage(points[state.point], lesson)
                if passage and passage.sentences:
                    parts.append(f"The lesson's section “{passage.section}” argues it: {passage.sentences[0]}")
                newly.add(state.point)
            state.reached |= newly
            while state.point in state.reached and state.point < len(points):
                state.point += 1
                state.misses = 0
            if state.point < len(points) and state.misses == 1:
                parts.append("Not quite yet; think about it once more, or say “tell me”.")
        if state.point >= len(points):
            parts.append(f"That covers all {len(points)} points. Which one would you lead with to your team, "
                         "and what evidence would you bring?")
            return parts
        question = (discussion.hints[state.point] if state.point < len(discussion.hints)
                    else f"What would you say about this part: {_topic(points[state.point])}?")
        parts.append(f"Point {state.point + 1} of {len(points)}: {question}")
        return parts

    def _review(self, message: str, lesson: Lesson | None, exercise: Exercise | None, report: Any) -> list[str]:
        failing = [item for item in report.items if not item.passed]
        total = len(report.items)
        error = getattr(report, "error", None)
        if error is not None:
            return [f"Before the checklist: your code {'does not parse' if error.kind == 'syntax' else 'crashed'} "
                    f"at line {error.frames[-1].line}: `{error.exception}`.",
                    "What does that line need to be for Python to get past it?"]
        if not failing:
            return [f"Every item of your checklist passes ({total} of {total}). Well done.",
                    "Which of the faults you handled would you most expect to meet in production, and how often?"]
        first = failing[0]
        parts = [f"Your checklist: {total - len(failing)} of {total} pass. One at a time; the first that does not:",
                 f"- **{first.description}**\n  What the run showed: {first.evidence}"]
        typed = message.strip() and not message.startswith("Here is my code")
        key = exercise.id if exercise else report.exercise
        state = self._items.setdefault(key, _Item())
        if state.item_id != first.id:
            state.item_id, state.turns = first.id, 0
        state.turns += 1
        if typed:
            parts += _answer(message, lesson, first) if lesson is not None else []
        elif state.turns == 1:
            parts.append(f"Before you change the code: what do you expect the run to show for “{first.description}”, "
                         "and which lines of yours decide it?")
        elif lesson is not None:
            passage = best_passage(f"{first.description} {first.evidence}", lesson)
            if passage and passage.sentences:
                parts.append(f"The lesson's section “{passage.section}” is about this: " + " ".join(passage.sentences))
            parts.append("Still stuck? F3 in the app (or `coach grade --hint`) reveals the item's hints step by step.")
        return parts


def _topic(point: str) -> str:
    words = point.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


def _answer(message: str, lesson: Lesson | None, failing: Any) -> list[str]:
    """A typed question: the best section for it, then a question back tied to the first failing item."""
    if lesson is None:
        return []
    passage = best_passage(message, lesson)
    parts: list[str] = []
    if passage is not None:
        parts.append(f"Lesson {lesson.order}, section “{passage.section}”:")
        parts += [f"- {sentence}" for sentence in passage.sentences]
    else:
        parts.append(f"I found nothing in lesson {lesson.order} that matches your words. Its key points:")
        parts += [f"- {point}" for point in lesson.key_points[:4]]
    if failing is not None:
        parts.append(f"How does that bear on your failing item, “{failing.description}”?")
    else:
        parts.append("Which of these do you want to try in code first? An exercise will show you what it does "
                     "under faults.")
    return parts


def offline_reply(message: str, lesson: Lesson | None, exercise: Exercise | None = None,
                  discussion: Discussion | None = None, report: Any = None, reason: str | None = None) -> str:
    """One offline answer with no memory of earlier turns (`coach ask`); the app keeps an `OfflineCoach`."""
    return OfflineCoach().reply(message, lesson, exercise, discussion, report, reason,
                                opening=discussion is not None)


def stream_pieces(text: str, words_per_piece: int = 4) -> Iterator[str]:
    """Split a reply into small pieces (whitespace kept) so it streams like an online one."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    for start in range(0, len(pieces), words_per_piece):
        yield "".join(pieces[start:start + words_per_piece])
