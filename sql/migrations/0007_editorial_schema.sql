-- The editorial schema: bylines, lead images, lifecycle facts kept as rows (first
-- publication, revisions, slug history, tombstones) and entity versions for If-Match. The
-- shapes that show them are in migration 0008, the writes in 0009.

-- Bylines --------------------------------------------------------------------------------

create table authors (
    id         bigint generated always as identity primary key,
    slug       slug not null unique,
    name       text not null check (length(name) between 1 and 300),
    bio        text check (length(bio) <= 5000),
    url        text check (length(url) <= 500),
    image_url  text check (length(image_url) <= 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index authors_name_idx on authors (name, id);

create table article_authors (
    article_id bigint not null references articles (id) on delete cascade,
    author_id  bigint not null references authors (id) on delete restrict,
    position   smallint not null default 0,
    primary key (article_id, author_id)
);
create index article_authors_author_id_idx on article_authors (author_id);

-- Versions for If-Match: every entity row counts its changes (articles have row_version).
alter table people add column version integer not null default 1;
alter table organisations add column version integer not null default 1;
alter table events add column version integer not null default 1;
alter table places add column version integer not null default 1;
alter table tags add column version integer not null default 1;
alter table authors add column version integer not null default 1;

-- Replaces entities_before_update of migration 0001, which only moved updated_at.
create or replace function entities_before_update() returns trigger language plpgsql as $$
begin
    new.updated_at := now();
    new.version := old.version + 1;
    return new;
end $$;

create trigger authors_before_update before update on authors
    for each row execute function entities_before_update();

create function authors_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_authors where author_id = old.id));
    return null;
end $$;

create trigger authors_after_update after update on authors
    for each row when (old.* is distinct from new.*) execute function authors_after_change();
create trigger article_authors_after_change after insert or update or delete on article_authors
    for each row execute function article_link_after_change();
create trigger authors_content_changed after insert or update or delete or truncate on authors
    for each statement execute function content_changed();

-- Articles: lead image, first publication, the tombstone status, the byline part.
alter table articles
    add column image jsonb check (image is null or jsonb_typeof(image) = 'object'),
    add column first_published_at timestamptz,
    add column linked_authors json not null default '[]';
alter table articles drop constraint articles_status_check;
alter table articles add constraint articles_status_check check (status in ('draft', 'published', 'archived', 'deleted'));
update articles set first_published_at = published_at where status = 'published';

-- The first publication is a fact set once: when an article is first saved as published (by
-- the API, by SQL or by a bulk load), and never moved by later edits. Named to run before
-- articles_document (triggers fire in name order), which renders it.
create function articles_first_published() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and old.first_published_at is not null then
        new.first_published_at := old.first_published_at;
    elsif new.first_published_at is null and new.status = 'published' then
        new.first_published_at := new.published_at;
    end if;
    return new;
end $$;

create trigger articles_before_document_first_published before insert or update on articles
    for each row execute function articles_first_published();
alter table articles enable always trigger articles_before_document_first_published;

-- The old slugs of renamed articles: each answers 301 to the article's current slug (one hop,
-- whatever the chain of renames).
create table article_slugs (
    slug       slug primary key,
    article_id bigint not null references articles (id) on delete cascade,
    created_at timestamptz not null default now()
);
create index article_slugs_article_id_idx on article_slugs (article_id);

-- Every write of an article: the document as written, by which key, when.
create table article_revisions (
    article_id bigint not null references articles (id) on delete cascade,
    number     integer not null check (number >= 1),
    document   jsonb not null,
    key_name   text not null,
    created_at timestamptz not null default now(),
    primary key (article_id, number)
);

-- Secret that signs draft preview links, shared by every instance.
insert into app_secrets (name, value)
values ('preview-signing-key', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));
