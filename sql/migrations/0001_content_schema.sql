-- ContentApi schema: articles, their metadata, reader comments and API keys.
-- Forward-only. Every table has a slug as its public key where it is a public resource.
--
-- Caching: every article carries `content_version` (from one global sequence) and
-- `content_modified_at`. Triggers below move both whenever anything in the article's public
-- representation changes: the article itself, a linked person/organisation/event/place/tag,
-- a link, an affiliation, or its approved comments. The API turns them into ETag and
-- Last-Modified without building the body. `row_version` moves only on editorial changes to
-- the article row, so an editor's If-Match is not invalidated by a new comment.

create domain slug as text
    check (value ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(value) <= 200);

create domain country_code as text
    check (value ~ '^[A-Z]{2}$');

create sequence content_version_seq;

-- Formats a timestamp as the API's UTC ISO 8601 form (2025-05-29T10:00:00Z) independent of
-- the session's TimeZone and DateStyle. Stable, like to_char: PostgreSQL inlines a SQL
-- function only when its body is no more volatile than declared (not inlined, each call went
-- through the SQL-function executor, ~5 µs; there are two per list item).
create function api_timestamp(ts timestamptz) returns text
    language sql stable parallel safe
as $$
    select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

create table organisations (
    id          bigint generated always as identity primary key,
    slug        slug not null unique,
    name        text not null check (length(name) between 1 and 300),
    acronym     text check (length(acronym) between 1 and 30),
    kind        text not null default 'other'
                check (kind in ('government-agency', 'security-service', 'law-enforcement',
                                'intelligence-service', 'international-organisation',
                                'company', 'ngo', 'media', 'other')),
    country     country_code,
    parent_id   bigint references organisations (id) on delete set null,
    description text check (length(description) <= 5000),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    check (parent_id is distinct from id)
);
create index organisations_parent_id_idx on organisations (parent_id);
create index organisations_name_idx on organisations (name, id);

create table people (
    id          bigint generated always as identity primary key,
    slug        slug not null unique,
    name        text not null check (length(name) between 1 and 300),
    description text check (length(description) <= 5000),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create index people_name_idx on people (name, id);

-- A person's role in an organisation. Deleting a person removes their affiliations; an
-- organisation that people are affiliated with cannot be deleted until they are moved.
create table affiliations (
    id              bigint generated always as identity primary key,
    person_id       bigint not null references people (id) on delete cascade,
    organisation_id bigint not null references organisations (id) on delete restrict,
    title           text not null check (length(title) between 1 and 300),
    valid_from      date,
    valid_to        date,
    position        smallint not null default 0,
    check (valid_to is null or valid_from is null or valid_to >= valid_from),
    unique (person_id, organisation_id, title)
);
create index affiliations_organisation_id_idx on affiliations (organisation_id);

create table places (
    id         bigint generated always as identity primary key,
    slug       slug not null unique,
    name       text not null check (length(name) between 1 and 300),
    kind       text not null default 'city' check (kind in ('city', 'region', 'country', 'venue', 'other')),
    country    country_code,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index places_name_idx on places (name, id);

create table events (
    id          bigint generated always as identity primary key,
    slug        slug not null unique,
    name        text not null check (length(name) between 1 and 300),
    description text check (length(description) <= 5000),
    start_date  date not null,
    end_date    date not null,
    venue       text check (length(venue) between 1 and 300),
    city        text check (length(city) between 1 and 200),
    country     country_code,
    place_id    bigint references places (id) on delete set null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    check (end_date >= start_date)
);
create index events_dates_idx on events (start_date, end_date);
create index events_place_id_idx on events (place_id);

create table tags (
    id          bigint generated always as identity primary key,
    slug        slug not null unique,
    name        text not null check (length(name) between 1 and 100),
    description text check (length(description) <= 2000),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create table articles (
    id                  bigint generated always as identity primary key,
    slug                slug not null unique,
    title               text not null check (length(title) between 1 and 300),
    summary             text not null default '' check (length(summary) <= 2000),
    -- Typed blocks: [{"type":"paragraph","text":"…"}, {"type":"quote","text":"…","person":"slug"}, …]
    body                jsonb not null default '[]' check (jsonb_typeof(body) = 'array'),
    language            text not null default 'en' check (language ~ '^[a-z]{2}$'),
    status              text not null default 'draft' check (status in ('draft', 'published', 'archived')),
    published_at        timestamptz,
    coverage_start      date,
    coverage_end        date,
    comments_open       boolean not null default true,
    comment_count       integer not null default 0 check (comment_count >= 0),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    row_version         integer not null default 1,
    content_version     bigint not null default nextval('content_version_seq'),
    content_modified_at timestamptz not null default now(),
    search_vector       tsvector not null default '', -- kept by articles_search_vector below
    check (status <> 'published' or published_at is not null),
    check (coverage_end is null or coverage_start is null or coverage_end >= coverage_start)
);
-- The public list order (newest first) over published articles only.
create index articles_published_idx on articles (published_at desc, id desc) where status = 'published';
create index articles_search_idx on articles using gin (search_vector);

-- An article's full-text vector changes only with its text: a trigger limited to the text
-- columns computes it (as a stored generated column it was recomputed, ~0.5 ms, on every
-- update of the row: each approved comment and each cache touch). ENABLE ALWAYS: bulk loads
-- that switch ordinary triggers off (session_replication_role = replica) still get vectors.
create function article_search_vector(title text, summary text, body jsonb) returns tsvector
    language sql immutable parallel safe
    return setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(jsonb_to_tsvector('english', jsonb_path_query_array(body, '$[*].text'), '["string"]'), 'C');

create function articles_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector := article_search_vector(new.title, new.summary, new.body);
    return new;
end $$;

create trigger articles_search_vector before insert or update of title, summary, body on articles
    for each row execute function articles_search_vector();
alter table articles enable always trigger articles_search_vector;


create table article_people (
    article_id bigint not null references articles (id) on delete cascade,
    person_id  bigint not null references people (id) on delete restrict,
    role       text not null default 'mentioned' check (role in ('subject', 'quoted', 'mentioned')),
    position   smallint not null default 0,
    primary key (article_id, person_id)
);
create index article_people_person_id_idx on article_people (person_id);

create table article_organisations (
    article_id      bigint not null references articles (id) on delete cascade,
    organisation_id bigint not null references organisations (id) on delete restrict,
    role            text not null default 'mentioned' check (role in ('subject', 'mentioned')),
    position        smallint not null default 0,
    primary key (article_id, organisation_id)
);
create index article_organisations_organisation_id_idx on article_organisations (organisation_id);

-- An article reports on at most one event (the primary key is the article).
create table article_events (
    article_id bigint primary key references articles (id) on delete cascade,
    event_id   bigint not null references events (id) on delete restrict
);
create index article_events_event_id_idx on article_events (event_id);

create table article_places (
    article_id bigint not null references articles (id) on delete cascade,
    place_id   bigint not null references places (id) on delete restrict,
    position   smallint not null default 0,
    primary key (article_id, place_id)
);
create index article_places_place_id_idx on article_places (place_id);

create table article_tags (
    article_id bigint not null references articles (id) on delete cascade,
    tag_id     bigint not null references tags (id) on delete restrict,
    position   smallint not null default 0,
    primary key (article_id, tag_id)
);
create index article_tags_tag_id_idx on article_tags (tag_id);

-- Reader comments. Email, client address and user agent are private: for moderation only.
create table comments (
    id             bigint generated always as identity primary key,
    article_id     bigint not null references articles (id) on delete cascade,
    -- Deleting a comment re-parents its replies to the deleted one's parent (see the API).
    parent_id      bigint references comments (id) on delete set null,
    depth          smallint not null default 1 check (depth >= 1),
    author_name    text not null check (length(author_name) between 1 and 245),
    author_email   text check (length(author_email) <= 100),
    author_url     text check (length(author_url) <= 200),
    body           text not null check (length(body) between 1 and 65525),
    body_hash      bytea not null,
    status         text not null default 'pending' check (status in ('pending', 'approved', 'spam', 'trash')),
    client_address inet,
    user_agent     text check (length(user_agent) <= 512),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    check (parent_id is distinct from id)
);
create index comments_public_idx on comments (article_id, created_at, id) where status = 'approved';
create index comments_moderation_idx on comments (status, created_at desc, id desc);
create index comments_parent_id_idx on comments (parent_id);
create index comments_author_email_idx on comments (lower(author_email), created_at desc);
create index comments_client_address_idx on comments (client_address, created_at desc);
create index comments_duplicate_idx on comments (article_id, body_hash);

create table api_keys (
    id           bigint generated always as identity primary key,
    name         text not null check (length(name) between 1 and 100),
    -- SHA-256 of the key; the key itself is printed once and never stored.
    key_hash     bytea not null unique check (length(key_hash) = 32),
    key_prefix   text not null,
    scopes       text[] not null check (scopes <@ array['content:write', 'comments:moderate']::text[] and cardinality(scopes) > 0),
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Cache validators -----------------------------------------------------------------------

create function articles_before_update() returns trigger language plpgsql as $$
begin
    if (new.slug, new.title, new.summary, new.body, new.language, new.status, new.published_at,
        new.coverage_start, new.coverage_end, new.comments_open)
       is distinct from
       (old.slug, old.title, old.summary, old.body, old.language, old.status, old.published_at,
        old.coverage_start, old.coverage_end, old.comments_open) then
        new.row_version := old.row_version + 1;
        new.updated_at := now();
    end if;
    new.content_version := nextval('content_version_seq');
    new.content_modified_at := now();
    return new;
end $$;

create trigger articles_before_update before update on articles
    for each row execute function articles_before_update();

-- Moves the validators of the given articles (their representation changed elsewhere).
create function touch_articles(article_ids bigint[]) returns void language sql as $$
    update articles set content_modified_at = now() where id = any (article_ids);
$$;

create function entities_before_update() returns trigger language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end $$;

create trigger people_before_update before update on people
    for each row execute function entities_before_update();
create trigger organisations_before_update before update on organisations
    for each row execute function entities_before_update();
create trigger events_before_update before update on events
    for each row execute function entities_before_update();
create trigger places_before_update before update on places
    for each row execute function entities_before_update();
create trigger tags_before_update before update on tags
    for each row execute function entities_before_update();

create function people_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_people where person_id = old.id));
    return null;
end $$;

create function organisations_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(
        select article_id from article_organisations where organisation_id = old.id
        union
        select ap.article_id from article_people ap
        join affiliations af on af.person_id = ap.person_id
        where af.organisation_id = old.id));
    return null;
end $$;

create function events_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_events where event_id = old.id));
    return null;
end $$;

create function places_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_places where place_id = old.id));
    return null;
end $$;

create function tags_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_tags where tag_id = old.id));
    return null;
end $$;

create trigger people_after_update after update on people
    for each row when (old.* is distinct from new.*) execute function people_after_change();
create trigger organisations_after_update after update on organisations
    for each row when (old.* is distinct from new.*) execute function organisations_after_change();
create trigger events_after_update after update on events
    for each row when (old.* is distinct from new.*) execute function events_after_change();
create trigger places_after_update after update on places
    for each row when (old.* is distinct from new.*) execute function places_after_change();
create trigger tags_after_update after update on tags
    for each row when (old.* is distinct from new.*) execute function tags_after_change();

-- Links and affiliations: touch the article (or the person's articles) on any change.
create function article_link_after_change() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform touch_articles(array[old.article_id]);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform touch_articles(array[new.article_id]);
    end if;
    return null;
end $$;

create trigger article_people_after_change after insert or update or delete on article_people
    for each row execute function article_link_after_change();
create trigger article_organisations_after_change after insert or update or delete on article_organisations
    for each row execute function article_link_after_change();
create trigger article_events_after_change after insert or update or delete on article_events
    for each row execute function article_link_after_change();
create trigger article_places_after_change after insert or update or delete on article_places
    for each row execute function article_link_after_change();
create trigger article_tags_after_change after insert or update or delete on article_tags
    for each row execute function article_link_after_change();

create function affiliations_after_change() returns trigger language plpgsql as $$
declare
    changed_person_ids bigint[];
begin
    changed_person_ids := case tg_op
        when 'INSERT' then array[new.person_id]
        when 'DELETE' then array[old.person_id]
        else array[old.person_id, new.person_id] end;
    perform touch_articles(array(select article_id from article_people where person_id = any (changed_person_ids)));
    return null;
end $$;

create trigger affiliations_after_change after insert or update or delete on affiliations
    for each row execute function affiliations_after_change();

-- Comments: keep the article's approved comment count exact; this also moves its validators.
create function comments_after_change() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.status = 'approved' then
        update articles set comment_count = comment_count - 1 where id = old.article_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.status = 'approved' then
        update articles set comment_count = comment_count + 1 where id = new.article_id;
    end if;
    return null;
end $$;

create trigger comments_after_change after insert or update or delete on comments
    for each row execute function comments_after_change();
