-- What a write runs for each article it saves (its metadata block, its people and byline,
-- migration 0008; its snippet's tokens and its body's opening, migrations 0021 and 0018) and the
-- API key lookup of every editor's request (migration 0013), in plpgsql, whose plans a session
-- keeps, as migration 0025 did for the article's other formats. PostgreSQL never inlines these
-- (each returns a row, reads from a subquery or writes), and PostgreSQL 15 planned each SQL body
-- again on every call: refreshing an article's links took 5.5–7.1 ms, 2.2–2.8 ms now (300
-- articles in a transaction rolled back, by hand at 100,000 articles), all of it under the lock
-- that orders the changes feed (migration 0014). Each body stays the one its migration wrote
-- (the query, taken from the catalog), so each gives what it gave.
do $$
declare
    body text;
begin
    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'article_linked_parts(bigint)'::regprocedure), E' \n');
    execute format($sql$
        create or replace function article_linked_parts(article_id bigint,
            out event json, out people json, out organisations json, out places json, out tags json)
            language plpgsql stable parallel safe as %L
        $sql$, 'begin ' || body || E'\n    into event, people, organisations, places, tags;\nend');

    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'article_person_json(people, text)'::regprocedure), E' \n');
    execute format($sql$
        create or replace function article_person_json(p people, role text) returns json
            language plpgsql stable parallel safe as %L
        $sql$, 'begin return (' || body || E'\n); end');

    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'article_authors_json(bigint)'::regprocedure), E' \n');
    execute format($sql$
        create or replace function article_authors_json(article_id bigint) returns json
            language plpgsql stable parallel safe as %L
        $sql$, 'begin return (' || body || E'\n); end');

    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'refresh_article_links(bigint[])'::regprocedure), E' \n');
    execute format($sql$
        create or replace function refresh_article_links(article_ids bigint[]) returns void
            language plpgsql as %L
        $sql$, 'begin ' || body || E'\nend');

    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'snippet_tokens(text)'::regprocedure), E' \n');
    execute format($sql$
        create or replace function snippet_tokens(source text) returns json
            language plpgsql immutable parallel safe as %L
        $sql$, 'begin return (' || body || E'\n); end');

    -- Written as an SQL-standard body (migration 0018), which the catalog keeps parsed, not as text.
    create or replace function article_body_opening(body jsonb) returns text
        language plpgsql immutable parallel safe
    as $body$
    begin
        return left(coalesce((select string_agg(block ->> 'text', ' ') from jsonb_array_elements(body) block), ''), 400);
    end
    $body$;

    body := rtrim((select p.prosrc from pg_proc p where p.oid = 'api_key_identity(bytea)'::regprocedure), E' \n');
    execute format($sql$
        create or replace function api_key_identity(presented_hash bytea) returns table (id bigint, name text, scopes text[])
            language plpgsql volatile security definer set search_path = public, pg_temp as %L
        $sql$, 'begin return query ' || body || E';\nend');
end $$;
