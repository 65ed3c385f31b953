-- Webhooks: subscriptions to the events of the changes feed (migration 0014), delivered by a
-- background worker in every API instance with Standard Webhooks signatures, retries and a
-- delivery log.
--
-- Fan-out is transactional: a trigger on the outbox writes one delivery per matching enabled
-- subscription in the transaction of the change, so a delivery exists exactly when the change
-- committed. Workers claim due deliveries with FOR UPDATE SKIP LOCKED and a lease, so several
-- instances share the work without sending one twice at once; a delivery keeps its webhook-id
-- across retries (at least once, de-duplicable).

create table webhook_subscriptions (
    id                   bigint generated always as identity primary key,
    url                  text not null check (length(url) between 1 and 2000),
    events               text[] not null check (cardinality(events) between 1 and 50),
    description          text check (length(description) <= 500),
    -- The signing key (Standard Webhooks: shown once as whsec_ + base64 of these bytes).
    secret               bytea not null check (length(secret) between 24 and 64),
    enabled              boolean not null default true,
    disabled_reason      text,
    consecutive_failures integer not null default 0,
    version              integer not null default 1,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

create table webhook_deliveries (
    id              bigint generated always as identity primary key,
    subscription_id bigint not null references webhook_subscriptions (id) on delete cascade,
    position        bigint not null,
    message_id      text not null,
    event           text not null,
    payload         json not null,
    status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text check (length(last_error) <= 500),
    created_at      timestamptz not null default now(),
    delivered_at    timestamptz,
    unique (subscription_id, position)
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at, id) where status = 'pending';
create index webhook_deliveries_subscription_idx on webhook_deliveries (subscription_id, created_at desc, id desc);

-- The payload of an event: Standard Webhooks' {type, timestamp, data}, data being the feed's entry.
create function webhook_payload_json(o content_outbox) returns json
    language sql stable parallel safe
    return json_build_object('type', o.event, 'timestamp', api_timestamp(o.changed_at),
                             'data', content_change_json(o.resource, o.resource_id, o.slug, o.event, o.deleted, o.changed_at, content_outbox_etag(o), o.keys));

-- An outbox entry merged later in its transaction (see content_outbox_append) replaces the
-- deliveries it had made: nobody has seen them before the commit.
create function content_outbox_webhooks() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        delete from webhook_deliveries d where d.position = new.position;
    end if;
    insert into webhook_deliveries (subscription_id, position, message_id, event, payload)
    select s.id, new.position, 'msg_' || new.position || '_' || s.id, new.event, webhook_payload_json(new)
    from webhook_subscriptions s
    where s.enabled and (new.event = any (s.events) or '*' = any (s.events));
    return null;
end $$;

create trigger content_outbox_webhooks after insert or update on content_outbox
    for each row execute function content_outbox_webhooks();

-- A version for If-Match, moved by what a manager changes (not by the dispatcher's counts).
create trigger webhook_subscriptions_before_update before update on webhook_subscriptions
    for each row when ((old.url, old.events, old.description, old.enabled) is distinct from (new.url, new.events, new.description, new.enabled))
    execute function entities_before_update();

-- WebhookSubscription (never the secret: it is shown once, when created).
create function webhook_subscription_json(s webhook_subscriptions) returns json
    language sql stable parallel safe
    return json_build_object('id', s.id, 'url', s.url, 'events', s.events, 'description', s.description,
                             'enabled', s.enabled, 'disabledReason', s.disabled_reason,
                             'consecutiveFailures', s.consecutive_failures, 'version', s.version,
                             'createdAt', api_timestamp(s.created_at), 'updatedAt', api_timestamp(s.updated_at));

-- WebhookDelivery: one event for one subscription, with where its delivery stands.
create function webhook_delivery_json(d webhook_deliveries) returns json
    language sql stable parallel safe
    return json_build_object('id', d.id, 'messageId', d.message_id, 'event', d.event, 'status', d.status,
                             'attempts', d.attempts, 'nextAttemptAt', case when d.status = 'pending' then api_timestamp(d.next_attempt_at) end,
                             'lastAttemptAt', api_timestamp(d.last_attempt_at), 'lastStatus', d.last_status,
                             'lastError', d.last_error, 'createdAt', api_timestamp(d.created_at),
                             'deliveredAt', api_timestamp(d.delivered_at), 'payload', d.payload);

-- Managing subscriptions is its own scope.
alter table api_keys drop constraint api_keys_scopes_check;
alter table api_keys add constraint api_keys_scopes_check
    check (scopes <@ array['content:write', 'comments:moderate', 'webhooks:manage']::text[] and cardinality(scopes) > 0);
