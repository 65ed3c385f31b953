-- The moderation queue's totals (GET /v1/comments, all or by status) counted every comment of the
-- queue on each request, as a private list's total is not remembered: at 100,000 articles
-- (1,000,000 comments) 0.10–0.15 s a page of the approved queue, and ten times that at 1,000,000.
-- Each status's total is kept here instead, exact, by the changes of the comments themselves.
--
-- In stripes, one per backend modulo 8, so that comments posted at once on other connections do
-- not wait for each other's commit on one row: a status's total is the sum of its stripes. A
-- statement's changes of several statuses lock their rows in the order of the status.
create table comment_status_totals (
    status text not null,
    stripe smallint not null,
    total bigint not null,
    primary key (status, stripe)
);

insert into comment_status_totals (status, stripe, total)
select c.status, 0, count(*) from comments c group by c.status;

-- Once a statement, from its transition tables (a trigger with them takes one event): each
-- status's rows added less those removed (an update that keeps a comment's status, as an edit or
-- an erasure does, changes nothing here). In PL/pgSQL, whose plans are kept: the same upserts in
-- a SQL function, planned at each call, cost a fifth to a quarter of the posts a second, these
-- ~7% (by hand at 100,000 articles, docs/performance-history.md).
create function comments_count_statuses() returns trigger
    language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        insert into comment_status_totals as t (status, stripe, total)
        select n.status, pg_backend_pid() % 8, count(*) from new_rows n group by n.status order by n.status
        on conflict (status, stripe) do update set total = t.total + excluded.total;
    elsif tg_op = 'UPDATE' then
        insert into comment_status_totals as t (status, stripe, total)
        select d.status, pg_backend_pid() % 8, sum(d.change)
        from (select n.status, 1 as change from new_rows n union all select o.status, -1 from old_rows o) d
        group by d.status having sum(d.change) <> 0 order by d.status
        on conflict (status, stripe) do update set total = t.total + excluded.total;
    elsif tg_op = 'DELETE' then
        insert into comment_status_totals as t (status, stripe, total)
        select o.status, pg_backend_pid() % 8, -count(*) from old_rows o group by o.status order by o.status
        on conflict (status, stripe) do update set total = t.total + excluded.total;
    else
        delete from comment_status_totals;
    end if;
    return null;
end $$;

create trigger comments_count_inserted after insert on comments
    referencing new table as new_rows for each statement execute function comments_count_statuses();
create trigger comments_count_updated after update on comments
    referencing old table as old_rows new table as new_rows for each statement execute function comments_count_statuses();
create trigger comments_count_deleted after delete on comments
    referencing old table as old_rows for each statement execute function comments_count_statuses();
create trigger comments_count_truncated after truncate on comments
    for each statement execute function comments_count_statuses();
