-- Search in the community's discussions: full-text indexes of thread titles and post
-- bodies, so the search page can list the threads that mention a word.
--
-- Expression GIN indexes over `to_tsvector('simple', …)`: the `simple` configuration
-- lowercases and keeps every word (no stemming, no stop words), since posts may be in any
-- language; the queries use the very same expressions, so PostgreSQL uses these indexes.
-- Which posts a reader may see is decided by the query (joins on `posts.state`).
-- Append-only: never edit this file once released; see README.md beside it.

CREATE INDEX posts_search ON posts USING GIN (to_tsvector('simple', body));
CREATE INDEX threads_search ON threads USING GIN (to_tsvector('simple', title));
