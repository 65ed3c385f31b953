-- The first real content: the article of shared/seeds/000_496e9760018fae81.txt with every fact
-- it states. Idempotent: each row is inserted once (on conflict do nothing), so a second run
-- changes nothing and never overwrites later editorial changes made through the API.
-- Values the page does not state are marked "(not in the source)" below.

insert into organisations (slug, name, acronym, kind, country, description) values
    -- The page names both services together as "Morocco's National Security and Territorial
    -- Surveillance (DGSN-DGST)"; the English names of each service are their usual ones.
    ('dgsn', 'General Directorate of National Security', 'DGSN', 'law-enforcement', 'MA',
     'Morocco''s national police service (Direction Générale de la Sûreté Nationale).'),
    ('dgst', 'General Directorate of Territorial Surveillance', 'DGST', 'intelligence-service', 'MA',
     'Morocco''s domestic intelligence service (Direction Générale de la Surveillance du Territoire).'),
    ('fsb', 'Federal Security Service', 'FSB', 'security-service', 'RU',
     'Russia''s Federal Security Service.')
on conflict (slug) do nothing;

insert into people (slug, name, description) values
    ('abdellatif-hammouchi', 'Abdellatif Hammouchi',
     'Director General of Morocco''s National Security and Territorial Surveillance (DGSN-DGST).')
on conflict (slug) do nothing;

insert into affiliations (person_id, organisation_id, title, position)
select p.id, o.id, 'Director General', v.position
from (values ('dgsn', 0), ('dgst', 1)) as v (organisation_slug, position)
join organisations o on o.slug = v.organisation_slug
join people p on p.slug = 'abdellatif-hammouchi'
on conflict (person_id, organisation_id, title) do nothing;

insert into places (slug, name, kind, country) values
    ('moscow', 'Moscow', 'city', 'RU'),
    ('morocco', 'Morocco', 'country', 'MA')
on conflict (slug) do nothing;

insert into events (slug, name, description, start_date, end_date, city, country, place_id)
select '13th-international-meeting-of-high-level-security-officials',
       '13th International Meeting of High-Level Security Officials',
       'Delegations from over one hundred countries gathered in Moscow to discuss the future of global security.',
       date '2025-05-27', date '2025-05-29', 'Moscow', 'RU', p.id
from places p
where p.slug = 'moscow'
on conflict (slug) do nothing;

insert into tags (slug, name) values
    ('organised-crime', 'Organised crime'),
    ('terrorism', 'Terrorism'),
    ('cyber-threats', 'Cyber threats'),
    ('global-south', 'Global South'),
    ('security-cooperation', 'Security cooperation')
on conflict (slug) do nothing;

insert into articles (slug, title, summary, body, language, status, published_at,
                      coverage_start, coverage_end, comments_open, created_at, updated_at)
values (
    'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum',
    'Hammouchi promotes a new vision of shared international security cooperation at the Moscow international forum',
    -- Summary: the page has none; this one is condensed from its first two paragraphs.
    'Abdellatif Hammouchi, Director General of the DGSN-DGST, took part in the 13th International Meeting of High-Level Security Officials in Moscow (27–29 May 2025), advocating a security architecture based on fairness, mutual trust and the inclusion of all states.',
    $body$[
      {"type": "paragraph", "text": "From May 27 to 29, 2025, Abdellatif Hammouchi, Director General of Morocco’s National Security and Territorial Surveillance (DGSN-DGST), took active part in the 13th International Meeting of High-Level Security Officials in Moscow, where delegations from over one hundred countries gathered to discuss the future of global security."},
      {"type": "paragraph", "text": "During the event, Hammouchi reaffirmed Morocco’s central role as a strategic partner in the fight against organized crime, terrorism, and cyber threats. The Moroccan official advocated for a security architecture based on fairness, mutual trust, and the inclusion of all states, especially those from the Global South."},
      {"type": "paragraph", "text": "In his address, he emphasized that “effective security can only be achieved through strong and shared cooperation,” highlighting the importance of exchanging sensitive information swiftly, securely, and with full respect for national sovereignty. This position was well received by attendees, who praised Morocco’s expertise in threat prevention and management."},
      {"type": "quote", "text": "effective security can only be achieved through strong and shared cooperation", "person": "abdellatif-hammouchi"},
      {"type": "paragraph", "text": "Hammouchi also held bilateral meetings with senior officials from Russia’s Federal Security Service (FSB) and other agencies, strengthening key alliances to enhance cooperation mechanisms against common threats. These meetings reflect the maturity of Morocco’s approach, which blends operational firmness with smart diplomacy."},
      {"type": "paragraph", "text": "Morocco’s reputation as a security power has grown stronger in recent years, marked by significant progress in service modernization, risk anticipation, and professionalization of its security forces. Statistics support this progress, from key arrests to the dismantling of criminal networks and the neutralization of emerging threats."},
      {"type": "paragraph", "text": "Hammouchi’s final message was clear: the Moroccan model not only works, but can also serve as a source of inspiration for a new, inclusive, and sustainable global security paradigm. Morocco is no longer a mere observer, but an active and reliable player in safeguarding international stability."}
    ]$body$::jsonb,
    'en',
    'published',
    -- Publication time (not in the source): the morning after the forum closed.
    timestamptz '2025-05-30T09:00:00Z',
    date '2025-05-27', date '2025-05-29',
    -- The page ends with an open "Leave a Reply" form.
    true,
    timestamptz '2025-05-30T09:00:00Z',
    timestamptz '2025-05-30T09:00:00Z'
)
on conflict (slug) do nothing;

-- Links of the seed article (looked up by slug so ids never matter).
with article as (
    select id from articles
    where slug = 'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum'
)
insert into article_events (article_id, event_id)
select article.id, e.id
from article, events e
where e.slug = '13th-international-meeting-of-high-level-security-officials'
on conflict (article_id) do nothing;

with article as (
    select id from articles
    where slug = 'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum'
)
insert into article_people (article_id, person_id, role, position)
select article.id, p.id, 'subject', 0
from article, people p
where p.slug = 'abdellatif-hammouchi'
on conflict (article_id, person_id) do nothing;

with article as (
    select id from articles
    where slug = 'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum'
)
insert into article_organisations (article_id, organisation_id, role, position)
select article.id, o.id, v.role, v.position
from article,
     (values ('dgsn', 'subject', 0), ('dgst', 'subject', 1), ('fsb', 'mentioned', 2)) as v (slug, role, position)
join organisations o on o.slug = v.slug
on conflict (article_id, organisation_id) do nothing;

with article as (
    select id from articles
    where slug = 'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum'
)
insert into article_places (article_id, place_id, position)
select article.id, pl.id, v.position
from article, (values ('moscow', 0), ('morocco', 1)) as v (slug, position)
join places pl on pl.slug = v.slug
on conflict (article_id, place_id) do nothing;

with article as (
    select id from articles
    where slug = 'hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum'
)
insert into article_tags (article_id, tag_id, position)
select article.id, t.id, v.position
from article,
     (values ('organised-crime', 0), ('terrorism', 1), ('cyber-threats', 2), ('global-south', 3), ('security-cooperation', 4)) as v (slug, position)
join tags t on t.slug = v.slug
on conflict (article_id, tag_id) do nothing;
