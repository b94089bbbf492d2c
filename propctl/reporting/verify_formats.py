"""Machine formats of a verify run, all rendered from the JSON document (`verify --format
json`): JUnit XML, SARIF 2.1.0 and a Markdown job summary."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from propctl import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# characters XML 1.0 forbids (ElementTree writes them as they are: a colour code in a command's
# output would make the report unreadable to every JUnit consumer)
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ICON = {"pass": "✅", "fail": "❌", "error": "⚠️", "skip": "⏭️", "manual": "✋", "waived": "🏳️"}


def _by_task(doc: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for result in doc["results"]:
        grouped[result["task"]].append(result)
    return dict(sorted(grouped.items()))


def _evidence_text(result: dict[str, Any]) -> str:
    lines = []
    for e in result["evidence"]:
        where = e.get("file", "") + (f":{e['line']}" if e.get("line") else "")
        lines.append(f"{where}: {e['detail']}" if where else e["detail"])
    return "\n".join(lines)


# ---- JUnit ---------------------------------------------------------------------------------
def render_junit(doc: dict[str, Any]) -> str:
    """One <testsuite> per task, one <testcase> per criterion or checked subtask; fail ->
    <failure>, error -> <error>, skip/manual/waived -> <skipped>."""
    root = ET.Element("testsuites", name=f"propctl verify: {doc['roadmap']}")
    totals = defaultdict(int)
    for task, results in _by_task(doc).items():
        title = doc["tasks"].get(str(task), "")
        suite = ET.SubElement(root, "testsuite", name=f"Task {task}: {title}")
        counts = defaultdict(int)
        for r in results:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{r['id']} {r['text']}"[:200],
                classname=f"task{task}.{r['type']}",
                time=f"{r['duration_s']:.3f}",
            )
            status = r["status"]
            counts["tests"] += 1
            if status == "fail":
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=r["message"][:500]).text = _evidence_text(r)
            elif status == "error":
                counts["errors"] += 1
                ET.SubElement(case, "error", message=r["message"][:500]).text = _evidence_text(r)
            elif status != "pass":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=f"{status}: {r['message']}"[:500])
            elif r["evidence"]:
                ET.SubElement(case, "system-out").text = _evidence_text(r)
        seconds = sum(r["duration_s"] for r in results)
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
        suite.set("time", f"{seconds:.3f}")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _NOT_XML.sub(
        "", ET.tostring(root, encoding="unicode")
    )


# ---- SARIF ---------------------------------------------------------------------------------
def render_sarif(doc: dict[str, Any]) -> dict[str, Any]:
    """SARIF 2.1.0: a rule per criterion/subtask, a result per fail (level error) and error
    (level warning), with file/line locations where the evidence has them."""
    rules, results = [], []
    index: dict[str, int] = {}
    for r in doc["results"]:
        if r["status"] not in ("fail", "error"):
            continue
        if r["id"] not in index:
            index[r["id"]] = len(rules)
            rules.append(
                {
                    "id": r["id"],
                    "name": f"Task{r['task']}",
                    "shortDescription": {"text": r["text"][:1000] or r["id"]},
                    "properties": {"task": r["task"], "kind": r["kind"]},
                }
            )
        locations = [_location(e) for e in r["evidence"] if e.get("file")][:10]
        result: dict[str, Any] = {
            "ruleId": r["id"],
            "ruleIndex": index[r["id"]],
            "level": "error" if r["status"] == "fail" else "warning",
            "message": {"text": f"{r['status']}: {r['message']}"},
            "properties": {"status": r["status"]},
        }
        if locations:
            result["locations"] = locations
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "propctl", "version": __version__, "rules": rules}},
                "results": results,
                "properties": {"score": doc["score"], "summary": doc["summary"]},
            }
        ],
    }


def _location(evidence: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": evidence["file"], "uriBaseId": "%SRCROOT%"}
    }
    if evidence.get("line"):
        physical["region"] = {"startLine": int(evidence["line"])}
    return {"physicalLocation": physical, "message": {"text": evidence["detail"][:1000]}}


# ---- Markdown ------------------------------------------------------------------------------
def render_markdown(doc: dict[str, Any]) -> str:
    """A GitHub job summary (`>> $GITHUB_STEP_SUMMARY`)."""
    s = doc["summary"]
    score = doc["score"]
    verdict = "passed" if doc["exit_code"] == 0 else "**failed**"
    lines = [
        f"## propctl verify: {score['overall']:.1f}/10 ({verdict})",
        "",
        " · ".join(f"{_ICON[k]} {k} {v}" for k, v in s.items() if v),
        "",
    ]
    if doc["problems"]:
        lines += ["### Why the run fails", ""] + [f"- {p}" for p in doc["problems"]] + [""]
    lines += ["| dimension | score |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in score["dimensions"].items()]
    for task, results in _by_task(doc).items():
        passed = sum(1 for r in results if r["status"] == "pass")
        lines += [
            "",
            f"<details><summary>Task {task}: {doc['tasks'].get(str(task), '')} "
            f"({passed}/{len(results)} pass)</summary>",
            "",
            "| | id | check | result |",
            "|---|---|---|---|",
        ]
        for r in results:
            message = r["message"].replace("|", "\\|").replace("\n", " ")[:200]
            lines.append(f"| {_ICON[r['status']]} | {r['id']} | {r['kind']} | {message} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
