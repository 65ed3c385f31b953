-- Synthetic newsroom for ./build.sh bench, in phases so that two sessions can load at once:
--   psql -v articles=N -v phase=prepare  -f generate.sql   entities, text pools
--   psql -v articles=N -v phase=articles -v first=A -v last=B -f generate.sql   (ranges, in parallel)
--   psql -v articles=N -v phase=comments -v first=A -v last=B -f generate.sql   (ranges, in parallel)
--   psql -v articles=N -v phase=finish   -f generate.sql   counters, sequences, statistics
-- N articles over the last 10 years (4–8 paragraphs each), N/5 people with affiliations,
-- N/20 organisations in a hierarchy, N/10 events with places, 1,000 places, 500 tags, and
-- 5–15 comments per article (10 on average, 80% approved, every third a reply). Ids and slugs
-- are arithmetic, so every phase knows them without asking; ordinary triggers are off while
-- loading and what they would maintain is set directly.
\set ON_ERROR_STOP on
set session_replication_role = replica; -- no ordinary triggers, no FK checks while loading
set synchronous_commit = off;

select :articles as n_articles, greatest(:articles / 5, 10) as n_people, greatest(:articles / 20, 10) as n_organisations,
       greatest(:articles / 10, 10) as n_events, 1000 as n_places, 500 as n_tags,
       :'phase' = 'prepare' as is_prepare, :'phase' = 'articles' as is_articles,
       :'phase' = 'comments' as is_comments, :'phase' = 'finish' as is_finish
\gset

\if :is_prepare
-- The bench database holds only synthetic content (the migrations' seed article goes).
truncate comment_idempotency_keys, comments, article_tags, article_places, article_organisations, article_events,
         article_people, article_authors, article_slugs, article_revisions, articles, affiliations, events, people,
         organisations, places, tags, authors restart identity cascade;

-- Loading is much faster without the secondary indexes of the two big tables (the GIN index
-- above all): their definitions are kept here and they are built again by the finish phase.
create unlogged table bench_indexes as
select i.indexname, i.indexdef
from pg_indexes i
join pg_class c on c.relname = i.indexname
join pg_index x on x.indexrelid = c.oid
where i.schemaname = 'public' and i.tablename in ('articles', 'comments')
  and not x.indisunique and not x.indisprimary;
select format('drop index %I', indexname) from bench_indexes \gexec

create unlogged table bench_words (i int primary key, w text not null);
insert into bench_words
select row_number() over () - 1, w
from unnest(string_to_array(
    'security cooperation summit minister agency police border intelligence terrorism crime cyber threat network '
    'delegation forum conference agreement partnership strategy policy operation investigation arrest dismantling '
    'smuggling trafficking migration sovereignty diplomacy alliance exchange information training modernisation '
    'prevention management region international national official director general service ministry council '
    'report statement meeting talks visit capital city country government parliament law court justice reform '
    'economy trade energy water climate health education technology data digital platform infrastructure port '
    'airport railway budget investment growth market bank finance tax customs coast desert mountain river '
    'election campaign party vote citizen community youth women rights freedom press media journalist analysis '
    'africa europe asia america mediterranean atlantic sahel gulf north south east west global local regional '
    'early late new old major minor key strategic operational effective shared mutual inclusive sustainable', ' ')) as w;

-- 4,000 more words made of syllables, so that text has the spread of real vocabulary and
-- a search for two words matches around 1% of articles rather than half of them.
insert into bench_words
select 129 + n, s1 || s2 || s3
from generate_series(0, 3999) n,
     lateral (select (array['ka','lo','mi','tu','ra','ne','so','vi','da','pe','zu','ho','gi','ba','fe','ly','qo','wa','xe','yo'])[1 + n % 20] as s1,
                     (array['ran','tel','mos','dun','vik','sap','lor','gem','tis','bul','nok','fay','pir','zed','hum','cas','jol','wex','rik','mun'])[1 + (n / 20) % 20] as s2,
                     (array['a','o','is','en','um','ar','el','it','on','us'])[1 + (n / 400) % 10] as s3) syllables;

-- A pool of paragraphs and sentences to draw text from (cheap: no per-row random text).
create unlogged table bench_paragraphs (i int primary key, text text not null);
insert into bench_paragraphs
select p, initcap(string_agg(w.w, ' ' order by k)) || '.'
from generate_series(0, 1999) p
cross join lateral generate_series(1, 40 + p % 41) k
join bench_words w on w.i = (p * 7919 + k * 104729) % 4129
group by p;

create unlogged table bench_sentences (i int primary key, text text not null);
insert into bench_sentences
select s, initcap(string_agg(w.w, ' ' order by k)) || '.'
from generate_series(0, 499) s
cross join lateral generate_series(1, 8 + s % 17) k
join bench_words w on w.i = (s * 31 + k * 7877) % 4129
group by s;

\echo '  places, tags, organisations, people, events'
insert into places (id, slug, name, kind, country)
overriding system value
select n, 'place-' || n, initcap((select w from bench_words where i = n % 129)) || ' ' || n,
       (array['city', 'region', 'country', 'venue'])[1 + n % 4],
       (array['MA', 'RU', 'FR', 'ES', 'US', 'DZ', 'TN', 'EG', 'NG', 'SN'])[1 + n % 10]
from generate_series(1, :n_places) n;

insert into tags (id, slug, name)
overriding system value
select n, 'tag-' || n, initcap((select w from bench_words where i = n % 129)) || ' ' || n
from generate_series(1, :n_tags) n;

insert into organisations (id, slug, name, acronym, kind, country, parent_id, description)
overriding system value
select n, 'organisation-' || n,
       initcap((select w from bench_words where i = (n * 3) % 129)) || ' ' || initcap((select w from bench_words where i = (n * 7) % 129)) || ' Directorate ' || n,
       upper(left((select w from bench_words where i = (n * 3) % 129), 2) || left((select w from bench_words where i = (n * 7) % 129), 2)) || n,
       (array['government-agency', 'security-service', 'law-enforcement', 'intelligence-service', 'international-organisation', 'company', 'ngo', 'media'])[1 + n % 8],
       (array['MA', 'RU', 'FR', 'ES', 'US', 'DZ', 'TN', 'EG', 'NG', 'SN'])[1 + n % 10],
       case when n > 10 then n / 10 end,
       (select text from bench_sentences where i = n % 500)
from generate_series(1, :n_organisations) n;

insert into people (id, slug, name, description)
overriding system value
select n, 'person-' || n,
       (array['Amina', 'Youssef', 'Olga', 'Pierre', 'Fatima', 'Ivan', 'Leila', 'Carlos', 'Nadia', 'Omar', 'Sofia', 'Karim'])[1 + n % 12]
       || ' ' || initcap((select w from bench_words where i = (n * 11) % 129)) || '-' || n,
       (select text from bench_sentences where i = (n * 3) % 500)
from generate_series(1, :n_people) n;

insert into affiliations (person_id, organisation_id, title, valid_from, position)
select p, 1 + (p * 37 + k * 1009) % :n_organisations,
       (array['Director General', 'Minister', 'Spokesperson', 'Head of Division', 'Adviser', 'Commissioner'])[1 + (p + k) % 6],
       date '2010-01-01' + (p % 4000), k
from generate_series(1, :n_people) p
cross join lateral generate_series(1, 1 + p % 2) k
on conflict do nothing;

insert into events (id, slug, name, description, start_date, end_date, city, country, place_id)
overriding system value
select n, 'event-' || n,
       initcap((select w from bench_words where i = (n * 5) % 129)) || ' Summit ' || n,
       (select text from bench_sentences where i = (n * 7) % 500),
       current_date - 3650 + (n * 3650 / :n_events), current_date - 3650 + (n * 3650 / :n_events) + n % 4,
       'City ' || (1 + n % :n_places), (array['MA', 'RU', 'FR', 'ES', 'US'])[1 + n % 5], 1 + n % :n_places
from generate_series(1, :n_events) n;

-- Statistics of what was just loaded: the planner must not take these tables for empty.
analyze bench_words, bench_paragraphs, bench_sentences, places, tags, organisations, people, affiliations, events;
\endif

\if :is_articles
-- Links first (foreign keys are not checked while loading), so that each article row is
-- inserted complete.
insert into article_events (article_id, event_id)
select n, 1 + (n::bigint * 7919) % :n_events from generate_series(:first, :last) n;

insert into article_people (article_id, person_id, role, position)
select n, 1 + (n::bigint * 13 + k * 4999) % :n_people, (array['subject', 'quoted', 'mentioned'])[1 + (n + k) % 3], k
from generate_series(:first, :last) n cross join lateral generate_series(1, 2 + n % 4) k
on conflict do nothing;

insert into article_organisations (article_id, organisation_id, role, position)
select n, 1 + (n::bigint * 17 + k * 1013) % :n_organisations, (array['subject', 'mentioned'])[1 + (n + k) % 2], k
from generate_series(:first, :last) n cross join lateral generate_series(1, 1 + n % 3) k
on conflict do nothing;

insert into article_places (article_id, place_id, position)
select n, 1 + (n::bigint * 19 + k * 97) % :n_places, k
from generate_series(:first, :last) n cross join lateral generate_series(1, 1 + n % 2) k
on conflict do nothing;

insert into article_tags (article_id, tag_id, position)
select n, 1 + (n::bigint * 23 + k * 151) % :n_tags, k
from generate_series(:first, :last) n cross join lateral generate_series(1, 3) k
on conflict do nothing;

-- Statistics of the links just loaded, for the lookups of article_linked_parts below
-- (after a truncate the planner would take these tables for empty and scan them whole).
analyze article_events, article_people, article_organisations, article_places, article_tags;

insert into articles (id, slug, title, summary, body, language, status, published_at, coverage_start, coverage_end,
                      comments_open, comment_count, created_at, updated_at,
                      linked_event, linked_people, linked_organisations, linked_places, linked_tags)
overriding system value
select n, 'article-' || n,
       initcap((select w from bench_words where i = (n * 13) % 129)) || ' ' || (select w from bench_words where i = (n * 17) % 129)
           || ' ' || (select w from bench_words where i = (n * 19) % 129) || ' talks in ' || 'City ' || (1 + n % :n_places),
       (select text from bench_sentences where i = (n * 23) % 500),
       (select jsonb_agg(jsonb_build_object('type', 'paragraph', 'text', p.text) order by k)
        from generate_series(1, 4 + n % 5) k join bench_paragraphs p on p.i = (n * 7 + k * 331) % 1290),
       case when n % 20 = 0 then 'fr' else 'en' end,
       'published',
       -- spread evenly over the last 10 years, the newest a minute ago
       now() - interval '1 minute' - (interval '3650 days' * ((:n_articles - n)::float8 / :n_articles)),
       current_date - 3650 + (n::bigint * 3650 / :n_articles)::int, current_date - 3650 + (n::bigint * 3650 / :n_articles)::int + 2,
       true,
       (5 + n % 11) - (5 + n % 11) / 5, -- approved comments, see the comments phase
       now() - (interval '3650 days' * ((:n_articles - n)::float8 / :n_articles)),
       now() - (interval '3650 days' * ((:n_articles - n)::float8 / :n_articles)),
       -- what the link triggers keep in each article (migration 0005): the links of
       -- this range were loaded just before
       parts.event, parts.people, parts.organisations, parts.places, parts.tags
from generate_series(:first, :last) n
cross join lateral article_linked_parts(n) parts;

-- Each article's read row (migration 0023: a trigger writes it outside a load).
insert into article_reads (id, slug, status, published_at, content_version, content_modified_at, document)
select id, slug, status, published_at, content_version, content_modified_at, document::text::json
from articles
where id between :first and :last;

-- Each link's copy of its article's publication time (migration 0022: a trigger sets it
-- outside a load).
update article_events l set published_at = a.published_at from articles a where a.id = l.article_id and l.article_id between :first and :last;
update article_people l set published_at = a.published_at from articles a where a.id = l.article_id and l.article_id between :first and :last;
update article_organisations l set published_at = a.published_at from articles a where a.id = l.article_id and l.article_id between :first and :last;
update article_places l set published_at = a.published_at from articles a where a.id = l.article_id and l.article_id between :first and :last;
update article_tags l set published_at = a.published_at from articles a where a.id = l.article_id and l.article_id between :first and :last;

\endif

\if :is_comments
-- Comment k (1..5 + n % 11) of article n has id n * 16 + k; every third replies to the one
-- before it; every fifth is pending (so an article has cnt - cnt / 5 approved: see articles).
insert into comments (id, article_id, parent_id, depth, author_name, author_email, author_url, body, body_hash, status,
                      client_address, user_agent, created_at, updated_at)
overriding system value
select n * 16 + k, n,
       case when k % 3 = 0 then n * 16 + k - 1 end,
       case when k % 3 = 0 then 2 else 1 end,
       'Reader ' || (n * 16 + k), 'reader' || (n * 16 + k) || '@example.com', null,
       s.text, sha256(convert_to(s.text, 'UTF8')),
       case when k % 5 = 0 then 'pending' else 'approved' end,
       ('10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256)::inet,
       'bench', a.published_at + k * interval '1 hour', a.published_at + k * interval '1 hour'
from generate_series(:first, :last) n
cross join lateral generate_series(1, 5 + n % 11) k
join articles a on a.id = n
join bench_sentences s on s.i = (n * 16 + k) % 500;
\endif

\if :is_finish
-- Identity sequences continue after the explicit ids.
select setval(pg_get_serial_sequence('articles', 'id'), (select max(id) from articles)),
       setval(pg_get_serial_sequence('people', 'id'), (select max(id) from people)),
       setval(pg_get_serial_sequence('organisations', 'id'), (select max(id) from organisations)),
       setval(pg_get_serial_sequence('events', 'id'), (select max(id) from events)),
       setval(pg_get_serial_sequence('places', 'id'), (select max(id) from places)),
       setval(pg_get_serial_sequence('tags', 'id'), (select max(id) from tags)),
       setval(pg_get_serial_sequence('comments', 'id'), (select max(id) from comments)) \gset
select indexdef from bench_indexes \gexec
drop table bench_words, bench_paragraphs, bench_sentences, bench_indexes;
-- The moderation queue's totals by status (migration 0059), as its triggers keep them outside a load.
delete from comment_status_totals;
insert into comment_status_totals (status, stripe, total) select status, 0, count(*) from comments group by status;
set session_replication_role = origin;
update content_changes set version = nextval('content_version_seq'), changed_at = now();
\endif
