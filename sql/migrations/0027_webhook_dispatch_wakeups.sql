-- The dispatchers (WebhookDispatcher) wait for a notification or for the next delivery to come
-- due, instead of looking every 250 ms (four claims a second on each idle instance, each wait
-- ending in an exception inside Npgsql). New deliveries come with their outbox entry, which
-- notifies content_outbox; what else makes a delivery due now notifies webhook_deliveries: a
-- delivery put back in the queue (redelivery), and a subscription enabled again, whose waiting
-- deliveries are due.
create function webhook_deliveries_notify_due() returns trigger language plpgsql as $$
begin
    perform pg_notify('webhook_deliveries', '');
    return null;
end $$;

create trigger webhook_deliveries_due_now after update on webhook_deliveries
    for each row when (new.status = 'pending' and new.next_attempt_at <= now())
    execute function webhook_deliveries_notify_due();

create trigger webhook_subscriptions_enabled_again after update on webhook_subscriptions
    for each row when (new.enabled and not old.enabled)
    execute function webhook_deliveries_notify_due();
