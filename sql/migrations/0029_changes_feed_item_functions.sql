-- The changes feed's sync (migration 0019) and the outbox's triggers (migration 0014) name each
-- item's cache keys with content_outbox_keys. It is immutable, but text || bigint is only stable
-- (a type's output function may depend on settings), so PostgreSQL never inlined it and ran it as
-- a query of its own for each item. With the casts written out (int8's output is immutable, and
-- the same text) it is an expression of the statement that calls it: by hand at 100,000
-- articles, 50 sync pages of 100 comments 233–264 → 182–222 ms, of 100 people 166–219 → 91–156
-- ms (old and new alternated three times). The output is the same.
create or replace function content_outbox_keys(resource text, resource_id bigint, article_id bigint default null) returns text[]
    language sql immutable parallel safe
    return case resource
        when 'comment' then array['comment:' || resource_id::text, 'comments:' || article_id::text]
        when 'person' then array['person:' || resource_id::text, 'people']
        else array[resource || ':' || resource_id::text, resource || 's'] end;
