"""The embedded engine: a tantivy index on disk, no server.

Several processes may read while one writes: tantivy allows one writer per index folder
(a second one gets LockBusy, which we retry), and readers notice another process's commit
by watching meta.json and reloading.

`SEARCH_INDEX_DIR/<name>` is a symbolic link to the current generation, a sibling folder
`.<name>-<time>`: a rebuild fills a fresh generation and swaps the link in one rename, so
searches use the old index (or the database) until the new one is whole, and a failed
rebuild leaves the old one. A missing, corrupt, outdated or incomplete index is detected
(`state()`), reported by `health()`, and searched around through the database copy.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson
import tantivy
from tantivy import Occur, Query

from search.analysis import (
    FOLDED_FOLLOW_UPS,
    AnalyzedQuery,
    fold,
    folded_tokens,
    fuzzy_distance,
    minimum_should_match,
    query_parts,
    relaxed_minimum,
    spellings,
)
from search.documents import ProcedureDocument
from search.engines.base import EngineUnavailable, Progress, SearchEngine, suggestion
from search.queries import FACETS, QueryError, SearchQuery, SearchResult

logger = logging.getLogger(__name__)

# 5: each document carries its live revision; 6: the follow-up words of its name;
# 7: whether a mission abroad carries it out (and "chuyển nơi" among the follow-ups);
# 8: the name's adjacent word pairs (name_pairs); 9: the name is the official name whole
# (ProcedurePage.official_name), not the title clipped to 255 characters
SCHEMA_VERSION = "11"
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
WRITER_WAIT_SECONDS = 10.0
BATCH = 1000
FEED_BATCH = 100  # documents handed to the rebuild thread at a time
STATE_TTL = 5.0  # seconds a process trusts its last look at the index's health
REPAIR_EVERY = (
    60  # seconds: at most one queued reconciliation per period, across processes
)

FACET_FIELDS = {
    "department": "f_department",
    "field": "f_field",
    "level": "f_level",
    "subject": "f_subject",
    "online": "f_online",
}
TEXT_FIELDS = ("name", "keywords", "body", "department", "codes_text")

# A body word more procedures than this hold does not make a match by itself (it still scores):
# in a national catalog giấy, nộp, hồ sơ are in nearly every body, and counting them let most
# queries match most of 100,000 procedures, which cost time in proportion and told nothing.
BODY_MATCH_MAX_DOCS = 5_000

# Query weights: one place to tune (see docs/search.md).
WEIGHTS = {
    # Fixed points (constant score): yes/no properties of a whole value or of the name.
    "code": 100.0,  # the typed text is this procedure's code
    "name_full": 60.0,  # the folded query is the whole name
    "keyword_full": 50.0,  # the query (or a synonym variant of it) is one of the keywords
    "variant_name_full": 40.0,  # a synonym variant of the query is the whole name
    "name_phrase": 25.0,  # words in order, adjacent, in the name (best of the three)
    "name_all": 12.0,  # every query word (or every word of a variant) is in the name
    "keyword_part": 10.0,  # a keyword of two or more words is part of the query
    "name_part": 10.0,  # the whole name is part of the query or of a synonym variant
    "name_near": 16.0,  # words in the name within a few positions
    "keywords_phrase": 6.0,  # words in order (slop 1) in the keywords
    "name_exact_phrase": 6.0,  # the typed diacritics, in order, in the name
    "name_bigrams": 12.0,  # share of the query's (or a variant's) word pairs side by side in the name
    "name_start": 8.0,  # the name begins with words the query (or a variant) has side by side
    # Multiplied with BM25 (term frequency, rarity, length): orders what the above tie.
    "name_term": 2.0,  # each word in the name
    "variant_term_share": 0.8,  # a synonym's words in the name, against the typed ones
    "name_exact": 1.5,  # each word in the name with the same diacritics
    "keywords_term": 1.5,
    "name_fuzzy": 1.0,  # typo tolerance, folded name
    "synonym_name": 1.0,  # the best synonym phrase in the name
    "synonym_keywords": 1.0,
    "primary": 4.0,  # the name is no follow-up (cấp lại, gia hạn ...) the query did not ask for
    "domestic": 4.0,  # no mission abroad carries it out, unless the query asks for abroad
    # not another province's SPECIFIC procedure: theirs only when this city has none like it
    "this_province": 20.0,
    "department_term": 0.5,
    "body_term": 0.3,
}
NEAR_SLOP = 3
# Words asking for a procedure done abroad (folded): without them, a procedure that a mission
# abroad carries out (ProcedureDocument.served_abroad) is not the one meant. "Chứng thực chữ
# ký" at a commune and at an embassy share a name; citizens here mean the commune.
ABROAD_WORDS = tuple(
    " ".join(folded_tokens(phrase))
    for phrase in ("nước ngoài", "lãnh sự", "đại sứ quán", "cơ quan đại diện")
)
VARIANT_TERMS = 16  # synonym variants whose name words may score instead of the query's
# Where a synonym phrase alone makes a document match: not the body, where the long
# phrases of common words (giấy chứng nhận quyền sử dụng đất) are in most dossiers,
# unless the query finds fewer than FEW_MATCHES documents without it.
SYNONYM_FIELDS = ("name", "keywords")
FEW_MATCHES = 3  # below this, the body's synonym phrases are searched as well


def name_term_phrasings(tokens: list[str], variants) -> list[list[tuple[str, float]]]:
    """The query's words and each synonym variant's, with the share of a word's points.

    A variant's phrase counts as the query words it stands for: "cấp lại thẻ căn cước" in
    place of "làm lại cccd" shares those three words' points among its five (times
    variant_term_share), so a name using the official words is not beaten by one that merely
    repeats the leftover words ("bị mất") of the query, and a long official phrase does not
    outweigh the rest. Both engines score the phrasing that finds most.
    """
    phrasings = [[(t, 1.0) for t in tokens]]
    for variant in variants[:VARIANT_TERMS]:
        variant = list(variant)
        shortest = min(len(tokens), len(variant))
        start = 0
        while start < shortest and tokens[start] == variant[start]:
            start += 1
        end = 0
        while end < shortest - start and tokens[-1 - end] == variant[-1 - end]:
            end += 1
        stands_for = len(tokens) - start - end
        swapped = len(variant) - start - end
        share = min(1.0, stands_for / swapped) if swapped else 1.0
        share *= WEIGHTS["variant_term_share"]
        phrasings.append(
            [
                (w, share if start <= i < len(variant) - end else 1.0)
                for i, w in enumerate(variant)
            ]
        )
    return phrasings


def _readings(analyzed: AnalyzedQuery) -> str:
    """The query, its variants and expansions, folded, each padded for a whole-word search."""
    return "|".join(
        " " + " ".join(p) + " "
        for p in [analyzed.folded, *analyzed.variants, *analyzed.expansions]
    )


def unasked_follow_ups(analyzed: AnalyzedQuery) -> list[list[str]]:
    """The FOLLOW_UPS that neither the query nor its synonym readings name (folded)."""
    asked = _readings(analyzed)
    return [list(words) for words, folded in FOLDED_FOLLOW_UPS if folded not in asked]


def asks_abroad(analyzed: AnalyzedQuery) -> bool:
    """Whether the query or a synonym reading of it names something abroad (ABROAD_WORDS)."""
    asked = _readings(analyzed)
    return any(f" {words} " in asked for words in ABROAD_WORDS)


def _analyzer(exact: bool):
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.lowercase()
    )
    if not exact:
        builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


_FOLDED = _analyzer(exact=False)
PAIR_JOIN = "_"  # never inside a token: the analyzer splits on it


def word_pairs(words) -> list[str]:
    """Adjacent words as one term each ("dang_ky", "ky_kinh"): a phrase of two words, or of n words
    as n-1 pairs in a row, is then a term lookup over a short list, not positions of common words."""
    return [f"{a}{PAIR_JOIN}{b}" for a, b in zip(words, words[1:], strict=False)]


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("page_id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("revision", stored=True, fast=True)
    builder.add_unsigned_field("served_abroad", indexed=True)
    builder.add_unsigned_field("another_provinces", indexed=True)
    builder.add_text_field("code_raw", tokenizer_name="raw")
    builder.add_text_field("name_full", tokenizer_name="raw")
    builder.add_text_field("keyword_full", tokenizer_name="raw")
    builder.add_text_field("name", tokenizer_name="vi_folded")
    builder.add_text_field("name_exact", tokenizer_name="vi_exact")
    # word_pairs of the name, side by side: adjacency is a term, not a positions check
    builder.add_text_field("name_pairs", tokenizer_name="pairs")
    builder.add_text_field("keywords", tokenizer_name="vi_folded")
    builder.add_text_field("department", tokenizer_name="vi_folded")
    builder.add_text_field("body", tokenizer_name="vi_folded")
    builder.add_text_field("codes_text", tokenizer_name="vi_folded")
    for field in FACET_FIELDS.values():
        builder.add_text_field(field, fast=True, tokenizer_name="raw")
    builder.add_text_field("follow_ups", tokenizer_name="raw")  # FOLLOW_UPS in the name
    builder.add_text_field("name_start", tokenizer_name="raw")  # analysis.name_starts
    builder.add_text_field("sort_name", fast=True, tokenizer_name="raw")
    builder.add_text_field("fingerprint", stored=True, tokenizer_name="raw")
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


def to_tantivy(document: ProcedureDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("page_id", document.page_id)
    doc.add_unsigned("revision", max(0, int(document.revision_id or 0)))
    for code in document.codes:
        doc.add_text("code_raw", code.lower())
        doc.add_text("codes_text", code)
    doc.add_text("name_full", document.name_key)
    doc.add_text("name", document.name)
    doc.add_text("name_exact", document.name)
    doc.add_text("name_pairs", " ".join(word_pairs(_FOLDED.analyze(document.name))))
    doc.add_text("keywords", document.keywords)
    for phrase in document.ranked_keyword_phrases:
        doc.add_text("keyword_full", phrase)
    doc.add_text("department", document.department)
    doc.add_text("body", document.body)
    doc.add_text("f_department", document.department_code)
    for value in document.fields:
        doc.add_text("f_field", value)
    for value in document.levels:
        doc.add_text("f_level", value)
    for value in document.subjects:
        doc.add_text("f_subject", value)
    doc.add_text("f_online", document.online_level)
    doc.add_unsigned("served_abroad", int(document.served_abroad))
    doc.add_unsigned("another_provinces", int(document.another_provinces))
    for phrase in document.follow_ups:
        doc.add_text("follow_ups", phrase)
    for start in document.name_starts:
        doc.add_text("name_start", start)
    doc.add_text("sort_name", " ".join(fold(document.name).split()))
    doc.add_text("fingerprint", document.fingerprint)
    doc.add_bytes("payload", orjson.dumps(document.payload()))
    return doc


def _feed(writer, documents: Iterable[ProcedureDocument], progress) -> int:
    """Add documents while the next ones are read: a thread converts and adds them.

    The caller's thread reads the database (and waits on it with the GIL released) and
    builds documents; this thread turns them into tantivy documents and hands them to
    tantivy's own indexing thread, so the three overlap instead of taking turns.
    """
    batches: queue.Queue = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def consume():
        while (batch := batches.get()) is not None:
            if failure:
                continue  # drain, so the producer never blocks on a full queue
            try:
                for document in batch:
                    writer.add_document(to_tantivy(document))
            except BaseException as exc:  # tantivy panics derive from BaseException
                failure.append(exc)

    worker = threading.Thread(target=consume, name="search-rebuild", daemon=True)
    worker.start()
    count = 0
    batch: list[ProcedureDocument] = []
    try:
        for document in documents:
            batch.append(document)
            count += 1
            if len(batch) == FEED_BATCH:
                batches.put(batch)
                batch = []
                if progress:
                    progress(count)
            if failure:
                break
        if batch:
            batches.put(batch)
    finally:
        batches.put(None)
        worker.join()
    if failure:
        raise failure[0]
    return count


class IndexUnusable(EngineUnavailable):
    """The index folder is missing, corrupt or from an older schema: search around it, rebuild it."""

    def __init__(self, problem: str, detail: str):
        super().__init__(f"search index {problem}: {detail}")
        self.problem = problem


class IndexUnwritable(EngineUnavailable):
    """The index folder cannot be written (permissions, a file in the way, a full disk)."""


@dataclass
class IndexState:
    """What a process found when it last looked at the index (see `EmbeddedEngine.state`)."""

    status: str  # ok | degraded | down
    problem: str  # "" | missing | corrupt | outdated | incomplete | behind | extra
    reason: str
    documents: int | None  # in the index; None when it cannot be read
    expected: int | None  # live public procedures in the database
    database_copy: int | None  # rows of the fallback's table (search.SearchRecord)
    fallback: bool  # search answers from the database instead of the index


def _tantivy_error(exc: BaseException) -> bool:
    """tantivy reports damage as ValueError/OSError, and Rust panics as a BaseException."""
    return not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


# The searcher one search() uses for all its steps (query, facets, "did you mean", best bets).
_SEARCHER: ContextVar[tuple | None] = ContextVar("embedded_searcher", default=None)


class EmbeddedEngine(SearchEngine):
    name = "embedded"

    def __init__(self, *, directory: Path, index_name: str):
        self.root = Path(directory)
        self.index_name = index_name
        self.path = self.root / index_name  # a link to the current generation
        self._lock = threading.RLock()
        self._index: tantivy.Index | None = None
        self._target: str | None = None  # the generation folder that _index reads
        self._schema = build_schema()
        self._seen: tuple | None = None
        self._vocabulary: tuple[tuple | None, dict[str, int]] = (None, {})
        self._state: tuple[float, IndexState] | None = None

    # ---- opening and reloading

    def _current(self) -> Path | None:
        """The folder the index link points at, if there is an index there at all."""
        target = Path(os.path.realpath(self.path))
        if not (target / "meta.json").is_file():
            return None
        return target

    def _open(self, *, create: bool = False) -> tantivy.Index:
        with self._lock:
            target = self._current()
            if self._index is not None and target is not None:
                if str(target) == self._target:
                    return self._index
            self._forget()
            if target is None:
                if not create:
                    # no server path: this reason reaches /healthz and the API's meta
                    raise IndexUnusable(
                        "missing",
                        f"no search index {self.path.name!r} in SEARCH_INDEX_DIR yet",
                    )
                target = self._create_generation()
            marker = target / "schema_version"
            version = marker.read_text().strip() if marker.exists() else ""
            if version != SCHEMA_VERSION:
                raise IndexUnusable(
                    "outdated",
                    f"schema version {version or 'unknown'}, expected {SCHEMA_VERSION}",
                )
            try:
                index = tantivy.Index(self._schema, path=str(target))
                self._register(index)
                index.reload()
            except BaseException as exc:
                if not _tantivy_error(exc):
                    raise
                raise IndexUnusable("corrupt", _one_line(exc)) from exc
            self._index, self._target = index, str(target)
            self._seen = self._meta_stamp()
            return index

    @staticmethod
    def _register(index: tantivy.Index) -> None:
        index.register_tokenizer("vi_folded", _analyzer(exact=False))
        index.register_tokenizer("vi_exact", _analyzer(exact=True))
        index.register_tokenizer(
            "pairs", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )

    def _forget(self) -> None:
        """Drop the open index; the next use reopens whatever the link points at."""
        with self._lock:
            self._index, self._target, self._seen = None, None, None
            self._state = None

    def _meta_stamp(self) -> tuple | None:
        try:
            stat = os.stat(Path(self._target or self.path) / "meta.json")
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def _searcher(self) -> tantivy.Searcher:
        held = _SEARCHER.get()
        if held is not None and held[0] is self:
            return held[1]  # one look at the disk per search, not one per step
        index = self._open()
        stamp = self._meta_stamp()
        if stamp != self._seen:
            # Another process (or our writer) committed: see its documents now.
            index.reload()
            self._seen = stamp
        return index.searcher()

    def _writer(self, heap: int = WRITER_HEAP):
        index = self._open(create=True)
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        delay = 0.02
        while True:
            try:
                return index.writer(heap, 1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise EngineUnavailable(
                        f"search index is locked by another writer: {exc}"
                    ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _commit(self, writer) -> None:
        writer.commit()
        writer.wait_merging_threads()
        index = self._open()
        index.reload()
        self._seen = self._meta_stamp()
        self._state = None

    # ---- generations: build beside the current index, then swap the link

    def _generation_name(self) -> str:
        return f".{self.index_name}-{time.time_ns()}-{os.getpid()}"

    def ensure_writable(self) -> None:
        """Raise IndexUnwritable (one clear line) unless a generation can be made here."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".{self.index_name}.probe-{os.getpid()}"
            probe.mkdir()
            probe.rmdir()
        except OSError as exc:
            raise IndexUnwritable(
                f"cannot write the search index folder {self.root}: "
                f"{exc.strerror or exc}"
            ) from exc

    def _new_index(self, folder: Path) -> tantivy.Index:
        folder.mkdir()
        index = tantivy.Index(self._schema, path=str(folder))
        self._register(index)
        (folder / "schema_version").write_text(SCHEMA_VERSION)
        return index

    def _create_generation(self) -> Path:
        """An empty index for the first write into a folder that has none (a new install)."""
        self.ensure_writable()
        folder = self.root / self._generation_name()
        index = self._new_index(folder)
        writer = index.writer(WRITER_HEAP, 1)
        writer.commit()
        writer.wait_merging_threads()
        del writer
        self._point_at(folder)
        return folder

    def _point_at(self, folder: Path) -> None:
        """Make the index link name `folder` in one rename; readers never see half of it."""
        link = self.root / f".{self.index_name}.link-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(folder.name, link)
        if self.path.is_dir() and not self.path.is_symlink():
            # An index from before generations (a plain folder): set it aside first.
            os.rename(self.path, self.root / f"{self._generation_name()}-old")
        elif self.path.exists() and not self.path.is_symlink():
            os.unlink(self.path)  # a stray file where the index belongs
        os.replace(link, self.path)
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _remove_old_generations(self) -> None:
        """Folders of earlier (or failed) rebuilds; other processes reopen on their next read."""
        current = self._current()
        prefix = f".{self.index_name}-"
        for entry in self.root.iterdir():
            if entry.name.startswith(prefix) and entry != current:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)

    def _rebuild_lock(self):
        """One rebuild at a time per index, across processes (a file lock the kernel drops on exit)."""
        handle = open(self.root / f".{self.index_name}.rebuild.lock", "a+")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise EngineUnavailable(
                "another search index rebuild is running on this folder"
            ) from exc
        return handle

    # ---- writing

    def index(self, documents: Iterable[ProcedureDocument]) -> int:
        with self._lock:
            writer = self._writer()
            count = 0
            for document in documents:
                writer.delete_documents_by_query(self._page(document.page_id))
                writer.add_document(to_tantivy(document))
                count += 1
            self._commit(writer)
            return count

    def delete(self, page_ids: Iterable[int]) -> None:
        with self._lock:
            writer = self._writer()
            for page_id in page_ids:
                writer.delete_documents_by_query(self._page(int(page_id)))
            self._commit(writer)

    def rebuild(
        self, documents: Iterable[ProcedureDocument], progress: Progress | None = None
    ) -> int:
        """Build a fresh generation beside the current index, then swap the link to it.

        Readers keep the old index (or the database fallback, if the old one is broken)
        until the swap; whatever state the old folder is in does not matter, and a failed
        build leaves it as it was.
        """
        with self._lock:
            self.ensure_writable()
            lock = self._rebuild_lock()
            folder = self.root / self._generation_name()
            try:
                try:
                    index = self._new_index(folder)
                    writer = index.writer(REBUILD_HEAP, 1)
                except OSError as exc:
                    raise IndexUnwritable(
                        f"cannot write the search index folder {self.root}: "
                        f"{exc.strerror or exc}"
                    ) from exc
                except ValueError as exc:  # tantivy wraps I/O errors
                    raise IndexUnwritable(
                        f"cannot write the search index folder {self.root}: "
                        f"{_one_line(exc)}"
                    ) from exc
                count = _feed(writer, documents, progress)
                writer.commit()
                writer.wait_merging_threads()
                del writer
                self._point_at(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            finally:
                lock.close()
            self._forget()
            self._remove_old_generations()
            if progress:
                progress(count)
            return count

    def clear(self) -> None:
        with self._lock:
            writer = self._writer()
            writer.delete_all_documents()
            self._commit(writer)

    # ---- reading what is indexed

    def fingerprints(self) -> dict[int, str]:
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return {}
        result = searcher.search(Query.all_query(), limit=total, count=False)
        found = {}
        for _score, address in result.hits:
            doc = searcher.doc(address)
            found[int(doc["page_id"][0])] = doc["fingerprint"][0]
        return found

    def revisions(self) -> dict[int, int]:
        """page_id -> the live revision each indexed document was built from (fast fields only)."""
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return {}
        answer = searcher.aggregate(
            Query.all_query(),
            {
                "pages": {
                    "terms": {"field": "page_id", "size": total + 1},
                    "aggs": {"revision": {"max": {"field": "revision"}}},
                }
            },
        )
        return {
            int(bucket["key"]): int(bucket["revision"]["value"] or 0)
            for bucket in answer["pages"]["buckets"]
        }

    # ---- health: is the index there, readable and whole?

    def state(self, *, fresh: bool = False) -> IndexState:
        """This process's look at the index, renewed every STATE_TTL seconds.

        Missing, corrupt or outdated: search from the database copy. Fewer than half the
        documents the database copy holds (a folder emptied or replaced by an old one):
        also the database copy, which then knows more procedures. Any smaller difference
        from the published procedures (indexing behind, extra documents) is reported as
        degraded while the index keeps answering; reconciliation closes it.
        """
        cached = self._state
        if not fresh and cached and time.monotonic() - cached[0] < STATE_TTL:
            return cached[1]
        state = self._look()
        self._state = (time.monotonic(), state)
        if state.problem:
            _request_repair(state)
        return state

    def _look(self) -> IndexState:
        expected = database_copy = None
        try:
            from search.documents import count_documents
            from search.models import SearchRecord

            expected = count_documents()
            database_copy = SearchRecord.objects.count()
        except Exception:  # the database's own health is reported beside this one
            logger.warning("could not count procedures for the search health check")
        documents = None
        try:
            searcher = self._searcher()
            documents = searcher.num_docs
            # The count comes from meta.json alone: read a stored document, as a search does.
            for _score, address in searcher.search(Query.all_query(), limit=1).hits:
                searcher.doc(address)
        except IndexUnusable as exc:
            problem, reason = exc.problem, str(exc)
        except BaseException as exc:
            if not _tantivy_error(exc):
                raise
            self._forget()
            documents = None  # counted from meta.json, but not readable
            problem, reason = "corrupt", f"search index corrupt: {_one_line(exc)}"
            reason = reason.replace(str(self.root), "SEARCH_INDEX_DIR")
        else:
            problem, reason = "", ""
            if database_copy is not None and documents * 2 < database_copy:
                # Less than half: an emptied or replaced folder, not a lag.
                problem = "incomplete"
                reason = (
                    f"the index holds {documents} procedures, the database copy "
                    f"{database_copy}; run `search_index update`"
                )
            elif documents < max(expected or 0, database_copy or 0):
                problem = "behind"
                missing = max(expected or 0, database_copy or 0) - documents
                reason = f"{missing} published procedures are not indexed yet"
            elif expected is not None and documents > expected:
                problem = "extra"
                reason = (
                    f"{documents - expected} indexed procedures are no longer published"
                )
        fallback = problem in ("missing", "corrupt", "outdated", "incomplete")
        if not problem:
            status = "ok"
        elif fallback and not database_copy and expected:
            status = "down"  # neither the index nor the database copy can answer
        else:
            status = "degraded"
        return IndexState(
            status=status,
            problem=problem,
            reason=reason,
            documents=documents,
            expected=expected,
            database_copy=database_copy,
            fallback=fallback,
        )

    def health(self) -> dict:
        state = self.state(fresh=True)
        return {**asdict(state), "path": str(self.path)}

    # ---- querying: small named pieces

    def _page(self, page_id: int) -> Query:
        # delete_documents_by_term does not match u64 fields in tantivy-py; a query does.
        return Query.term_query(self._schema, "page_id", page_id)

    def _term(self, field: str, value: str) -> Query:
        return Query.term_query(self._schema, field, value)

    def _terms(self, field: str, values: list[str]) -> Query:
        return Query.term_set_query(self._schema, field, values)

    def _boost(self, query: Query, weight: str) -> Query:
        return Query.boost_query(query, WEIGHTS[weight])

    def _phrase(self, field: str, words: list[str] | tuple[str, ...], slop=0) -> Query:
        if len(words) == 1:
            return self._term(field, words[0])
        return Query.phrase_query(self._schema, field, list(words), slop)

    def _adjacent_in_name(self, words: list[str] | tuple[str, ...]) -> Query:
        """The words side by side in the name, as `_phrase("name", words)` matches them, from
        name_pairs: for matching and fixed points only (its BM25 is the pairs field's)."""
        pairs = word_pairs(list(words))
        if not pairs:
            return self._term("name", words[0])
        if len(pairs) == 1:
            return self._term("name_pairs", pairs[0])
        return Query.phrase_query(self._schema, "name_pairs", pairs, 0)

    def _common_in_bodies(self, form: str) -> bool:
        """A word in so many bodies (giấy, hồ sơ, nộp) that finding it there tells nothing."""
        return self._searcher().doc_freq("body", form) > BODY_MATCH_MAX_DOCS

    def _token_matches(self, token: str, every_body_word: bool = False) -> Query:
        """A query word is found when it is in any text field, or close to a word of the name.

        In the body, a word more than BODY_MATCH_MAX_DOCS bodies hold does not count, unless
        `every_body_word`: Lucene's common-terms idea. It still scores, in the body clauses.
        A word some name holds is not looked up with typos either, unless `every_body_word`
        (the last tries, when nothing matched); the typo clause still scores.
        """
        clauses = [
            (Occur.Should, self._term(field, form))
            for form in spellings(token)
            for field in TEXT_FIELDS
            if field != "body" or every_body_word or not self._common_in_bodies(form)
        ]
        distance = fuzzy_distance(token)
        if distance and (every_body_word or not self._in_names(token)):
            # A word the names or keywords hold is taken as typed: its neighbours (khai ->
            # khác, thai; sinh -> xinh, linh) only widened the matches, several-fold.
            for field in ("name", "keywords"):
                clauses.append(
                    (
                        Occur.Should,
                        Query.fuzzy_term_query(self._schema, field, token, distance),
                    )
                )
        return Query.boolean_query(clauses)

    def _in_names(self, token: str) -> bool:
        """Whether some name or keyword holds the word (in one of its spellings)."""
        searcher = self._searcher()
        return any(
            searcher.doc_freq(field, form)
            for form in spellings(token)
            for field in ("name", "keywords")
        )

    def _required(
        self,
        analyzed: AnalyzedQuery,
        minimum: int,
        body: bool = False,
        every_body_word: bool = False,
    ) -> Query:
        """What a document must match: the words (at least `minimum` of them), a synonym or the code."""
        options = []
        if analyzed.folded:
            tokens = [
                (Occur.Should, self._token_matches(t, every_body_word))
                for t in analyzed.folded
            ]
            options.append((Occur.Should, Query.boolean_query(tokens, minimum)))
        for phrase in analyzed.expansions:
            for field in SYNONYM_FIELDS + (("body",) if body else ()):
                if field == "name":
                    options.append((Occur.Should, self._adjacent_in_name(phrase)))
                else:
                    options.append((Occur.Should, self._phrase(field, phrase)))
        # a question's object, side by side in the name (AnalyzedQuery.name_runs)
        for run in analyzed.name_runs():
            options.append((Occur.Should, self._adjacent_in_name(run)))
        if analyzed.code:
            options.append((Occur.Should, self._term("code_raw", analyzed.code)))
        return Query.boolean_query(options)

    def _bigram_coverage(self, pairs: list[tuple[str, str]]) -> Query:
        """Points for the share of a phrasing's adjacent word pairs found side by side in the name."""
        share = WEIGHTS["name_bigrams"] / len(pairs)
        return Query.boolean_query(
            [
                (
                    Occur.Should,
                    Query.const_score_query(self._adjacent_in_name(p), share),
                )
                for p in pairs
            ]
        )

    def _penalty(self, query: Query, weight: str) -> Query:
        """The weight's points for every document but those `query` matches, as points taken from
        those: the same order, without a clause that visits every document of the index."""
        return Query.const_score_query(query, -WEIGHTS[weight])

    def _const(self, query: Query, weight: str) -> Query:
        return Query.const_score_query(query, WEIGHTS[weight])

    def _any(self, queries: list[Query]) -> Query:
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def _all_in(self, field: str, words) -> Query:
        return Query.boolean_query([(Occur.Must, self._term(field, w)) for w in words])

    def _name_terms(self, tokens: list[str], variants) -> Query:
        """Each word in the name (BM25), for the query or the synonym variant that finds most."""
        options = [
            Query.boolean_query(
                [
                    (
                        Occur.Should,
                        Query.boost_query(
                            self._term("name", form), WEIGHTS["name_term"] * share
                        ),
                    )
                    for word, share in phrasing
                    for form in spellings(word)
                ]
            )
            for phrasing in name_term_phrasings(tokens, variants)
        ]
        return Query.disjunction_max_query(options) if len(options) > 1 else options[0]

    def _primary(self, analyzed: AnalyzedQuery) -> Query | None:
        """Points for a name that is no follow-up the query did not ask for (see FOLLOW_UPS)."""
        unasked = unasked_follow_ups(analyzed)
        if not unasked:
            return None
        listed = Query.term_set_query(
            self._schema, "follow_ups", [" ".join(w) for w in unasked]
        )
        return self._penalty(listed, "primary")

    def _domestic(self, analyzed: AnalyzedQuery) -> Query | None:
        """Points for a procedure done at home, unless the query asks for abroad (ABROAD_WORDS)."""
        if asks_abroad(analyzed):
            return None
        abroad = Query.term_query(self._schema, "served_abroad", 1)
        return self._penalty(abroad, "domestic")

    def _this_province(self) -> Query:
        """Points for a procedure that is not another province's (ProcedureDocument.another_provinces)."""
        elsewhere = Query.term_query(self._schema, "another_provinces", 1)
        return self._penalty(elsewhere, "this_province")

    def _scoring(self, analyzed: AnalyzedQuery) -> list[Query]:
        """Should-clauses that order the matches: code, whole name, phrase, name over body.

        Whole-value matches (code, whole name, whole keyword, every word in the name) add
        fixed points: as BM25 they swung with corpus size and with how many keywords a
        procedure has. Synonym phrases count once per field (the best one), not once each.
        """
        tokens = analyzed.folded
        scoring = []
        if analyzed.code:
            scoring.append(self._const(self._term("code_raw", analyzed.code), "code"))
        phrasings = [tuple(tokens)] if tokens else []
        phrasings += analyzed.variants
        if tokens:
            joined = " ".join(tokens)
            scoring.append(self._const(self._term("name_full", joined), "name_full"))
        if phrasings:
            scoring.append(
                self._const(
                    self._terms("keyword_full", [" ".join(p) for p in phrasings]),
                    "keyword_full",
                )
            )
        if analyzed.variants:
            scoring.append(
                self._const(
                    self._terms(
                        "name_full",
                        [" ".join(v) for v in analyzed.variants],
                    ),
                    "variant_name_full",
                )
            )
        parts = query_parts(tokens)
        if parts:
            scoring.append(
                self._const(
                    self._terms("keyword_full", parts),
                    "keyword_part",
                )
            )
        name_parts = analyzed.name_parts()
        if name_parts:
            scoring.append(
                self._const(
                    self._terms("name_full", name_parts),
                    "name_part",
                )
            )
        if len(tokens) > 1:
            # Nested properties (adjacent ⊂ near ⊂ all present): the best one counts. A
            # synonym variant's words adjacent or near count as the query's would.
            nested = [
                self._const(self._adjacent_in_name(tokens), "name_phrase"),
                self._const(self._phrase("name", tokens, NEAR_SLOP), "name_near"),
                self._const(
                    self._any([self._all_in("name", p) for p in phrasings]),
                    "name_all",
                ),
            ]
            for variant in analyzed.variants:
                if len(variant) > 1:
                    nested.append(
                        self._const(self._adjacent_in_name(variant), "name_phrase")
                    )
                    nested.append(
                        self._const(
                            self._phrase("name", variant, NEAR_SLOP), "name_near"
                        )
                    )
            scoring.append(Query.disjunction_max_query(nested))
            scoring.append(
                self._const(self._phrase("keywords", tokens, 1), "keywords_phrase")
            )
        coverage = [
            self._bigram_coverage(pairs) for pairs in analyzed.bigram_phrasings()
        ]
        if coverage:
            scoring.append(Query.disjunction_max_query(coverage))
        starts = analyzed.name_start_runs()
        if starts:
            scoring.append(
                self._const(
                    self._terms("name_start", starts),
                    "name_start",
                )
            )
        if tokens:
            scoring.append(self._name_terms(tokens, analyzed.variants))
        for token in tokens:
            for form in spellings(token):
                scoring.append(
                    self._boost(self._term("keywords", form), "keywords_term")
                )
            scoring.append(
                self._boost(self._term("department", token), "department_term")
            )
            if not self._common_in_bodies(token):  # nearly no weight, and the costliest
                scoring.append(self._boost(self._term("body", token), "body_term"))
            distance = fuzzy_distance(token)
            if distance:
                fuzzy = Query.fuzzy_term_query(self._schema, "name", token, distance)
                scoring.append(self._boost(fuzzy, "name_fuzzy"))
        for token in analyzed.exact:
            scoring.append(self._boost(self._term("name_exact", token), "name_exact"))
        if len(analyzed.exact) > 1:
            scoring.append(
                self._const(
                    self._phrase("name_exact", analyzed.exact), "name_exact_phrase"
                )
            )
        priors = (
            self._primary(analyzed),
            self._domestic(analyzed),
            self._this_province(),
        )
        for prior in priors:
            if prior is not None:
                scoring.append(prior)
        if analyzed.expansions:
            for field, weight in (
                ("name", "synonym_name"),
                ("keywords", "synonym_keywords"),
            ):
                best = Query.disjunction_max_query(
                    [self._phrase(field, p) for p in analyzed.expansions]
                )
                scoring.append(self._boost(best, weight))
        return scoring

    def _filters(self, filters: dict[str, list[str]]) -> list[Query]:
        return [
            Query.term_set_query(self._schema, FACET_FIELDS[name], values)
            for name, values in filters.items()
        ]

    def _compose(
        self, required: Query | None, scoring: list[Query], filters: list[Query]
    ) -> Query:
        clauses = []
        if required is not None:
            clauses.append((Occur.Must, Query.const_score_query(required, 0.0)))
        clauses += [(Occur.Should, q) for q in scoring]
        clauses += [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        if not clauses or (required is None and not filters):
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)

    def search(self, query: SearchQuery) -> SearchResult:
        """A missing, broken or half-replaced index answers from the database, never with a 500."""
        state = self.state()
        if state.fallback:
            return self._database_search(query, state.reason)
        token = None
        try:
            token = _SEARCHER.set((self, self._searcher()))
            return super().search(query)
        except QueryError:
            raise
        except BaseException as exc:  # tantivy panics derive from BaseException
            if not _tantivy_error(exc):
                raise
            logger.exception("embedded search failed; answering from the database")
            self._forget()  # reopen from disk, and look at its health again, next time
            return self._database_search(query, f"search index error: {_one_line(exc)}")
        finally:
            if token is not None:
                _SEARCHER.reset(token)

    def suggest(self, text: str, limit: int = 8) -> list[dict]:
        """Autocomplete from the database copy too when the index cannot answer."""
        if self.state().fallback:
            return self._database().suggest(text, limit=limit)
        try:
            return super().suggest(text, limit=limit)
        except BaseException as exc:
            if not _tantivy_error(exc):
                raise
            logger.exception("embedded suggest failed; answering from the database")
            self._forget()
            return self._database().suggest(text, limit=limit)

    @staticmethod
    def _database():
        from search.engines.database import DatabaseEngine

        return DatabaseEngine()

    def _database_search(self, query: SearchQuery, reason: str) -> SearchResult:
        result = self._database().search(query)
        result.fallback = True
        result.fallback_reason = reason
        return result

    def _search(self, query: SearchQuery, analyzed: AnalyzedQuery):
        searcher = self._searcher()
        filters = self._filters(query.filters)
        if not query.text:
            final = self._compose(None, [], filters)
            result = searcher.search(
                final,
                limit=query.page_size,
                offset=query.offset,
                order_by_field="sort_name",
                order=tantivy.Order.Asc,
            )
            required, scoring = None, []
        else:
            scoring = self._scoring(analyzed)
            n = len(analyzed.folded)
            required = self._required(analyzed, minimum_should_match(n))
            final = self._compose(required, scoring, filters)
            result = searcher.search(final, limit=query.page_size, offset=query.offset)
            if result.count < FEW_MATCHES and analyzed.expansions:
                # Almost nothing: let a synonym phrase in the body make a match too.
                required = self._required(analyzed, minimum_should_match(n), body=True)
                final = self._compose(required, scoring, filters)
                result = searcher.search(
                    final, limit=query.page_size, offset=query.offset
                )
            if result.count == 0 and any(
                self._common_in_bodies(form)
                for token in analyzed.folded
                for form in spellings(token)
            ):
                # Nothing without the common body words: let them count after all.
                required = self._required(
                    analyzed, minimum_should_match(n), body=True, every_body_word=True
                )
                final = self._compose(required, scoring, filters)
                result = searcher.search(
                    final, limit=query.page_size, offset=query.offset
                )
            if result.count == 0 and n > 1:
                # Nothing has every word: accept documents with most of them.
                required = self._required(
                    analyzed, relaxed_minimum(n), body=True, every_body_word=True
                )
                final = self._compose(required, scoring, filters)
                result = searcher.search(
                    final, limit=query.page_size, offset=query.offset
                )
        rows = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            rows.append((orjson.loads(doc["payload"][0]), score))
        facets = self._facets(searcher, query, required)
        return result.count, rows, facets

    def _facets(self, searcher, query: SearchQuery, required: Query | None):
        """Each facet counts over the other facets' filters only, never its own."""
        counts: dict[str, dict[str, int]] = {}
        groups: dict[tuple, list[str]] = {}
        for name in FACETS:
            key = tuple(sorted(query.without_filter(name)))
            groups.setdefault(key, []).append(name)
        for key, names in groups.items():
            filters = self._filters({k: query.filters[k] for k in key})
            base = self._compose(required, [], filters)
            aggs = {
                name: {"terms": {"field": FACET_FIELDS[name], "size": 100}}
                for name in names
            }
            answer = searcher.aggregate(base, aggs)
            for name in names:
                counts[name] = {
                    bucket["key"]: bucket["doc_count"]
                    for bucket in answer.get(name, {}).get("buckets", [])
                    if bucket["key"]
                }
        return counts

    def _fetch(self, page_ids: list[int]) -> dict[int, dict]:
        searcher = self._searcher()
        query = Query.term_set_query(self._schema, "page_id", list(page_ids))
        result = searcher.search(query, limit=len(page_ids))
        payloads = {}
        for _score, address in result.hits:
            payload = orjson.loads(searcher.doc(address)["payload"][0])
            payloads[int(payload["page_id"])] = payload
        return payloads

    def _count_matching(self, analyzed, query, page_ids):
        searcher = self._searcher()
        required = self._required(
            analyzed, max(1, minimum_should_match(len(analyzed.folded)))
        )
        ids = Query.term_set_query(self._schema, "page_id", list(page_ids))
        result = searcher.search(
            Query.boolean_query([(Occur.Must, required), (Occur.Must, ids)]),
            limit=len(page_ids),
        )
        return {int(searcher.doc(address)["page_id"][0]) for _s, address in result.hits}

    def _suggest(self, tokens: list[str], limit: int) -> list[dict]:
        searcher = self._searcher()
        query = Query.phrase_prefix_query(self._schema, "name", tokens)
        # words no name holds in this order are answered by the search (SearchEngine.suggest)
        result = searcher.search(query, limit=limit)
        return [
            suggestion(orjson.loads(searcher.doc(address)["payload"][0]))
            for _score, address in result.hits
        ]

    def is_known(self, token: str) -> bool:
        if len(token) < 3 or token.isdigit():
            return True
        searcher = self._searcher()
        return any(searcher.doc_freq(f, token) for f in ("name", "keywords", "body"))

    def vocabulary(self) -> dict[str, int]:
        searcher = self._searcher()
        stamp = self._seen
        if self._vocabulary[0] != stamp or stamp is None:
            words: dict[str, int] = {}
            for field in ("name", "keywords"):
                for term, frequency in searcher.terms_with_prefix(field, ""):
                    if not term.isdigit():
                        words[term] = max(words.get(term, 0), frequency)
            self._vocabulary = (stamp, words)
        return self._vocabulary[1]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:300]


def _request_repair(state: IndexState) -> None:
    """Queue a reconciliation when a web process finds the index unwell.

    Only with a queued task backend (a worker runs it): the immediate backend would run a
    possibly long rebuild inside the citizen's request. At most one per REPAIR_EVERY
    seconds, shared through the cache.
    """
    try:
        from django.core.cache import cache

        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
        from django_tasks.backends.immediate import ImmediateBackend

        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
            return
        if cache.add("search:repair_requested", state.problem, REPAIR_EVERY):
            from search.indexing import reconcile_index

            reconcile_index.enqueue()
    except Exception:  # asking for a repair must never break a search
        logger.exception("could not queue a search index reconciliation")
