-- content_changes (migration 0002) holds one row, and every public list, entity view and their
-- 304s read it (content_watermark, migration 0008); every content write updates it and every
-- outbox append locks it (migration 0014). Each update leaves a dead version behind, and while
-- other transactions' snapshots still see those versions the live one moves on to a new page:
-- after a burst of writes the table stays grown, since VACUUM only cuts empty pages off its end
-- and the live row, HOT-updated in place from then on, sits on the last. The three statements
-- read it without a condition, a sequential scan of every page (11 on a 100,000-article database
-- after many hand runs of writes: 13 of a comment page's 105 µs in `explain analyze`). By
-- its key, a grown table is read through its primary key: two pages however far it has grown
-- (while it is small the planner still prefers the scan). The same rows as before.
create or replace function content_watermark() returns table (version bigint, changed_at timestamptz, visible_until timestamptz)
    language sql stable parallel safe
as $$
    select c.version, c.changed_at,
           (select a.published_at from articles a
            where article_is_public(a)
            order by a.published_at desc, a.id desc limit 1)
    from content_changes c
    where c.id
$$;

create or replace function content_changed() returns trigger language plpgsql as $$
begin
    update content_changes set version = nextval('content_version_seq'), changed_at = now() where id;
    return null;
end $$;

create or replace function content_outbox_lock() returns void language plpgsql as $$
begin
    perform from content_changes where id for update;
end $$;
