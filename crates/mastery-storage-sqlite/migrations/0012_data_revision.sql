-- A number per learner that moves whenever the learner's marks or cards change, so a
-- server can keep a finished page per learner and know, from one indexed read, whether it
-- still shows the learner's data: exact across processes and instances (a review written
-- by `mastery study` in a terminal, or by another instance on PostgreSQL, moves it too).
--
-- Kept by triggers, so no write path can forget it: every insert, update and delete of a
-- mark or a card adds one to its learner's `data_revision`, in the same transaction.
-- Append-only: never edit this file once released; see README.md beside it.

-- The setup page asks whether an admin exists, on every request: by this index, not by
-- reading every account.
CREATE INDEX accounts_by_role ON accounts (role);

ALTER TABLE learners ADD COLUMN data_revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER marks_insert_revision AFTER INSERT ON marks BEGIN
    UPDATE learners SET data_revision = data_revision + 1 WHERE id = NEW.learner_id;
END;
CREATE TRIGGER marks_update_revision AFTER UPDATE ON marks BEGIN
    UPDATE learners SET data_revision = data_revision + 1
        WHERE id IN (NEW.learner_id, OLD.learner_id);
END;
CREATE TRIGGER marks_delete_revision AFTER DELETE ON marks BEGIN
    UPDATE learners SET data_revision = data_revision + 1 WHERE id = OLD.learner_id;
END;
CREATE TRIGGER cards_insert_revision AFTER INSERT ON cards BEGIN
    UPDATE learners SET data_revision = data_revision + 1 WHERE id = NEW.learner_id;
END;
CREATE TRIGGER cards_update_revision AFTER UPDATE ON cards BEGIN
    UPDATE learners SET data_revision = data_revision + 1
        WHERE id IN (NEW.learner_id, OLD.learner_id);
END;
CREATE TRIGGER cards_delete_revision AFTER DELETE ON cards BEGIN
    UPDATE learners SET data_revision = data_revision + 1 WHERE id = OLD.learner_id;
END;
