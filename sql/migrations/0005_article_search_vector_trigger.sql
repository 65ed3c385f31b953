-- An article's full-text vector changes only with its text. As a stored generated column it
-- was recomputed (~0.5 ms) on every update of the row: each approved comment (comment_count)
-- and each cache touch of a linked entity. A trigger limited to the text columns computes it
-- only when they change. ENABLE ALWAYS: bulk loads that switch ordinary triggers off
-- (session_replication_role = replica) still get their vectors.
alter table articles drop column search_vector; -- drops articles_search_idx with it

alter table articles add column search_vector tsvector not null default ''::tsvector;

create function article_search_vector(title text, summary text, body jsonb) returns tsvector
    language sql immutable parallel safe
    return setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(jsonb_to_tsvector('english', jsonb_path_query_array(body, '$[*].text'), '["string"]'), 'C');

create function articles_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector := article_search_vector(new.title, new.summary, new.body);
    return new;
end $$;

create trigger articles_search_vector before insert or update of title, summary, body on articles
    for each row execute function articles_search_vector();
alter table articles enable always trigger articles_search_vector;

update articles set search_vector = article_search_vector(title, summary, body);

create index articles_search_idx on articles using gin (search_vector);
