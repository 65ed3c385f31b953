-- Least privilege: when the API's role (contentapi_api, created by ./build.sh or the operator)
-- exists, it gets the DML it needs on every table and sequence, nothing else: it owns nothing,
-- so it cannot DROP or ALTER; API keys it cannot read or change at all (it asks
-- api_key_identity who a key belongs to; the `keys` commands run as the owner). Run on every
-- migrate, so tables added by a migration are granted in the same run.
do $$
begin
    if exists (select from pg_roles where rolname = 'contentapi_api') then
        grant usage on schema public to contentapi_api;
        grant select, insert, update, delete on all tables in schema public to contentapi_api;
        grant usage, select on all sequences in schema public to contentapi_api;
        revoke all on api_keys from contentapi_api;
        grant execute on function api_key_identity(bytea) to contentapi_api;
        -- the migration journal is the owner's alone
        revoke all on schemaversions from contentapi_api;
    end if;
end $$;
