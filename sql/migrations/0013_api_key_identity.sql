-- The API's database role reads no key hashes: it asks this function who a presented key's
-- hash belongs to (and the function records the key's use, at most once a minute). The
-- function runs with its owner's rights; the role gets EXECUTE from the grants seed script.
create function api_key_identity(presented_hash bytea) returns table (id bigint, name text, scopes text[])
    language sql volatile security definer set search_path = public, pg_temp
as $$
    with key as (
        select k.id, k.name, k.scopes from api_keys k where k.key_hash = presented_hash and k.revoked_at is null
    ),
    used as (
        update api_keys u set last_used_at = now()
        where u.id = (select key.id from key) and (u.last_used_at is null or u.last_used_at < now() - interval '1 minute')
    )
    select key.id, key.name, key.scopes from key
$$;

revoke execute on function api_key_identity(bytea) from public;
