"""A graded class as files other tools read: JUnit XML for CI systems, CSV for a spreadsheet.

JUnit: one `<testsuite>` per learner, one `<testcase>` per checklist item, a `<failure>` with the
evidence and the hint for each failing item, and an `<error>` per item when the learner's file
could not be graded at all, so a CI system's test view shows exactly who failed what, and why.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from coach.grader.classroom import ClassReport, LearnerResult

_TAIL_LINES = 40
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all, escaped or not: a learner's program prints ANSI colours and NULs."""


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def junit_xml(report: ClassReport) -> bytes:
    exercise = report.exercise
    root = ET.Element("testsuites", name=f"coach grade {exercise.id}", time=f"{report.wall_s:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in report.results:
        suite = _suite(result, report)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _suite(result: LearnerResult, report: ClassReport) -> ET.Element:
    exercise = report.exercise
    items = exercise.checks
    suite = ET.Element("testsuite", name=_xml(result.learner), tests=str(len(items)))
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="exercise", value=exercise.id)
    ET.SubElement(properties, "property", name="file", value=_xml(str(result.file or "")))
    classname = _xml(f"{exercise.id}.{result.learner}")
    failures = errors = 0
    if result.report is None:
        suite.set("time", "0")
        for item in items:
            case = ET.SubElement(suite, "testcase", classname=classname, name=item.id)
            reason = _xml(result.error or "not graded")
            error = ET.SubElement(case, "error", message=reason, type="not-graded")
            error.text = reason
            errors += 1
    else:
        graded = result.report
        suite.set("time", f"{graded.wall_s:.3f}")
        for item in graded.items:
            case = ET.SubElement(suite, "testcase", classname=classname, name=item.id)
            if not item.passed:
                failure = ET.SubElement(case, "failure", message=_xml(item.evidence), type="checklist")
                failure.text = _xml(f"{item.description}\n{item.evidence}\nhint: {item.hint}")
                failures += 1
        if graded.stdout.strip():
            ET.SubElement(suite, "system-out").text = _tail(graded.stdout)
        if graded.stderr.strip():
            ET.SubElement(suite, "system-err").text = _tail(graded.stderr)
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return suite


def _tail(text: str) -> str:
    return _xml("\n".join(text.strip().splitlines()[-_TAIL_LINES:]))


def csv_text(report: ClassReport) -> str:
    """One row per learner: totals first, then pass/fail per checklist item, in the lesson's order."""
    item_ids = [item.id for item in report.exercise.checks]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "file", "passed", "items_passed", "items", "error", "timed_out", "limit_hit",
                     *item_ids, "wall_s"])
    for result in report.results:
        graded = result.report
        verdicts = {item.id: item.passed for item in graded.items} if graded else {}
        writer.writerow([
            result.learner,
            str(result.file or ""),
            "yes" if result.passed else "no",
            sum(verdicts.values()) if graded else "",
            len(item_ids),
            result.error or "",
            ("yes" if graded.timed_out else "no") if graded else "",
            (graded.limit_hit or "") if graded else "",
            *[("pass" if verdicts[i] else "fail") if i in verdicts else "" for i in item_ids],
            f"{graded.wall_s:.2f}" if graded else "",
        ])
    return out.getvalue()
