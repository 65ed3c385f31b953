-- The changes feed's initial sync, one page: every public resource as an upsert, kind by kind
-- (rank 1 people … 8 comments) in id order, from the kind and id reached. The statement this
-- replaces (in Changes/ChangeQueries.cs) had a branch per kind, each guarded by the rank; its
-- generic plan (the sessions' plan_cache_mode) could not know which branches run nor how far
-- the id bound reaches, and joined every approved comment to the public articles by hash on
-- every page: 2.7 s a page at 1,000,000 articles (10,000,000 comments), past the 5 s command
-- timeout under load. Here a kind is read only while the page has room, each statement planned
-- with its actual bound and size (custom plans): an index walk from the id reached.
create function content_sync_page(p_rank integer, p_after bigint, p_take integer)
    returns table (rank integer, id bigint, document text)
    language plpgsql stable
    set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
    kind integer := p_rank;
    after bigint := p_after;
    room integer := p_take;
    taken integer;
begin
    while kind <= 8 and room > 0 loop
        case kind
        when 1 then
            return query
            select 1, p.id, content_change_json('person', p.id, p.slug, 'person.created', false, p.updated_at,
                                                content_outbox_resource_etag('person', p.id), content_outbox_keys('person', p.id))::text
            from people p where p.id > after order by p.id limit room;
        when 2 then
            return query
            select 2, o.id, content_change_json('organisation', o.id, o.slug, 'organisation.created', false, o.updated_at,
                                                content_outbox_resource_etag('organisation', o.id), content_outbox_keys('organisation', o.id))::text
            from organisations o where o.id > after order by o.id limit room;
        when 3 then
            return query
            select 3, e.id, content_change_json('event', e.id, e.slug, 'event.created', false, e.updated_at,
                                                content_outbox_resource_etag('event', e.id), content_outbox_keys('event', e.id))::text
            from events e where e.id > after order by e.id limit room;
        when 4 then
            return query
            select 4, pl.id, content_change_json('place', pl.id, pl.slug, 'place.created', false, pl.updated_at,
                                                 content_outbox_resource_etag('place', pl.id), content_outbox_keys('place', pl.id))::text
            from places pl where pl.id > after order by pl.id limit room;
        when 5 then
            return query
            select 5, t.id, content_change_json('tag', t.id, t.slug, 'tag.created', false, t.updated_at,
                                                content_outbox_resource_etag('tag', t.id), content_outbox_keys('tag', t.id))::text
            from tags t where t.id > after order by t.id limit room;
        when 6 then
            return query
            select 6, au.id, content_change_json('author', au.id, au.slug, 'author.created', false, au.updated_at,
                                                 content_outbox_resource_etag('author', au.id), content_outbox_keys('author', au.id))::text
            from authors au where au.id > after order by au.id limit room;
        when 7 then
            return query
            select 7, a.id, content_change_json('article', a.id, a.slug, 'article.published', false, a.content_modified_at,
                                                'W/"a' || a.content_version || '"', content_outbox_keys('article', a.id))::text
            from articles a where a.id > after and article_is_public(a) order by a.id limit room;
        else
            return query
            select 8, c.id, content_change_json('comment', c.id, null, 'comment.approved', false, c.updated_at,
                                                content_outbox_resource_etag('comment', c.id), content_outbox_keys('comment', c.id, c.article_id))::text
            from comments c join articles a on a.id = c.article_id
            where c.id > after and c.status = 'approved' and article_is_public(a)
            order by c.id limit room;
        end case;
        get diagnostics taken = row_count;
        room := room - taken;
        kind := kind + 1;
        after := 0;
    end loop;
end $$;
