-- Renaming an entity rewrote each article that shows it in the rename's own transaction (an
-- article's documents carry the names of its linked entities): 5–10 ms an article at 100,000
-- (its row's new version with its search terms' GIN entries, its read row, its changes), so a
-- tag of 600 articles took 2.6–3.6 s through the API, and one of 6,000 at 1,000,000 ran past
-- the statements' 5 s: it could not be renamed, nor deleted with detach=true. Up to
-- article_fan_out_limit() articles are still rewritten in the write's transaction, so the next
-- read shows the change; the articles of a larger one are queued here, and each instance's
-- ArticleRefreshes rewrites them in batches after the commit (each rewrite moves the article's
-- validators and is announced in the changes feed, as in the write's transaction).
create table article_refreshes (
    id bigint generated always as identity primary key,
    article_id bigint not null references articles (id) on delete cascade,
    queued_at timestamptz not null default now() -- how far behind the batches are
);
create index article_refreshes_article_idx on article_refreshes (article_id);

-- The most articles one write rewrites itself (~0.5–1 s of them at 100,000), and the size of a
-- queued batch.
create function article_fan_out_limit() returns int language sql immutable parallel safe return 100;

-- Replaces touch_articles of migration 0008. A queued article gets an entry for each write that
-- queues it: a write never waits for a batch (nor a batch for a write) over the queue, and a
-- batch takes only the entries committed before it began, whose writes' names it reads.
create or replace function touch_articles(article_ids bigint[]) returns void language plpgsql as $$
begin
    if coalesce(current_setting('contentapi.defer_touch', true), '') = 'on' then
        return;
    elsif cardinality(article_ids) <= article_fan_out_limit() then
        perform refresh_article_links(article_ids);
    else
        insert into article_refreshes (article_id) select distinct unnest(article_ids);
    end if;
end $$;

-- Rewrites the articles of up to article_fan_out_limit() queued entries, newest articles first
-- (the most read), and says how many entries it took. A batch takes its entries by deleting
-- them; skip locked lets every instance take its own. Its articles are locked in one order, as
-- another batch holding some of them would lock them.
create function article_refreshes_run() returns int language plpgsql as $$
declare
    taken_count int;
    claimed bigint[];
begin
    with taken as (
        delete from article_refreshes r
        where r.id in (
            select q.id from article_refreshes q
            order by q.article_id desc
            limit article_fan_out_limit()
            for update skip locked)
        returning r.article_id)
    select count(*), array_agg(distinct t.article_id) into taken_count, claimed from taken t;
    if taken_count > 0 then
        perform from articles a where a.id = any (claimed) order by a.id for update;
        perform refresh_article_links(claimed);
    end if;
    return taken_count;
end $$;

-- Replaces entity_delete of migration 0009: the detached articles are refreshed once, all
-- together, rather than one by one as each link goes (so that a large fan-out is queued too).
create or replace function entity_delete(p_table text, p_slug text, p_expected_version int, p_detach boolean,
    out outcome text, out version int, out article_count int)
    language plpgsql as $$
declare
    cur_id bigint;
    link_table text := case p_table when 'people' then 'article_people' when 'organisations' then 'article_organisations'
                                    when 'events' then 'article_events' when 'places' then 'article_places'
                                    when 'tags' then 'article_tags' when 'authors' then 'article_authors' end;
    link_column text := case p_table when 'people' then 'person_id' when 'organisations' then 'organisation_id'
                                     when 'events' then 'event_id' when 'places' then 'place_id'
                                     when 'tags' then 'tag_id' when 'authors' then 'author_id' end;
    detached bigint[];
begin
    select c.outcome, c.entity_id, c.version into outcome, cur_id, version
    from entity_prepare(p_table, p_slug, p_expected_version, jsonb_build_object('slug', p_slug)) c;
    if outcome is not null then
        return;
    end if;
    execute format('select count(distinct article_id)::int from %I where %I = $1', link_table, link_column)
        into article_count using cur_id;
    if p_table = 'organisations' then
        -- people's positions in it count too: they name it
        article_count := article_count + (select count(*)::int from affiliations where organisation_id = cur_id);
    end if;
    if article_count > 0 and not p_detach then
        outcome := 'Referenced';
        return;
    end if;
    perform set_config('contentapi.defer_touch', 'on', true);
    execute format('with gone as (delete from %I where %I = $1 returning article_id) select array_agg(distinct article_id) from gone',
        link_table, link_column) into detached using cur_id;
    if p_table = 'organisations' then
        -- the articles of the people who held positions in it showed it beside them
        with gone as (delete from affiliations where organisation_id = cur_id returning person_id)
        select array(select unnest(detached) union select ap.article_id from article_people ap where ap.person_id in (select person_id from gone))
        into detached;
    end if;
    perform set_config('contentapi.defer_touch', 'off', true);
    perform touch_articles(coalesce(detached, '{}'));
    execute format('delete from %I where id = $1', p_table) using cur_id;
    outcome := 'Deleted';
end $$;
