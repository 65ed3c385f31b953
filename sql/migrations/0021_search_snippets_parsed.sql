-- Each search hit's snippet was ts_headline over its text: the text parsed and every word
-- stemmed again on every request, ~55 µs a hit and over half of a search's PostgreSQL time
-- (explain analyze of a two-word search among 100,000 articles: 2.1 of 3.6 ms went to the
-- page's 21 snippets). An article's snippet text is now kept parsed, each token with its lexeme,
-- set by the trigger that keeps its vectors; the API marks the tokens whose lexeme the query
-- names and picks the fragments (Search/SearchSnippets.cs).

-- The tokens of a text in order, each with its lexeme (null for spaces, punctuation, tags and
-- stop words), as {"tokens": [...], "lexemes": [...]}. Tokens are the default parser's, and
-- positions count the tokens the english configuration sends to a dictionary (all but blank 12,
-- tag 13, protocol 14 and entity 23), as to_tsvector counts them: that is how a token finds its
-- lexeme. A compound (url 5, numhword 15, asciihword 16, hword 17) is followed by its parts,
-- which are kept instead, so the tokens put together are the text again; a text for which they
-- would not be is kept as one unmarked token. Immutable as to_tsvector('english', …) is (the
-- default parser named by its fixed oid, 3722): entities keep theirs in generated columns.
create function snippet_tokens(source text) returns json
    language sql immutable parallel safe
as $$
    with tokens as (
        select p.n, p.tokid, p.token,
               case when p.tokid <> all ('{12,13,14,23}')
                    then count(*) filter (where p.tokid <> all ('{12,13,14,23}')) over (order by p.n) end as position
        from ts_parse(3722, source) with ordinality p(tokid, token, n)
    ), lexemes as (
        select position, min(v.lexeme) as lexeme
        from unnest(to_tsvector('english', source)) v, unnest(v.positions) position
        group by position
    )
    select case when coalesce(string_agg(t.token, '' order by t.n), '') = source
                then json_build_object('tokens', coalesce(json_agg(t.token order by t.n), '[]'),
                                       'lexemes', coalesce(json_agg(l.lexeme order by t.n), '[]'))
                else json_build_object('tokens', json_build_array(source), 'lexemes', json_build_array(null))
           end
    from tokens t
    left join lexemes l on l.position = t.position
    where t.tokid <> all ('{5,15,16,17}')
$$;

select alter_table_with_row_type_functions('articles', $$alter table articles add column snippet json not null default '{"tokens": [], "lexemes": []}'$$);

create or replace function articles_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector := article_search_vector(new.title, new.summary, new.body);
    new.rank_vector := article_rank_vector(new.title, new.summary, new.body);
    new.snippet := snippet_tokens(article_snippet_source(new.title, new.summary, new.body));
    return new;
end $$;

-- As in 0020, the rewrite is no edit: the row triggers that would count it as one stay off.
alter table articles disable trigger articles_before_update, disable trigger articles_document,
    disable trigger articles_before_document_first_published, disable trigger articles_outbox;
update articles set snippet = snippet_tokens(snippet_source);
alter table articles enable trigger articles_before_update, enable always trigger articles_document,
    enable always trigger articles_before_document_first_published, enable trigger articles_outbox;

alter table articles drop column snippet_source;

drop function search_snippet(text, bigint, tsquery);
drop function search_hit_json(text, text, text, text, real);

-- People, organisations and events keep theirs too (their texts are short, but parsing one
-- costs ~100 µs, 7× a ts_headline: a page of entity hits paid 2 ms for it).
select alter_table_with_row_type_functions('people', $$alter table people add column snippet json generated always as (
    snippet_tokens(name || coalesce('. ' || description, ''))) stored$$);
select alter_table_with_row_type_functions('organisations', $$alter table organisations add column snippet json generated always as (
    snippet_tokens(name || coalesce(' (' || acronym || ')', '') || coalesce('. ' || description, ''))) stored$$);
select alter_table_with_row_type_functions('events', $$alter table events add column snippet json generated always as (
    snippet_tokens(name || coalesce(', ' || city, '') || coalesce('. ' || description, ''))) stored$$);

-- An entity hit's snippet (an article's comes with its row), read for the page's rows only: the
-- cost keeps the planner from reading it for every match before the limit.
create function entity_snippet(kind text, item_id bigint) returns json
    language sql stable parallel safe cost 10000
as $$
    select case kind
        when 'person' then (select p.snippet from people p where p.id = item_id)
        when 'organisation' then (select o.snippet from organisations o where o.id = item_id)
        when 'event' then (select e.snippet from events e where e.id = item_id)
    end
$$;
