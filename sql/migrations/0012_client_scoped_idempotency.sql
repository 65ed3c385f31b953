-- An Idempotency-Key belongs to the client that chose it: the same key sent from two client
-- networks (an IPv4 address, or an IPv6 /64) names two different requests, so one client cannot
-- replay or block another's. Existing keys (24 hours at most) keep an empty client.
alter table comment_idempotency_keys add column client text not null default '';
alter table comment_idempotency_keys alter column client drop default;
alter table comment_idempotency_keys drop constraint comment_idempotency_keys_pkey;
alter table comment_idempotency_keys add primary key (client, key);
