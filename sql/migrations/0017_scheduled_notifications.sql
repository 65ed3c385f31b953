-- In-memory caches of public responses (src/ContentApi/Reads/HotReadCache.cs) keep each entry
-- no later than the next scheduled publication, and learn of changes from the outbox's NOTIFY.
-- Scheduling an article (or moving or cancelling its time) writes no outbox entry until it
-- becomes visible, so the schedule notifies on the same channel: a listener then reads the
-- new next publication time. Delivered at commit; one per transaction.
create function content_outbox_scheduled_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('content_outbox', '');
    return null;
end $$;

create trigger content_outbox_scheduled_notify after insert or update or delete on content_outbox_scheduled
    for each statement execute function content_outbox_scheduled_notify();
