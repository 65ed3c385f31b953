-- Threads embed a bounded number of replies: a thread with thousands of replies must not become
-- one unbounded list item. Each thread embeds its first 100 replies breadth first (the shallow
-- ones before the deep ones, oldest first within a level); every comment says how many approved
-- direct replies it has, so a client knows when to use the flat view, which pages them all.

create function comment_thread_node_json(c comments, embedded bigint[]) returns json
    language sql stable parallel safe cost 1000
as $$
    select (c.public_document::jsonb || jsonb_build_object(
               'replyCount', (select count(*) from comments reply where reply.parent_id = c.id and reply.status = 'approved'),
               'replies', coalesce((
                   select jsonb_agg(comment_thread_node_json(reply, embedded) order by reply.created_at, reply.id)
                   from comments reply
                   where reply.parent_id = c.id and reply.status = 'approved' and reply.id = any (embedded)), '[]')))::json
$$;

create or replace function comment_thread_json(c comments) returns json
    language sql stable parallel safe cost 1000
as $$
    select comment_thread_node_json(c, array(
        with recursive descendant (id, depth, path) as (
            select r.id, 1, array[extract(epoch from r.created_at)::numeric, r.id]
            from comments r where r.parent_id = c.id and r.status = 'approved'
            union all
            select r.id, d.depth + 1, d.path || array[extract(epoch from r.created_at)::numeric, r.id]
            from descendant d join comments r on r.parent_id = d.id and r.status = 'approved'
        )
        select id from descendant order by depth, path limit 100))
$$;
