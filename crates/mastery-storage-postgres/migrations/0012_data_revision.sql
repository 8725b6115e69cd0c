-- A number per learner that moves whenever the learner's marks or cards change, so every
-- instance can keep a finished page per learner and know, from the session's own query,
-- whether it still shows the learner's data, whichever instance wrote last. The mirror of
-- the SQLite migration 0012.
--
-- Kept by triggers, so no write path can forget it: every statement that inserts, updates
-- or deletes marks or cards adds one to the `data_revision` of each learner whose rows it
-- changed, in the same transaction. The triggers run once per statement over its
-- transition table, so an import of 500 rows a statement updates each learner once, not
-- 500 times. The column has no index, so the update is a heap-only tuple update. Every
-- write of a learner's marks and cards holds the learner's row first (`FOR NO KEY
-- UPDATE`), so the trigger's update of that row waits for nothing new and takes no lock in
-- a new order.
-- Append-only: never edit this file once released; see README.md beside it.

-- The setup page asks whether an admin exists, on every request: by this index, not by
-- reading every account.
CREATE INDEX accounts_by_role ON accounts (role);

ALTER TABLE learners ADD COLUMN data_revision BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION move_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE learners SET data_revision = data_revision + 1
            WHERE id IN (SELECT learner_id FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE learners SET data_revision = data_revision + 1
            WHERE id IN (SELECT learner_id FROM new_rows UNION SELECT learner_id FROM old_rows);
    ELSE
        UPDATE learners SET data_revision = data_revision + 1
            WHERE id IN (SELECT learner_id FROM new_rows);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER marks_insert_revision AFTER INSERT ON marks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
CREATE TRIGGER marks_update_revision AFTER UPDATE ON marks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
CREATE TRIGGER marks_delete_revision AFTER DELETE ON marks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
CREATE TRIGGER cards_insert_revision AFTER INSERT ON cards
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
CREATE TRIGGER cards_update_revision AFTER UPDATE ON cards
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
CREATE TRIGGER cards_delete_revision AFTER DELETE ON cards
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_data_revision();
