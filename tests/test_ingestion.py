"""Ingestion into a real embedded Chroma store: exact offsets, no boilerplate, idempotent, honest about failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_pdf

from index.embed import MODEL_MAX_TOKENS
from qa import Assistant


def all_spans(assistant: Assistant, table: str) -> list[tuple[str, int, int, str]]:
    out = []
    for info in assistant.documents():
        doc = assistant.document(info.doc_id)
        for row in assistant.store.manifest.spans(table, info.doc_id):
            out.append((row.id, row.start, row.end, doc.text[row.start : row.end]))
    return out


def test_every_chunk_and_sentence_is_exact_text_of_its_document(seeded: Assistant) -> None:
    for info in seeded.documents():
        doc = seeded.document(info.doc_id)
        assert doc.text == Path(doc.path).read_text(encoding="utf-8")  # offsets index the file as read
    chunks = seeded.store.chunks._collection.get(include=["documents", "metadatas"])
    assert len(chunks["ids"]) == seeded.store.chunks.count() > 0
    for text, meta in zip(chunks["documents"], chunks["metadatas"], strict=True):
        assert seeded.document(meta["doc_id"]).text[meta["start"] : meta["end"]] == text
    sentences = seeded.store.sentences._collection.get(include=["metadatas"])
    stored = {(r[1], r[2]) for r in all_spans(seeded, "sentences")}
    assert {(m["start"], m["end"]) for m in sentences["metadatas"]} == stored


def test_chunks_fit_the_embedder(seeded: Assistant) -> None:
    texts = [t for *_, t in all_spans(seeded, "chunks")]
    assert max(seeded.embedder.count_tokens(texts)) + 2 <= MODEL_MAX_TOKENS
    assert max(len(t) for t in texts) <= 1500


def test_boilerplate_is_kept_out_of_chunks_and_sentences(seeded: Assistant) -> None:
    for table in ("chunks", "sentences"):
        texts = " ".join(t for *_, t in all_spans(seeded, table))
        for junk in ("Follow SMNI", "Gambas", "Next Article", "largest military budgets", "on Rumble"):
            assert junk not in texts, (table, junk)
    sentences = [t for *_, t in all_spans(seeded, "sentences")]
    title = "Iran’s elite military branch vows to help Hamas ‘whatever it takes’"
    assert sentences.count(title) == 1  # the title stays, its repeat does not
    assert "A total of 11,400 people died, most of them children and women." in sentences


def test_unchanged_files_are_not_reindexed(fresh: Assistant, docs: Path) -> None:
    first = fresh.index([docs], progress=False)
    assert len(first.added) == 2 and first.documents == 2
    store_files = {
        p: p.stat().st_mtime_ns for p in fresh.store.folder.rglob("*") if p.is_file() and "lock" not in p.name
    }
    ids_before = sorted(fresh.store.chunks._collection.get(include=[])["ids"])
    again = fresh.index([docs], progress=False)
    assert again.to_dict() | {"unchanged": []} == {
        "added": [],
        "updated": [],
        "unchanged": [],
        "removed": [],
        "failed": [],
        "skipped": [],
        "incomplete": [],
        "ocr_pages": 0,
        "duplicates": [],
        "documents": 2,
        "chunks": first.chunks,
    }
    assert len(again.unchanged) == 2
    assert sorted(fresh.store.chunks._collection.get(include=[])["ids"]) == ids_before
    after = {
        p: p.stat().st_mtime_ns for p in fresh.store.folder.rglob("*") if p.is_file() and "lock" not in p.name
    }
    changed = [
        p for p in store_files if after.get(p) != store_files[p] and not p.name.endswith(("-wal", "-shm"))
    ]
    assert changed == []


def test_a_changed_file_replaces_its_old_chunks(fresh: Assistant, docs: Path) -> None:
    fresh.index([docs], progress=False)
    target = docs / "000_8d4618b9783054d8.txt"
    doc_id = next(d.doc_id for d in fresh.documents() if d.source.endswith(target.name))
    target.write_text("Zanzibar is famous for cloves. The clove harvest starts in July.\n", encoding="utf-8")
    report = fresh.index([docs], progress=False)
    assert report.updated == [fresh.document(doc_id).source] and len(report.unchanged) == 1
    ids = fresh.store.chunks.ids_of(doc_id)
    texts = [t for i, _, _, t in all_spans(fresh, "chunks") if i in ids]
    assert texts == ["Zanzibar is famous for cloves. The clove harvest starts in July."]
    assert len(fresh.store.sentences.ids_of(doc_id)) == 2
    assert fresh.store.chunks.count() == report.chunks  # no stale vectors left behind
    answer = fresh.ask("When does the clove harvest start?")
    assert "July" in answer.answer and answer.citations[0].doc_id == doc_id


def test_sync_removes_documents_whose_files_are_gone(fresh: Assistant, docs: Path) -> None:
    fresh.index([docs], progress=False)
    (docs / "003_16f4160fbc76786d.txt").unlink()
    kept = fresh.index([docs], progress=False)
    assert kept.removed == [] and kept.documents == 2  # without --sync nothing is removed
    synced = fresh.index([docs], sync=True, progress=False)
    assert [Path(p).name for p in synced.removed] == ["003_16f4160fbc76786d.txt"]
    assert synced.documents == 1 and fresh.store.chunks.count() == synced.chunks
    assert len(fresh.store.lexical) == synced.chunks


def test_bad_files_are_reported_and_the_others_indexed(fresh: Assistant, docs: Path) -> None:
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00")
    (docs / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (docs / "empty.md").write_text("   \n", encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (docs / "image.png").write_bytes(b"\x89PNG")  # unsupported types in folders are passed over
    report = fresh.index([docs, docs / "missing.txt"], progress=False)
    failed = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert set(failed) == {"binary.txt", "latin1.txt", "empty.md", "broken.pdf", "missing.txt"}
    assert "binary" in failed["binary.txt"] and "UTF-8" in failed["latin1.txt"]
    assert "PDF" in failed["broken.pdf"] and "no such file" in failed["missing.txt"]
    assert len(report.added) == 2 and report.documents == 2


def test_html_and_pdf_files_are_indexed_by_their_main_text(fresh: Assistant, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    article = " ".join(
        f"Paragraph sentence {i} about the harbour of Valletta and its old fortifications." for i in range(8)
    )
    (folder / "page.html").write_text(
        "<html><head><title>Malta</title></head><body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        f"<article><h1>The Grand Harbour</h1><p>{article}</p><p>The Grand Harbour was fortified by the Knights "
        "of St John in the sixteenth century.</p></article><footer>Copyright 2024 Example Media</footer></body></html>",
        encoding="utf-8",
    )
    # (a line opening with a quotation mark, where PDFium finds no character at the run's left edge)
    (folder / "atlantis.pdf").write_bytes(
        make_pdf(["The capital of Atlantis is Poseidonia.", '"It sank long ago," the guide said.'])
    )
    report = fresh.index([folder], progress=False)
    assert not report.failed and len(report.added) == 2
    html_doc = next(fresh.document(d.doc_id) for d in fresh.documents() if d.source.endswith(".html"))
    assert "Knights of St John" in html_doc.text and "Home" not in html_doc.text
    answer = fresh.ask("What is the capital of Atlantis?")
    assert "Poseidonia" in answer.answer
    assert fresh.document(answer.citations[0].doc_id).text[
        answer.citations[0].start : answer.citations[0].end
    ] == (answer.citations[0].quote)


def test_an_html_page_keeps_its_headings_and_answers_by_them(fresh: Assistant, tmp_path: Path) -> None:
    # trafilatura drops every heading of a page with a <nav>; the sections they open are what answers rest on
    (tmp_path / "api.html").write_text(
        "<html><head><title>ParcelPoint API</title></head><body><nav><a href='/'>Home</a> | "
        "<a href='/docs'>Docs</a> | <a href='/status'>Status</a></nav>"
        "<h1>ParcelPoint API reference</h1><p>The ParcelPoint API lets you create shipments and buy labels "
        "with UK and European carriers. All requests use HTTPS and JSON.</p>"
        "<h2>Authentication</h2><p>Send your secret key as a bearer token in the Authorization header. Sandbox "
        "keys begin with pp_test_.</p>"
        "<h2>Webhooks</h2><p>Register an HTTPS endpoint in the dashboard to receive events. Failed deliveries "
        "are retried 8 times over 24 hours with exponential backoff.</p>"
        "<h2>Errors</h2><p>Errors return a JSON body with a code and a message. A 429 status means you sent "
        "too many requests.</p></body></html>",
        encoding="utf-8",
    )
    report = fresh.index([tmp_path], progress=False)
    assert not report.failed
    text = fresh.document(fresh.documents()[0].doc_id).text
    assert (
        "# ParcelPoint API reference\n\nThe ParcelPoint API" in text
        and "## Webhooks\nRegister an HTTPS endpoint" in text
    ), text
    assert "Home" not in text
    answer = fresh.ask("How many times are webhooks retried?")
    assert answer.answer.startswith("Failed deliveries are retried 8 times"), answer.answer


def test_text_encodings_by_byte_order_mark_and_nul_bytes_anywhere(fresh: Assistant, tmp_path: Path) -> None:
    text = "Le phare de Varn fut bâti en 1871 par Ada Quill."
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))  # with its byte-order mark
    (tmp_path / "utf32.txt").write_bytes(text.replace("Varn", "Orsk").encode("utf-32"))
    (tmp_path / "late-nul.txt").write_bytes(b"plain text " * 1000 + b"\x00 and more")
    report = fresh.index([tmp_path], progress=False)
    assert sorted(Path(p).name for p in report.added) == ["utf16.txt", "utf32.txt"]
    assert [(Path(f["path"]).name, "NUL" in f["error"]) for f in report.failed] == [("late-nul.txt", True)]
    texts = sorted(fresh.document(d.doc_id).text for d in fresh.documents())
    assert texts == sorted([text, text.replace("Varn", "Orsk")])


def test_invisible_characters_are_not_indexed_but_offsets_keep_them(fresh: Assistant, tmp_path: Path) -> None:
    text = "The Zeph\u200byrine beacon was lit by Ada Qu\u202eill\u202c in 1871.\n"
    (tmp_path / "hidden.txt").write_text(text, encoding="utf-8")
    fresh.index([tmp_path], progress=False)
    answer = fresh.ask("Who lit the Zephyrine beacon?")
    assert not answer.refused and answer.citations
    quote = answer.citations[0]
    assert fresh.document(quote.doc_id).text[quote.start : quote.end] == quote.quote  # the file's own text
    assert "\u200b" in quote.quote
    assert fresh.store.lexical.search(["zephyrin"], 1)  # the word is searchable whole


def test_the_same_content_under_two_names_is_indexed_once(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Pharos stood in Alexandria.", encoding="utf-8")
    (tmp_path / "copy of a.txt").write_text("Pharos stood in Alexandria.", encoding="utf-8")
    report = fresh.index([tmp_path], progress=False)
    assert len(report.added) == 1 and report.documents == 1 and not report.failed
    assert [Path(d["path"]).name for d in report.duplicates] == ["copy of a.txt"]
    assert "same content as" in report.summary()


def test_a_file_above_the_document_size_limit_is_refused_by_name(tmp_path: Path, embedder) -> None:
    from qa import Assistant

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "small.txt").write_text(
        "The small file holds one sentence about lighthouses.\n", encoding="utf-8"
    )
    (folder / "huge.txt").write_text("A line of text about nothing much at all.\n" * 30_000, encoding="utf-8")
    with Assistant.open(store=tmp_path / "store", embedder=embedder, max_doc_mb=1) as assistant:
        report = assistant.index([folder], progress=False)
    assert [Path(p).name for p in report.added] == ["small.txt"]
    assert len(report.failed) == 1 and report.failed[0]["path"].endswith("huge.txt")
    assert (
        "above the 1 MB limit" in report.failed[0]["error"] and "QA_MAX_DOC_MB" in report.failed[0]["error"]
    )


def test_adding_a_document_tokenizes_only_its_chunks_for_bm25(
    fresh: Assistant, docs: Path, tmp_path: Path, monkeypatch
) -> None:
    """Issue 12: an incremental `qa index` does not re-tokenize the whole corpus to rebuild BM25; the index it
    builds from the kept terms ranks exactly as one built from every chunk's text."""
    import index.store
    from index.lexical import LexicalIndex, tokenize

    fresh.index([docs], progress=False)
    texts: list[str] = []
    monkeypatch.setattr(index.store, "tokenize", lambda text: texts.append(text) or tokenize(text))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Zephyrin Okonkwo chaired the water board in Lagos for nine years.\n")
    report = fresh.index([extra], progress=False)
    assert report.added and texts == ["Zephyrin Okonkwo chaired the water board in Lagos for nine years."]
    manifest = fresh.store.manifest
    whole = LexicalIndex.build((i, tokenize(t)) for i, t in manifest.iter_chunk_texts())
    assert fresh.store.lexical.ids == whole.ids
    for query in (["qaani"], ["water", "board"], ["hama", "letter"]):
        assert fresh.store.lexical.search(query, 5) == whole.search(query, 5)
    fresh.remove(next(d.doc_id for d in fresh.documents() if d.source.endswith("note.txt")))
    assert fresh.store.manifest._rows("SELECT count(*) FROM chunk_terms WHERE terms LIKE '%zephyrin%'") == [
        (0,)
    ]


def test_pooled_chunk_vectors_embed_each_sentence_once(
    tmp_path: Path, docs: Path, embedder, monkeypatch
) -> None:
    """The default, QA_CHUNK_VECTORS=pooled: the same chunks and sentences as `embedded`; every sentence's vector
    is its own embedding and every chunk's is pooled from its sentences', also across embedding batches; questions
    are still answered from them."""
    import numpy as np

    import index.build
    from index.embed import pooled

    monkeypatch.setattr(index.build, "EMBED_BATCH", 2)  # batches end inside the seeds: shared sentences
    embedded: list[str] = []
    real_embed = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts: embedded.extend(texts) or real_embed(texts))
    with Assistant.open(store=tmp_path / "pooled", embedder=embedder) as assistant:
        assistant.index([docs], progress=False)
        manifest = assistant.store.manifest
        chunk_rows = [r for d in assistant.documents() for r in manifest.spans("chunks", d.doc_id)]
        sentence_rows = [r for d in assistant.documents() for r in manifest.spans("sentences", d.doc_id)]
        sentence_vectors = assistant.store.sentences.vectors([r.id for r in sentence_rows])
        chunk_vectors = assistant.store.chunks.vectors([r.id for r in chunk_rows])
        texts = {d.doc_id: assistant.document(d.doc_id).text for d in assistant.documents()}
        counts = embedder.count_tokens([texts[r.doc_id][r.start : r.end] for r in sentence_rows])
        assert len(sentence_vectors) == len(sentence_rows) and len(chunk_vectors) == len(chunk_rows)
        for row in chunk_rows:
            rows = [
                i
                for i, s in enumerate(sentence_rows)
                if s.doc_id == row.doc_id and row.start <= s.start and s.end <= row.end
            ]
            stacked = np.stack([sentence_vectors[sentence_rows[i].id] for i in rows])
            expected = pooled(stacked, [counts[i] for i in rows], [(0, len(rows))])[0]
            # (0.999: a sentence shared by two batches is embedded in each, and int8 vectors vary by batch)
            assert float(np.dot(chunk_vectors[row.id], expected)) > 0.999
        sample = sentence_rows[len(sentence_rows) // 2]
        own = embedder.embed([texts[sample.doc_id][sample.start : sample.end]])[0]
        assert float(np.dot(sentence_vectors[sample.id], own)) > 0.98  # int8: batch-dependent, slightly
        # No chunk of several sentences is embedded, and a sentence twice at most at a batch boundary.
        sentence_texts = {texts[r.doc_id][r.start : r.end] for r in sentence_rows}
        chunk_texts = {texts[r.doc_id][r.start : r.end] for r in chunk_rows} - sentence_texts
        assert chunk_texts and not chunk_texts & set(embedded)
        assert len(sentence_rows) <= len(embedded) <= len(sentence_rows) + len(chunk_rows) // 2
        answer = assistant.ask("Who commands the Quds Force?")
        assert not answer.refused and "Qaani" in answer.answer.split("[")[0]
    with Assistant.open(store=tmp_path / "embedded", embedder=embedder, chunk_vectors="embedded") as other:
        other.index([docs], progress=False)
        same = other.store.manifest
        assert {r.id for d in other.documents() for r in same.spans("chunks", d.doc_id)} == {
            r.id for r in chunk_rows
        }
        assert {r.id for d in other.documents() for r in same.spans("sentences", d.doc_id)} == {
            r.id for r in sentence_rows
        }


def test_chunk_vectors_setting_is_read_from_the_environment_and_checked() -> None:
    import pytest

    from index.errors import BadInput
    from index.settings import Settings

    assert Settings.load(env={}).chunk_vectors == "pooled"
    assert Settings.load(env={"QA_CHUNK_VECTORS": "embedded"}).chunk_vectors == "embedded"
    with pytest.raises(
        BadInput, match="QA_CHUNK_VECTORS 'fast' is not valid: choose one of embedded, pooled"
    ):
        Settings.load(env={"QA_CHUNK_VECTORS": "fast"})


def test_the_next_file_is_read_and_the_last_one_written_while_one_is_embedded(
    tmp_path: Path, embedder, monkeypatch
) -> None:
    """Issue 23: reading (parsing, OCR) and writing to Chroma overlap the embedding. Each stage waits for the
    other to have begun (10 s at most): run one after the other, the waits would time out."""
    import re
    import threading

    import index.build

    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text(
            f"Harbour log {n}: the pier was rebuilt in 19{n}5. " * 4, encoding="utf-8"
        )
    extracting = [threading.Event() for _ in range(3)]
    embedding = [threading.Event() for _ in range(3)]
    read_ahead, written_behind = [], []
    real_extract = index.build.extract

    def extract(file):
        extracting[int(Path(file.source).stem)].set()
        return real_extract(file)

    def number(texts) -> int | None:
        found = {int(m) for t in texts for m in re.findall(r"Harbour log (\d)", t)}
        return found.pop() if len(found) == 1 else None

    real_embed = embedder.embed

    def embed(texts):
        n = number(texts)
        if n is not None:
            embedding[n].set()
            if n + 1 < 3:  # the next file is read meanwhile
                read_ahead.append(extracting[n + 1].wait(10))
        return real_embed(texts)

    monkeypatch.setattr(index.build, "extract", extract)
    monkeypatch.setattr(embedder, "embed", embed)
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        real_add = assistant.store.chunks.add

        def add(ids, vectors, metas, texts=None):
            n = number(texts or [])
            if n is not None and n + 1 < 3:  # written while the next document is embedded
                written_behind.append(embedding[n + 1].wait(10))
            return real_add(ids, vectors, metas, texts)

        monkeypatch.setattr(assistant.store.chunks, "add", add)
        report = assistant.index([folder], progress=False)
        assert len(report.added) == 3 and not report.failed
        assert read_ahead == [True, True] and written_behind == [True, True]
        answer = assistant.ask("When was the pier in harbour log 2 rebuilt?")
        assert "1925" in answer.answer


OSTEND = "The harbour of Ostend was rebuilt in 1921 after the war. Its lighthouse was finished in 1925."
BRUGES = "A different text about the canal of Bruges, dug in 1400."


@pytest.mark.parametrize("changed", ["a.txt", "b.txt"])
def test_a_copy_keeps_its_text_when_its_original_changes(tmp_path: Path, embedder, changed: str) -> None:
    """Two files with one text are indexed once; when either is then changed, the other is indexed as itself
    and the old text stays answerable (it was lost: the copy kept being reported as the changed file's)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(OSTEND, encoding="utf-8")
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        first = assistant.index([folder], progress=False)
        assert len(first.added) == 1 and [d["same_as"] for d in first.duplicates] == [str(folder / "a.txt")]
        (folder / changed).write_text(BRUGES, encoding="utf-8")
        second = assistant.index([folder], progress=False)
        assert not second.duplicates and len(assistant.documents()) == 2
        assert "1925" in assistant.ask("When was the lighthouse of Ostend finished?").answer
        assert "1400" in assistant.ask("When was the canal of Bruges dug?").answer
        third = assistant.index([folder], progress=False)
        assert len(third.unchanged) == 2 and not third.changed


def test_a_copy_found_before_its_original_changes_in_the_same_run_is_indexed_as_itself(
    tmp_path: Path, embedder
) -> None:
    """a.txt, new, holds z.txt's old text; z.txt changes in the same run, after a.txt was found to copy it."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "z.txt").write_text(OSTEND, encoding="utf-8")
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        assistant.index([folder], progress=False)
        (folder / "a.txt").write_text(OSTEND, encoding="utf-8")
        (folder / "z.txt").write_text(BRUGES, encoding="utf-8")
        report = assistant.index([folder], progress=False)
        assert not report.duplicates and len(report.added) == 1 and len(report.updated) == 1
        assert "1925" in assistant.ask("When was the lighthouse of Ostend finished?").answer


def test_a_failed_vector_write_records_no_document(tmp_path: Path, embedder, monkeypatch) -> None:
    """Writes run behind the embedding; when one fails (a full disk), the run stops with the error and no
    document whose vectors were not all written is in the manifest; the next run indexes the rest."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.txt").write_text(
            f"Harbour log {n}: the pier was rebuilt in 19{n}5. " * 3, encoding="utf-8"
        )
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        real_add = assistant.store.chunks.add
        calls = []

        def add(ids, vectors, metas, texts=None):
            calls.append(ids)
            if len(calls) == 2:
                raise OSError("database or disk is full")
            return real_add(ids, vectors, metas, texts)

        monkeypatch.setattr(assistant.store.chunks, "add", add)
        with pytest.raises(OSError, match="disk is full"):
            assistant.index([folder], progress=False)
        manifest = assistant.store.manifest
        assert manifest.ids("chunks") <= assistant.store.chunks.all_ids()
        assert manifest.ids("sentences") <= assistant.store.sentences.all_ids()
        assert len(assistant.documents()) <= 1
        monkeypatch.setattr(assistant.store.chunks, "add", real_add)
        report = assistant.index([folder], progress=False)
        assert len(assistant.documents()) == 4 and not report.failed
        assert manifest.ids("chunks") == assistant.store.chunks.all_ids()


def test_a_pipe_named_like_a_document_is_skipped_not_read(tmp_path: Path, embedder) -> None:
    """Reading a FIFO waits for a writer for ever (and the reader thread with it): it is skipped by name."""
    import os

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(OSTEND, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        report = assistant.index([folder], progress=False)
        assert len(report.added) == 1
        assert report.skipped == [
            {"path": str(folder / "pipe.txt"), "reason": "not a regular file (a pipe, socket or device)"}
        ]


def test_a_file_made_a_copy_again_loses_its_own_old_text(tmp_path: Path, embedder) -> None:
    """b.txt copies a.txt, is changed (indexed as itself), then copied back: its changed text must go (it was
    still quoted, though no file held it any more)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(OSTEND, encoding="utf-8")
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        assistant.index([folder], progress=False)
        (folder / "b.txt").write_text(BRUGES, encoding="utf-8")
        assistant.index([folder], progress=False)
        (folder / "b.txt").write_text(OSTEND, encoding="utf-8")
        report = assistant.index([folder], progress=False)
        assert [d["path"] for d in report.duplicates] == [str(folder / "b.txt")]
        assert report.removed == [str(folder / "b.txt")] and len(assistant.documents()) == 1
        assert assistant.ask("When was the canal of Bruges dug?").refused
