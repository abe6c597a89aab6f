"""The offline coach: answers from what the lessons' authors wrote, with no API call.

It finds the sentences of the lesson (sections, key points, discussion points, exercise
hints) that share the most words with the question, leads with the failing checklist items
when there is a report, and ends with a question back, as the online coach would. Streamed in
small pieces like a real reply and labelled as offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from coach.curriculum.model import Discussion, Exercise, Lesson

_WORD = re.compile(r"[a-z][a-z0-9_\-]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(])")
_STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "its", "it's", "not", "of", "on", "or", "so", "that", "the",
    "their", "then", "there", "these", "this", "to", "was", "what", "when", "where", "which", "while", "who",
    "why", "will", "with", "without", "you", "your", "yours", "my", "me", "we", "our", "about", "after", "all",
    "also", "any", "more", "most", "no", "only", "than", "them", "they", "too", "very", "just", "should", "would",
    "could", "use", "using", "used", "get", "gets"
})
MAX_SENTENCES = 4


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP}


def _sentences(markdown: str) -> Iterator[str]:
    """Prose sentences of a Markdown body; code blocks and tables are left out."""
    inside_code = False
    paragraph: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.strip().startswith("```"):
            inside_code = not inside_code
            continue
        if inside_code or line.lstrip().startswith("|"):
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


def _candidates(lesson: Lesson) -> list[tuple[str, str]]:
    """(where it comes from, sentence) for everything the lesson says in prose."""
    found = [("key point", point) for point in lesson.key_points]
    for section in lesson.sections:
        found += [(section.title, sentence) for sentence in _sentences(section.body)]
    for discussion in lesson.discussions:
        found += [(discussion.title, point) for point in discussion.points]
    for exercise in lesson.exercises:
        found += [(exercise.title, item.hint) for item in exercise.checks]
    return found


def best_sentences(question: str, lesson: Lesson, limit: int = MAX_SENTENCES) -> list[tuple[str, str]]:
    wanted = _words(question)
    scored = []
    for order, (where, sentence) in enumerate(_candidates(lesson)):
        overlap = len(wanted & _words(sentence))
        if overlap:
            scored.append((-overlap, order, where, sentence))
    scored.sort()
    seen: set[str] = set()
    chosen = []
    for _, _, where, sentence in scored:
        if sentence not in seen:
            seen.add(sentence)
            chosen.append((where, sentence))
        if len(chosen) == limit:
            break
    return chosen


def offline_reply(message: str, lesson: Lesson | None, exercise: Exercise | None = None,
                  discussion: Discussion | None = None, report: Any = None, reason: str | None = None) -> str:
    """The whole offline answer, as Markdown."""
    parts = [f"_Offline coach{f' ({reason})' if reason else ''}: answers come from the lesson, not from Claude._"]
    failing = [item for item in getattr(report, "items", ()) if not item.passed]
    if report is not None:
        total = len(report.items)
        if failing:
            parts.append(f"Your checklist: {total - len(failing)} of {total} pass. Start with the first one that "
                         "does not:")
            for item in failing[:3]:
                parts.append(f"- **{item.description}**\n  What the run showed: {item.evidence}\n  Hint: {item.hint}")
        else:
            parts.append(f"Every item of your checklist passes ({total} of {total}). Well done.")
    if discussion is not None:
        parts.append(f"**{discussion.title}.** {discussion.situation.strip()}")
        parts.append("A good answer to this reaches these points; which can you already argue for, and why?")
        parts += [f"{n}. {point}" for n, point in enumerate(discussion.points, 1)]
    if lesson is not None:
        related = best_sentences(message, lesson)
        if related:
            parts.append(f"What lesson {lesson.order}, {lesson.title}, says about that:")
            parts += [f"- {sentence} _({where})_" for where, sentence in related]
        elif not failing and discussion is None:
            parts.append(f"I found nothing in lesson {lesson.order} that matches your words. Its key points:")
            parts += [f"- {point}" for point in lesson.key_points[:4]]
    else:
        parts.append("Open a lesson (or pass `--lesson ID`) and ask again: I answer from the lesson's text.")
    parts.append(_question_back(failing, discussion, lesson))
    return "\n\n".join(parts) + "\n"


def _question_back(failing: list[Any], discussion: Discussion | None, lesson: Lesson | None) -> str:
    if failing:
        return f"Before you change the code: what do you expect the run to show for “{failing[0].description}”?"
    if discussion is not None:
        return "Which of those points would you make first to your team, and what evidence would you bring?"
    if lesson is not None:
        return "Which of these do you want to try in code first? An exercise will show you what it does under faults."
    return "Which lesson are you on?"


def stream_pieces(text: str, words_per_piece: int = 4) -> Iterator[str]:
    """Split a reply into small pieces (whitespace kept) so it streams like an online one."""
    tokens = re.findall(r"\S+\s*|\s+", text)
    for start in range(0, len(tokens), words_per_piece):
        yield "".join(tokens[start:start + words_per_piece])
