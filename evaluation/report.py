"""The evaluation as text: per-article misses (never for the test split), markdown tables per set.

The corpus tables lead, test split first: it is what we report. The regression sets (our own gold, in
sample) follow with the indirect-quote and all-kind precision columns they also have gold for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluation.gold import ROLE_DEV, ROLE_REGRESSION, ROLE_TEST
from evaluation.html_input import HIDDEN_ROLES, HTML_ROLES, HTML_TOLERANCE, html_deltas
from evaluation.runner import ArticleResult, FileResult, total
from evaluation.scoring import CORPUS_TARGETS, ENTITY_TYPES, QUOTE_KINDS, TARGETS, metrics

Columns = Sequence[tuple[str, str]]

CORPUS_COLUMNS: Columns = (
    ("quote_recall_direct", "recall direct"),
    ("quote_recall_partial", "recall partial"),
    ("quote_precision_marked", "precision (quote-marked)"),
    ("speaker_accuracy", "speaker (exact)"),
    ("speaker_accuracy_loose", "speaker (surname ok)"),
    ("PERSON_f1", "PERSON F1"),
    ("ORG_f1", "ORG F1"),
    ("GPE_f1", "GPE F1"),
)
REGRESSION_COLUMNS: Columns = (
    ("quote_recall_direct", "recall direct"),
    ("quote_recall_partial", "recall partial"),
    ("quote_recall_indirect", "recall indirect"),
    ("quote_precision", "precision (all kinds)"),
    ("speaker_accuracy", "speaker (exact)"),
    ("PERSON_f1", "PERSON F1"),
    ("ORG_f1", "ORG F1"),
    ("GPE_f1", "GPE F1"),
)
#: Kept for callers of the one-table form.
TABLE_COLUMNS = REGRESSION_COLUMNS


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def markdown_table(
    rows: Sequence[tuple[str, Mapping[str, float | None]]],
    columns: Columns = REGRESSION_COLUMNS,
    targets: Mapping[str, float] = TARGETS,
) -> str:
    """A compact markdown table: one row per ``(label, metrics)``, plus a targets row."""
    lines = ["| | " + " | ".join(title for _, title in columns) + " |", "|---|" + "---:|" * len(columns)]
    for label, values in rows:
        lines.append(f"| {label} | " + " | ".join(pct(values.get(key)) for key, _ in columns) + " |")
    lines.append("| target | " + " | ".join(f"≥ {targets[k]:.2f}" if k in targets else "" for k, _ in columns) + " |")
    return "\n".join(lines)


def article_detail(set_name: str, a: ArticleResult) -> list[str]:
    """What went wrong in one article (dev and regression sets only)."""
    m = metrics(a.quotes, a.entities)
    out = [
        "",
        f"## {set_name} :: {a.source}  quotes {a.quotes.found}/{a.quotes.gold} found, "
        f"precision {pct(m['quote_precision_marked'])}, speakers {a.quotes.speaker_correct}/"
        f"{a.quotes.speaker_judged}; F1 PERSON {pct(m['PERSON_f1'])} ORG {pct(m['ORG_f1'])} GPE {pct(m['GPE_f1'])}",
    ]
    for match in a.matches:
        if not match.found:
            out.append(f"  MISSED {match.gold.kind:8} {match.gold.text!r} ({_speakers(match.gold.speakers)})")
        elif not match.speaker_correct:
            got = match.predicted.speaker if match.predicted else None
            out.append(f"  SPEAKER {match.gold.text!r}: got {got!r}, want {_speakers(match.gold.speakers)}")
    for p in a.false_quotes:
        out.append(f"  EXTRA  {p.kind:8} {p.text[:100]!r} ({p.speaker})")
    for t in ENTITY_TYPES:
        diff = a.entity_diffs.get(t)
        if diff and diff.missed:
            out.append(f"  {t} missed: {', '.join(diff.missed)}")
        if diff and diff.spurious:
            out.append(f"  {t} spurious: {', '.join(diff.spurious)}")
    return out


def _counts_line(r: FileResult) -> str:
    q, e = r.totals()
    return (
        f"  {r.name}: {len(r.articles)} articles; quotes gold "
        + ", ".join(f"{k} {q.found_by_kind.get(k, 0)}/{q.gold_by_kind.get(k, 0)}" for k in QUOTE_KINDS)
        + f"; predicted {q.predicted} ({q.predicted_matching} matching; {q.predicted_marked} quote-marked, "
        f"{q.predicted_marked_matching} matching); speakers {q.speaker_correct}/{q.speaker_judged} "
        f"(surname ok {q.speaker_loose}); entities "
        + ", ".join(f"{t} {e.matched[t]}/{e.gold[t]} of {e.predicted[t]} predicted" for t in ENTITY_TYPES)
    )


def _html_table(results: Sequence[FileResult]) -> list[str]:
    """The corpus splits posted as web pages beside the same articles as clean text, and the difference."""
    by_role = {r.role: r for r in results if r.articles}
    rows: list[tuple[str, Mapping[str, float | None]]] = []
    missed: list[str] = []
    for text_role, html_role in HTML_ROLES.items():
        if text_role not in by_role or html_role not in by_role:
            continue
        text, html = metrics(*by_role[text_role].totals()), metrics(*by_role[html_role].totals())
        delta = html_deltas(text, html)
        n = len(by_role[html_role].articles)
        rows += [(f"corpus/{text_role} ({n}) as text", text), (f"corpus/{text_role} ({n}) as HTML", html)]
        rows.append((f"HTML − text ({text_role})", {k: delta.get(k) for k in text}))
        missed += [
            f"{text_role} {k} {d:+.2f}"
            for k, d in delta.items()
            if abs(d) > HTML_TOLERANCE and k in dict(CORPUS_COLUMNS)
        ]
    if not rows:
        return []
    table = markdown_table(rows, CORPUS_COLUMNS, CORPUS_TARGETS).rsplit("\n", 1)[0]  # no targets row
    verdict = (
        f"HTML within {HTML_TOLERANCE} of text on every figure"
        if not missed
        else f"more than {HTML_TOLERANCE} apart: " + ", ".join(missed)
    )
    return [
        "",
        "## The corpus posted as web pages (evaluation/pages.py layouts, extracted as the worker does)",
        "",
        table,
        "",
        verdict,
    ]


def text_report(report: dict[str, Any], *, verbose: bool = True) -> str:
    results: list[FileResult] = report["_results"]
    out: list[str] = [f"note: {note}" for r in results for note in r.notes]
    if verbose:
        for r in results:
            if r.role not in HIDDEN_ROLES:  # the test split is scored, never read for misses
                for a in r.articles:
                    out.extend(article_detail(r.name, a))
    out += ["", "## Dedup checks"]
    for r in results:
        for d in r.dedup:
            want = f"duplicate ({d.pair.kind or 'any'})" if d.pair.expect_duplicate else "not duplicate"
            out.append(f"  {'ok  ' if d.ok else 'FAIL'} {d.pair.copy} vs {d.pair.original}: want {want}; {d.detail}")
    out += ["", "## Counts"] + [_counts_line(r) for r in results if r.articles]
    corpus = [r for role in (ROLE_TEST, ROLE_DEV) for r in results if r.role == role and r.articles]
    if corpus:
        out += ["", "## Real-world corpus (../shared/corpus): test split scored blind, dev split read for misses", ""]
        rows = [(f"{r.name} ({len(r.articles)})", metrics(*r.totals())) for r in corpus]
        out.append(markdown_table(rows, CORPUS_COLUMNS, CORPUS_TARGETS))
    out += _html_table(results)
    regression = [r for r in results if r.role == ROLE_REGRESSION and r.articles]
    if regression:
        out += ["", "## Regression sets (our own gold; in-sample: rules were written reading it)", ""]
        rows = [(f"{r.name} ({len(r.articles)})", metrics(*r.totals())) for r in regression]
        every = [a for r in regression for a in r.articles]
        rows.append((f"all regression ({len(every)})", metrics(*total(every))))
        out.append(markdown_table(rows, REGRESSION_COLUMNS, TARGETS))
    tp = report.get("throughput") or {}
    if tp:
        out += [
            "",
            f"Throughput on {int(tp['articles'])} articles: enrich_batch {tp['enrich_batch_per_s']:.1f} articles/s, "
            f"bare nlp.pipe (same model components) {tp['nlp_pipe_per_s']:.1f} articles/s (ratio {tp['ratio']:.2f})",
        ]
    out.append("")
    if report["missed_targets"]:
        out.append("Targets missed on the corpus test split: " + "; ".join(report["missed_targets"]))
    else:
        out.append("All targets met on the corpus test split.")
    if report.get("regression_missed_targets"):
        out.append("Regression sets below their targets: " + "; ".join(report["regression_missed_targets"]))
    if report["dedup_failures"]:
        out.append("Dedup checks failed: " + "; ".join(report["dedup_failures"]))
    return "\n".join(out)


def _speakers(speakers: Sequence[str] | None) -> str:
    return "no speaker" if speakers is None else " / ".join(speakers)
