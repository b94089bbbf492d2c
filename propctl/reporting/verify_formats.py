"""Machine formats of a verify run, all rendered from the JSON document (`verify --format
json`): JUnit XML, SARIF 2.1.0 and a Markdown job summary."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from propctl import __version__
from propctl.provenance import provenance
from propctl.reporting.verify_sites import PROPCTL_ROOT, Site, Sites, repo_uri

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
    totals: defaultdict[str, int] = defaultdict(int)
    for task, results in _by_task(doc).items():
        title = doc["tasks"].get(str(task), "")
        suite = ET.SubElement(root, "testsuite", name=f"Task {task}: {title}")
        counts: defaultdict[str, int] = defaultdict(int)
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
_LEVEL = {"fail": "error", "error": "warning", "manual": "note"}
_DOCS_FALLBACK = "https://github.com/propmubi/propctl/blob/HEAD/docs/verify.md"


def render_sarif(doc: dict[str, Any], sites: Sites | None = None) -> dict[str, Any]:
    """SARIF 2.1.0 as GitHub code scanning ingests it: a rule per criterion/subtask with help,
    a result per fail (level error), error (warning) and manual criterion (note), each with a
    location inside the repository (verify_sites) and a fingerprint that stays put across
    runs."""
    sites = sites or Sites({}, {})
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for r in doc["results"]:
        if r["status"] not in _LEVEL:
            continue
        if r["id"] not in index:
            index[r["id"]] = len(rules)
            rules.append(_rule(r, doc))
        results.append(_result(r, index[r["id"]], sites))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "propctl",
                "version": __version__,
                "informationUri": _docs_url(),
                "rules": rules,
            }
        },
        "results": results,
        "properties": {"score": doc["score"], "summary": doc["summary"]},
    }
    if any(
        loc["physicalLocation"]["artifactLocation"].get("uriBaseId") == PROPCTL_ROOT
        for res in results
        for loc in res["locations"]
    ):
        # no `uri`: code scanning refuses a file whose URIs resolve to another scheme or place
        # than the checkout ("SARIF URI scheme ... did not match the checkout URI scheme")
        run["originalUriBaseIds"] = {
            PROPCTL_ROOT: {
                "description": {
                    "text": "propctl's bundled roadmap (the repository has none of its own): "
                    f"{sites.roadmap_root or 'checklists/roadmap.yaml in propctl'}"
                }
            }
        }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(r: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    title = doc["tasks"].get(str(r["task"]), "")
    what = "criterion" if r["type"] == "criterion" else "subtask"
    text = r["text"].strip() or r["id"]
    full = f"Task {r['task']} ({title}), {what} {r['id']}: {text}. Checked by `{r['kind']}`."
    if r["status"] == "manual":
        fix = (
            "No machine can check this; a person confirms it with evidence:\n\n"
            f"    propctl attest {r['id']} --by NAME --evidence URL [--expires YYYY-MM-DD]"
        )
        fix_md = (
            "No machine can check this; a person confirms it with evidence:\n\n"
            f"```sh\npropctl attest {r['id']} --by NAME --evidence URL --expires YYYY-MM-DD\n```"
        )
    else:
        how = f"propctl verify --criterion {r['id']}" if what == "criterion" else "propctl verify"
        fix = (
            f"Make the {what} hold: {text}. The `{r['kind']}` check says what it found; run "
            f"`{how}` to see the evidence, and docs/verify.md for what the check needs."
        )
        fix_md = (
            f"Make the {what} hold: **{text}**\n\nThe `{r['kind']}` check says what it "
            f"found. See the evidence with\n\n```sh\n{how}\n```\n\n"
            f"[What a `{r['kind']}` check needs]({_docs_url()})"
        )
    return {
        "id": r["id"],
        "name": f"Task{r['task']}{what.capitalize()}",
        "shortDescription": {"text": text[:1000]},
        "fullDescription": {"text": full[:4000]},
        "help": {"text": fix, "markdown": fix_md},
        "helpUri": _docs_url(),
        "properties": {"task": r["task"], "kind": r["kind"], "tags": ["propctl", r["kind"]]},
    }


def _result(r: dict[str, Any], rule_index: int, sites: Sites) -> dict[str, Any]:
    located = [(uri, e) for e in r["evidence"] if (uri := repo_uri(e.get("file")))]
    if located:
        primary = _location(Site(located[0][0], _line(located[0][1].get("line"))))
        primary["message"] = {"text": located[0][1]["detail"][:1000]}
    else:
        primary = _location(
            sites.of(r["id"]) or Site("checklists/roadmap.yaml", None, PROPCTL_ROOT)
        )
    uri = primary["physicalLocation"]["artifactLocation"]["uri"]
    result: dict[str, Any] = {
        "ruleId": r["id"],
        "ruleIndex": rule_index,
        "level": _LEVEL[r["status"]],
        "message": {"text": f"{r['status']}: {r['message']}"[:4000] or r["status"]},
        "locations": [primary],
        # the criterion and its place: not the line (code moves) nor the message (counts change)
        "partialFingerprints": {
            "propctlItem/v1": hashlib.sha256(f"{r['id']}|{uri}".encode()).hexdigest()[:32]
        },
        "properties": {"status": r["status"]},
    }
    related = []
    for n, (extra_uri, e) in enumerate(located[1:10], start=1):
        loc = _location(Site(extra_uri, _line(e.get("line"))))
        related.append({"id": n, **loc, "message": {"text": e["detail"][:1000]}})
    if related:
        result["relatedLocations"] = related
    return result


def _location(site: Site) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": site.uri, "uriBaseId": site.base}}
    if site.line:
        physical["region"] = {"startLine": site.line}
    return {"physicalLocation": physical}


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and value >= 1 else None


def _docs_url() -> str:
    return provenance().docs_url("verify.md") or _DOCS_FALLBACK


# ---- Markdown ------------------------------------------------------------------------------
def headline(doc: dict[str, Any]) -> str:
    """The gate's decision first, then how far the roadmap is: "gate passed: nothing that must
    hold failed · 23 of 73 criteria met"."""
    criteria = [r for r in doc["results"] if r.get("type", "criterion") == "criterion"]
    met = sum(1 for r in criteria if r["status"] == "pass")
    counts = f"{met} of {len(criteria)} criteria met"
    if doc["exit_code"] == 0:
        return f"gate passed: nothing that must hold failed · {counts}"
    problems = len(doc["problems"])
    why = f"{problems} problem{'s' if problems != 1 else ''}" if problems else "see below"
    return f"gate failed: {why} · {counts}"


def render_markdown(doc: dict[str, Any]) -> str:
    """A GitHub job summary (`>> $GITHUB_STEP_SUMMARY`)."""
    s = doc["summary"]
    score = doc["score"]
    lines = [
        f"## {headline(doc)}",
        "",
        f"score {score['overall']:.1f}/10 · "
        + " · ".join(f"{_ICON[k]} {k} {v}" for k, v in s.items() if v),
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
