-- Read API: full-text search over people, organisations and events; list validators; the
-- cursor signing secret; indexes for every article filter and sort.

-- Full-text search: name (A) > acronym/venue (B) > description (C).
alter table people add column search_vector tsvector generated always as (
    setweight(to_tsvector('english', name), 'A')
    || setweight(to_tsvector('english', coalesce(description, '')), 'C')
) stored;
create index people_search_idx on people using gin (search_vector);

alter table organisations add column search_vector tsvector generated always as (
    setweight(to_tsvector('english', name), 'A')
    || setweight(to_tsvector('simple', coalesce(acronym, '')), 'A')
    || setweight(to_tsvector('english', coalesce(description, '')), 'C')
) stored;
create index organisations_search_idx on organisations using gin (search_vector);

alter table events add column search_vector tsvector generated always as (
    setweight(to_tsvector('english', name), 'A')
    || setweight(to_tsvector('english', coalesce(city, '') || ' ' || coalesce(venue, '')), 'B')
    || setweight(to_tsvector('english', coalesce(description, '')), 'C')
) stored;
create index events_search_idx on events using gin (search_vector);

-- Article list sorts and filters (published articles only).
create index articles_published_asc_idx on articles (published_at, id) where status = 'published';
create index articles_title_idx on articles (title, id) where status = 'published';
create index articles_language_idx on articles (language, published_at desc, id desc) where status = 'published';
create index events_end_date_idx on events (end_date);
create index tags_name_idx on tags (name, id);

-- List validators. Any change to public content (an article, a linked entity, a link, an
-- approved comment) moves `version`; together with the newest visible publication time (a
-- scheduled article becoming visible moves it without a write) it is the ETag of every list.
-- A single row: writes to content are rare next to reads, and each holds it only briefly.
create table content_changes (
    id         boolean primary key default true check (id),
    version    bigint not null,
    changed_at timestamptz not null
);
insert into content_changes (version, changed_at) values (nextval('content_version_seq'), now());

create function content_changed() returns trigger language plpgsql as $$
begin
    update content_changes set version = nextval('content_version_seq'), changed_at = now();
    return null;
end $$;

-- Statement level: a bulk change moves the watermark once. Comments are covered through
-- articles (an approved comment changes the article's comment_count).
create trigger articles_content_changed after insert or update or delete or truncate on articles
    for each statement execute function content_changed();
create trigger people_content_changed after insert or update or delete or truncate on people
    for each statement execute function content_changed();
create trigger organisations_content_changed after insert or update or delete or truncate on organisations
    for each statement execute function content_changed();
create trigger events_content_changed after insert or update or delete or truncate on events
    for each statement execute function content_changed();
create trigger places_content_changed after insert or update or delete or truncate on places
    for each statement execute function content_changed();
create trigger tags_content_changed after insert or update or delete or truncate on tags
    for each statement execute function content_changed();
create trigger affiliations_content_changed after insert or update or delete or truncate on affiliations
    for each statement execute function content_changed();

-- Secrets shared by every instance of the API (it keeps no state of its own).
create table app_secrets (
    name       text primary key,
    value      bytea not null check (length(value) >= 32),
    created_at timestamptz not null default now()
);
-- gen_random_uuid() draws from a strong random source; two of them hashed give 256 bits.
insert into app_secrets (name, value)
values ('cursor-signing-key', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));
