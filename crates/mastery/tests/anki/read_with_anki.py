"""Imports files Mastery wrote into a fresh collection with the official Anki package and
prints what Anki sees as JSON, for crates/mastery/tests/anki_cli.rs to check.

usage: read_with_anki.py COLLECTION_DIR APKG [APKG_AGAIN] [--csv FILE.csv]
"""

import json
import os
import sys

from anki.collection import Collection, ImportAnkiPackageRequest, ImportCsvRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions


def dump(col):
    notes = []
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        card = note.cards()[0]
        memory = card.memory_state
        revlog = col.db.all(
            "select id, ease, ivl, lastIvl, type, time from revlog where cid = ? order by id",
            card.id,
        )
        notes.append(
            {
                "guid": note.guid,
                "notetype": note.note_type()["name"],
                "fields": dict(note.items()),
                "tags": note.tags,
                "deck": col.decks.name(card.did),
                "cards": len(note.cards()),
                "card": {
                    "type": card.type,
                    "queue": card.queue,
                    "due": card.due,
                    "ivl": card.ivl,
                    "reps": card.reps,
                    "lapses": card.lapses,
                    "stability": memory.stability if memory else None,
                    "difficulty": memory.difficulty if memory else None,
                },
                "revlog": [
                    {"id": r[0], "ease": r[1], "ivl": r[2], "last_ivl": r[3], "type": r[4], "time": r[5]}
                    for r in revlog
                ],
            }
        )
    css = [m["css"] for m in col.models.all() if m["name"] == "Mastery Q&A"]
    return {
        "today": col.sched.today,
        "notes": notes,
        "decks": sorted(d.name for d in col.decks.all_names_and_ids()),
        "css": css[0] if css else "",
    }


def main():
    args = sys.argv[1:]
    csv = None
    if "--csv" in args:
        at = args.index("--csv")
        csv = args[at + 1]
        del args[at : at + 2]
    folder, packages = args[0], args[1:]
    col = Collection(os.path.join(folder, "collection.anki2"))
    col.set_config("fsrs", True)
    results = {}
    for n, package in enumerate(packages):
        request = ImportAnkiPackageRequest(
            package_path=os.path.abspath(package),
            options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False),
        )
        col.import_anki_package(request)
        results[f"after_package_{n}"] = len(col.find_notes(""))
    if csv:
        metadata = col.get_csv_metadata(path=os.path.abspath(csv), delimiter=None)
        response = col.import_csv(ImportCsvRequest(path=os.path.abspath(csv), metadata=metadata))
        log = response.log
        results["csv"] = {
            "new": len(log.new),
            "updated": len(log.updated),
            "duplicate": len(log.duplicate),
            "conflicting": len(log.conflicting),
            "first_field_match": len(log.first_field_match),
            "missing_notetype": len(log.missing_notetype),
            "missing_deck": len(log.missing_deck),
            "empty_first_field": len(log.empty_first_field),
        }
    results.update(dump(col))
    col.close()
    print(json.dumps(results))


main()
