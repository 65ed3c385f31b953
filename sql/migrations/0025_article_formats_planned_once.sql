-- The article's other formats (migration 0010) rendered in plpgsql, whose plans are kept for the
-- session: as SQL functions that read from their own subqueries they are never inlined, and
-- PostgreSQL 15 plans such a function's body again in every statement that calls it. A JSON-LD
-- read by slug spent ~3 ms of PostgreSQL CPU a request; by hand, cache off, 10,000 articles:
-- 423–486 JSON-LD answers a second at 2.9–3.1 ms of PostgreSQL CPU each, then 808–1,036 at
-- 1.2–1.4 ms. Each body stays the one migration 0010 wrote (the query it returns, taken from the
-- catalog): the same output for 300 articles.
do $$
declare
    renderer text;
begin
    foreach renderer in array array['article_jsonld', 'article_ninjs'] loop
        execute format(
            'create or replace function %I(d jsonb, base text) returns jsonb language plpgsql immutable parallel safe as %L',
            renderer,
            'begin return (' || (select p.prosrc from pg_proc p where p.oid = (renderer || '(jsonb, text)')::regprocedure) || E'\n); end');
    end loop;
end $$;
