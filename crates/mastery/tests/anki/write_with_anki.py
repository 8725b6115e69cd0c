"""Builds Anki packages with the official Anki package, as a learner's Anki would: FSRS on,
a basic note, a basic-and-reversed note, a cloze note, an image, code, a few reviews. Writes
OUT_DIR/current.apkg (the current format), OUT_DIR/legacy.apkg (the legacy one),
OUT_DIR/whole.colpkg (the whole collection) and OUT_DIR/notes.txt (its text format), and
prints what it made as JSON for crates/mastery/tests/anki_cli.rs to check.

usage: write_with_anki.py OUT_DIR
"""

import base64
import json
import os
import sys

from anki.collection import Collection, ExportAnkiPackageOptions

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def main():
    out = sys.argv[1]
    col = Collection(os.path.join(out, "source.anki2"))
    col.set_config("fsrs", True)
    grammar = col.decks.id("Languages::Grammar")
    words = col.decks.id("Languages::Words")

    basic = col.models.by_name("Basic")
    reversed_ = col.models.by_name("Basic (and reversed card)")
    cloze = col.models.by_name("Cloze")

    note = col.new_note(basic)
    note["Front"] = "What does <b>ser</b> mean?"
    note["Back"] = "<div>To be (permanent).</div><div><img src=\"cat.png\"></div>"
    note.tags = ["spanish", "verbs"]
    col.add_note(note, grammar)

    note = col.new_note(basic)
    note["Front"] = "How do you print in Python?"
    note["Back"] = "Call print:<pre><code class=\"language-python\">print(&quot;hi&quot;)</code></pre>"
    note.tags = ["level::junior"]
    col.add_note(note, grammar)

    note = col.new_note(reversed_)
    note["Front"] = "perro"
    note["Back"] = "dog"
    col.add_note(note, words)

    note = col.new_note(cloze)
    note["Text"] = "{{c1::Madrid}} is the capital of {{c2::Spain}}."
    note["Back Extra"] = "Since 1561."
    col.add_note(note, words)

    col.media.write_data("cat.png", PNG)

    # A few reviews, as a learner makes them (the v3 scheduler, FSRS on).
    col.decks.select(col.decks.id("Languages"))
    reviewed = 0
    for rating in [3, 3, 1, 3, 4, 3]:
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, rating)
        reviewed += 1

    revlog = col.db.scalar("select count(*) from revlog")
    memory = col.db.scalar("select count(*) from cards where data like '%\"s\":%'")
    for legacy, name in [(False, "current.apkg"), (True, "legacy.apkg")]:
        col.export_anki_package(
            out_path=os.path.join(out, name),
            options=ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=True, with_media=True, legacy=legacy
            ),
            limit=None,
        )
    col.export_note_csv(
        out_path=os.path.join(out, "notes.txt"),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    made = {"notes": col.note_count(), "cards": col.card_count(), "revlog": revlog, "memory": memory, "reviewed": reviewed}
    # The whole collection, as File > Export > "Anki Collection Package" does (this closes it).
    col.export_collection_package(os.path.join(out, "whole.colpkg"), include_media=True, legacy=False)
    print(json.dumps(made))


main()
