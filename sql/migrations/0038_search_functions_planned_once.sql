-- What every full-text statement calls: the query as searched (migration 0037), in each branch of
-- a search and in the article list's condition; the ranked page's candidates and its windows'
-- buckets (migration 0034), the bounded total's sample (migration 0035), and an entity hit's
-- snippet (migration 0021). PostgreSQL never inlines them (each reads from a subquery), and
-- PostgreSQL 15 planned each SQL body again at every call site of every statement: a search
-- planned search_query seven times (~45 µs each by hand, `pgbench` with seven call sites: 0.26–0.38
-- ms a statement against 0.09 in plpgsql), and the candidates and a window's buckets ~0.2 ms more.
-- In plpgsql, whose plans a session keeps, as migrations 0025 and 0028 did for the functions
-- called for each article. The bodies are those their migrations wrote, so each gives what it gave.

create or replace function search_query(query text) returns tsquery
    language plpgsql stable parallel safe
as $$
declare
    q constant tsquery := websearch_to_tsquery('english', query);
begin
    return case when numnode(q) = 0 then null when ''::tsvector @@ q then null else q end;
end $$;

create or replace function search_rank_candidates(q tsquery) returns tsquery
    language plpgsql immutable parallel safe
as $$
begin
    return (with operands as (
                select distinct '''^' || substr(m[1], 2) as operand
                from regexp_matches(q::text, '''(?:[^'']|'''')*''', 'g') m)
            select (case when search_floor_rank(q) > 0
                         then (select string_agg(format('(%s & %s)', a.operand, b.operand), ' | ')
                               from operands a join operands b on a.operand < b.operand)
                         else (select string_agg(operand, ' | ') from operands) end)::tsquery);
end $$;

create or replace function search_buckets(first_bucket bigint, last_bucket bigint, step bigint default 1) returns tsquery
    language plpgsql immutable parallel safe
as $$
begin
    return (select string_agg(format('''~%s''', bucket), ' | ') from generate_series(first_bucket, last_bucket, step) bucket)::tsquery;
end $$;

create or replace function entity_snippet(kind text, item_id bigint) returns json
    language plpgsql stable parallel safe cost 10000
as $$
begin
    return case kind
        when 'person' then (select p.snippet from people p where p.id = item_id)
        when 'organisation' then (select o.snippet from organisations o where o.id = item_id)
        when 'event' then (select e.snippet from events e where e.id = item_id)
    end;
end $$;
