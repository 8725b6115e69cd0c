-- Search in the community's discussions: full-text indexes of thread titles and post
-- bodies, kept by triggers, so the search page can list the threads that mention a word.
--
-- FTS5 tables with external content (the text stays in `threads` and `posts`; the index
-- holds only the tokens). `unicode61` folds case and diacritics, so `cafe` finds `café`.
-- Which posts a reader may see is decided by the query (joins on `posts.state`), never by
-- what the index holds.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE VIRTUAL TABLE posts_search USING fts5 (
    body,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_search (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_search (posts_search, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER posts_search_update AFTER UPDATE OF body ON posts BEGIN
    INSERT INTO posts_search (posts_search, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO posts_search (rowid, body) VALUES (new.id, new.body);
END;

CREATE VIRTUAL TABLE threads_search USING fts5 (
    title,
    content = 'threads',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER threads_search_insert AFTER INSERT ON threads BEGIN
    INSERT INTO threads_search (rowid, title) VALUES (new.id, new.title);
END;

CREATE TRIGGER threads_search_delete AFTER DELETE ON threads BEGIN
    INSERT INTO threads_search (threads_search, rowid, title) VALUES ('delete', old.id, old.title);
END;

CREATE TRIGGER threads_search_update AFTER UPDATE OF title ON threads BEGIN
    INSERT INTO threads_search (threads_search, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO threads_search (rowid, title) VALUES (new.id, new.title);
END;

-- Databases made before this migration: index what is already there.
INSERT INTO posts_search (posts_search) VALUES ('rebuild');
INSERT INTO threads_search (threads_search) VALUES ('rebuild');
