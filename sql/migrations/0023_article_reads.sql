-- An article read fetched its document (~3 kB compressed) out of line: the TOAST index, then
-- chunks on pages shared with the article's search vector, body and snippet (~12 kB of TOAST an
-- article), so the pages an article read needed were nearly the whole TOAST table (1.3 GB at
-- 100,000 articles, 13 GB at 1,000,000). Each article's public read now has a narrow row of its
-- own: what the lookup by slug needs, the document in the row (storage main: out of line only
-- when it would not fit a page), compressed with lz4 where the server has it (faster to
-- decompress than pglz). `pgbench` at 100,000 articles, 512 MB of shared buffers, the article
-- statement on each table alternated twice: 86 and 68 -> 46 and 55 us of PostgreSQL CPU a statement.
-- Keeping the document in the articles row instead made that heap four times larger, and the
-- reads that visit many articles (lists, comments, search) paid for it (README, Performance).
create table article_reads (
    id bigint primary key references articles (id) on delete cascade,
    slug slug not null unique,
    status text not null,
    published_at timestamptz,
    content_version bigint not null,
    content_modified_at timestamptz not null,
    document json not null
);
alter table article_reads alter column document set storage main;

do $$
begin
    if exists (select from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
        alter table article_reads alter column document set compression lz4;
    end if;
end $$;

-- The same condition as article_is_public(articles), for the same queries over this table.
create function article_is_public(a article_reads) returns boolean
    language sql stable parallel safe
    return a.status = 'published' and a.published_at <= now();

-- Every article's row follows it in the same transaction (every update of an article moves its
-- content version). The document is copied as text, so it is compressed with this column's method.
create function articles_reads() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into article_reads (id, slug, status, published_at, content_version, content_modified_at, document)
        values (new.id, new.slug, new.status, new.published_at, new.content_version, new.content_modified_at, new.document::text::json);
    else
        update article_reads
        set slug = new.slug, status = new.status, published_at = new.published_at, content_version = new.content_version,
            content_modified_at = new.content_modified_at, document = new.document::text::json
        where id = new.id;
    end if;
    return null;
end $$;

create trigger articles_reads after insert or update on articles
    for each row execute function articles_reads();
-- Always, as the document's own trigger: the bench's loader runs with replication triggers off.
alter table articles enable always trigger articles_reads;

insert into article_reads (id, slug, status, published_at, content_version, content_modified_at, document)
select id, slug, status, published_at, content_version, content_modified_at, document::text::json
from articles;
