-- Reader comments: optimistic concurrency for moderation, idempotent posting, threads.

-- Moves on every change of a comment; its ETag for If-Match.
alter table comments add column version integer not null default 1;

create function comments_before_update() returns trigger language plpgsql as $$
begin
    new.version := old.version + 1;
    new.updated_at := now();
    return new;
end $$;

create trigger comments_before_update before update on comments
    for each row execute function comments_before_update();

-- Idempotency-Key of comment posts: a retry with the same key and the same request gets the
-- original answer; the same key with another request is refused. Keys live 24 hours.
create table comment_idempotency_keys (
    key          text primary key check (length(key) between 1 and 200),
    request_hash bytea not null check (length(request_hash) = 32),
    comment_id   bigint not null references comments (id) on delete cascade,
    -- the status answered the first time, answered again on a retry
    comment_status text not null,
    created_at   timestamptz not null default now()
);
create index comment_idempotency_keys_comment_id_idx on comment_idempotency_keys (comment_id);

-- Public threads: the approved replies below a comment, oldest first, nested as JSON
-- (replaced by comment_thread_json in migration 0008, which drops this function)
-- (depth is at most a handful, so the recursion is shallow).
create function comment_replies_json(parent bigint) returns json
    language sql stable parallel safe cost 1000
as $$
    select coalesce(json_agg(json_build_object(
               'id', c.id, 'parentId', c.parent_id, 'authorName', c.author_name, 'authorUrl', c.author_url,
               'body', c.body, 'createdAt', api_timestamp(c.created_at), 'replies', comment_replies_json(c.id))
               order by c.created_at, c.id), '[]')
    from comments c
    where c.parent_id = parent and c.status = 'approved'
$$;
