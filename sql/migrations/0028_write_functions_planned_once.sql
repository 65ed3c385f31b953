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
    f record;
begin
    -- Each function declared as it was (its arguments' names, result and attributes), its body
    -- between the plpgsql that makes it a block.
    for f in select * from (values
        ('article_linked_parts(bigint)',
         'article_linked_parts(article_id bigint, out event json, out people json, out organisations json, out places json, out tags json) stable parallel safe',
         'begin ', E'\n    into event, people, organisations, places, tags;\nend'),
        ('article_person_json(people, text)', 'article_person_json(p people, role text) returns json stable parallel safe', 'begin return (', E'\n); end'),
        ('article_authors_json(bigint)', 'article_authors_json(article_id bigint) returns json stable parallel safe', 'begin return (', E'\n); end'),
        ('refresh_article_links(bigint[])', 'refresh_article_links(article_ids bigint[]) returns void', 'begin ', E'\nend'),
        ('snippet_tokens(text)', 'snippet_tokens(source text) returns json immutable parallel safe', 'begin return (', E'\n); end'),
        ('api_key_identity(bytea)',
         'api_key_identity(presented_hash bytea) returns table (id bigint, name text, scopes text[]) volatile security definer set search_path = public, pg_temp',
         'begin return query ', E';\nend')
    ) v (signature, declaration, before, after)
    loop
        execute format('create or replace function %s language plpgsql as %L', f.declaration,
                       f.before || rtrim((select p.prosrc from pg_proc p where p.oid = f.signature::regprocedure), E' \n') || f.after);
    end loop;
end $$;

-- Written as an SQL-standard body (migration 0018), which the catalog keeps parsed, not as text.
create or replace function article_body_opening(body jsonb) returns text
    language plpgsql immutable parallel safe
as $$
begin
    return left(coalesce((select string_agg(block ->> 'text', ' ') from jsonb_array_elements(body) block), ''), 400);
end $$;
