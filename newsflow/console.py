"""What the CLI prints: plain text for people, one function per kind of result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsflow.status_model import Status


def print_infra(status: Any) -> None:
    print(status.summary())


def print_stack(lines: list[str]) -> None:
    for line in lines:
        print(line)


def print_post_results(result: dict[str, Any], offset: int = 0) -> int:
    """Prints one line per rejected item and a summary; returns how many were not accepted."""
    for item in result["results"]:
        if item["status"] != 202:
            detail = item.get("errors") or item.get("error")
            print(f"  item {offset + item['index']}: {item['status']} {detail}")
    print(f"accepted {result['accepted']}, rejected {result['rejected']}")
    rejected: int = result["rejected"]
    return rejected


def _top_entities(hit: dict[str, Any], limit: int = 6) -> str:
    entities = sorted(hit.get("entities", []), key=lambda e: -e.get("mentions", 0))[:limit]
    return ", ".join(f"{e['name']} ({e['type']})" for e in entities) or "-"


def _facet_count(bucket: dict[str, Any]) -> str:
    stories = bucket.get("stories")
    if stories is None or stories == bucket["count"]:
        return str(bucket["count"])
    return f"{bucket['count']} in {stories} {'story' if stories == 1 else 'stories'}"


def print_search(result: dict[str, Any]) -> None:
    total = result["total"]
    stories = result.get("stories")
    print(f"{total} articles" + (f", {stories} stories" if stories is not None else ""))
    for n, hit in enumerate(result["hits"], start=1):
        copies = hit.get("copies")
        dup = hit.get("dedup", {}).get("duplicate_of")
        flags = []
        if copies and copies > 1:
            flags.append(f"{copies} copies")
        if dup:
            flags.append(f"copy of {dup}")
        suffix = f"  [{'; '.join(flags)}]" if flags else ""
        print(f"{n:>2}. {hit['title']}  — {hit.get('source') or '?'}{suffix}")
        print(f"    id {hit['id']}; entities: {_top_entities(hit)}")
        for quote in hit.get("quotes", [])[:2]:
            text = quote["text"] if len(quote["text"]) <= 110 else quote["text"][:107] + "..."
            print(f"    “{text}” — {quote.get('speaker') or 'unknown'}")
    facets = result.get("facets", {})
    for name in ("people", "organizations", "places", "speakers", "sources"):
        buckets = facets.get(name) or []
        if buckets:
            print(f"{name}: " + ", ".join(f"{b['value']} ({_facet_count(b)})" for b in buckets))


def print_dead_letters(letters: list[Any], topic: str) -> None:
    """One line per poisoned source record, however often it failed (``attempts``)."""
    print(f"{len(letters)} dead letters in {topic} (one per poisoned record)")
    for r in letters:
        key = r.key.decode("utf-8", "replace") if r.key else "-"
        tries = "1 attempt" if r.attempts == 1 else f"{r.attempts} attempts"
        print(f"  {r.letter_id} key {key}: stage {r.stage}, {tries}, last {r.failed_at[:19]}: {r.error[:200]}")


def print_quotes(result: dict[str, Any]) -> None:
    print(f"{len(result['quotes'])} quotes in {result['articles']} articles")
    for quote in result["quotes"]:
        date = (quote.get("published_at") or "")[:10] or "undated"
        copy = "  [copy]" if quote.get("duplicate_of") else ""
        print(f"“{quote['text']}” — {quote.get('speaker') or 'unknown'} ({quote.get('kind')})")
        print(f"    {quote.get('title')} — {quote.get('source') or '?'}, {date}, id {quote['article_id']}{copy}")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


class ReplayProgress:
    """A progress line on stderr: redrawn in place on a terminal, one line per ~5 s in a log."""

    def __init__(self, stream: Any = None) -> None:
        import sys

        self._stream = stream or sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._last_line = 0.0

    def __call__(self, p: Any) -> None:
        import time

        width = 30
        share = p.done / p.total if p.total else 1.0
        bar = "#" * int(share * width) + "-" * (width - int(share * width))
        line = (
            f"{p.phase} -> {p.target} [{bar}] {p.done}/{p.total} ({share:.0%}) lag {p.lag}"
            f" {p.rate:.1f} art/s ETA {_duration(p.eta_s)}"
        )
        if self._tty:
            self._stream.write("\r" + line + " " * 5)
            if p.lag == 0:
                self._stream.write("\n")
        elif p.lag == 0 or time.monotonic() - self._last_line >= 5:
            self._stream.write(line + "\n")
            self._last_line = time.monotonic()
        self._stream.flush()


def print_replay_result(result: Any) -> None:
    print(
        f"{result.mode}: read {result.consumed} records, indexed {result.indexed}, dead-lettered {result.dead}"
        f" into {result.target} in {_duration(result.elapsed_s)}"
    )
    again = getattr(result, "dead_again", 0)
    if again:
        print(f"{again} of them already had a dead letter: its attempt count was raised, no copy added")
    if result.swapped:
        print(f"alias {result.alias} now on {result.target} (was on {', '.join(result.previous) or 'nothing'})")
        if result.mode == "new-index":
            print("the old index is kept: `newsflow replay --rollback` moves the alias back")
    elif result.mode == "new-index":
        print(f"alias {result.alias} unchanged; run `newsflow replay --new-index` again to go on and swap")


def _offsets(values: list[int | None]) -> str:
    return " ".join("-" if v is None else str(v) for v in values)


def print_status(status: Status) -> None:
    """Kafka (topics, consumer groups and their lag), Elasticsearch (alias, indices, versions), dead letters."""
    k = status.kafka
    print(f"Kafka {k.bootstrap_servers}")
    if k.error is not None:
        print(f"  error: {k.error}")
    width = max([len(t.name) for t in k.topics] + [0])
    for t in k.topics:
        if not t.exists:
            print(f"  {t.role:<8} {t.name:<{width}}  does not exist")
            continue
        line = f"  {t.role:<8} {t.name:<{width}}  {len(t.partitions)} partitions, {t.records} records"
        line += f"; end offsets {_offsets([p.end for p in t.partitions])}"
        if any(p.begin for p in t.partitions):
            line += f", begin {_offsets([p.begin for p in t.partitions])}"
        print(line)
    if k.groups:
        print("  consumer groups (lag = end offset - committed, per partition):")
    for g in k.groups:
        state = "" if g.state is None else f", {g.state}, {g.members} member{'' if g.members == 1 else 's'}"
        if g.state == "Dead" and not g.partitions:
            state = ", no such group"
        summary = f"error: {g.error}" if g.error else f"lag {g.lag}"
        print(f"    {g.group} ({g.role}{state}): {summary}")
        for topic in g.topics:
            parts = [p for p in g.partitions if p.topic == topic]
            committed, lags = _offsets([p.committed for p in parts]), _offsets([p.lag for p in parts])
            print(f"      {topic}: committed {committed}; lag {lags}")
    e = status.elasticsearch
    print(f"Elasticsearch {e.url}")
    if e.error is not None:
        print(f"  error: {e.error}")
    else:
        if e.alias_indices:
            print(f"  alias {e.alias} -> {', '.join(e.alias_indices)}: {e.docs} documents")
            versions = ", ".join(f"{v}: {n}" for v, n in e.versions.items()) or "none"
            print(f"  enrichment versions: {versions}")
        else:
            print(f"  alias {e.alias} does not exist")
        for i in e.indices:
            flags = [f for f in ("alias" if i.aliased else "", f"replay {i.replay}" if i.replay else "") if f]
            docs = "missing" if i.docs is None else f"{i.docs} documents"
            print(f"  index {i.name}: {docs}" + (f" ({'; '.join(flags)})" if flags else ""))
        dedup = "does not exist" if e.dedup_docs is None else f"{e.dedup_docs} keys"
        print(f"  dedup registry {e.dedup_index}: {dedup}")
    dlq = k.topic("dlq")
    if status.dlq_size is None or dlq is None:
        print("dead letters: unknown (Kafka not reachable)")
    else:
        hint = " — `newsflow dlq list` shows each poisoned record once, with why" if status.dlq_size else ""
        print(f"dead letters: {status.dlq_size} records in {dlq.name}{hint}")
