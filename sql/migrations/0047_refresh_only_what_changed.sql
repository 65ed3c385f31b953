-- An entity's change rewrote every article linked to it, whatever it changed: a tag's
-- description, a person's biography or an event's summary, which no article shows, rewrote
-- each article all the same (its row's new version with its search terms' GIN entries, its read
-- row; ~10 ms an article at 100,000), moved its validators and announced it in the changes
-- feed, with nothing new to read. An article is now rewritten only when its linked parts change:
-- they are built once, compared as text with those its row holds, and written where they
-- differ. Replaces refresh_article_links of migration 0028 (plpgsql, so that a session keeps
-- its plans).
create or replace function refresh_article_links(article_ids bigint[]) returns void language plpgsql as $$
begin
    update articles a set
        (linked_event, linked_people, linked_organisations, linked_places, linked_tags, linked_authors) =
        (fresh.event, fresh.people, fresh.organisations, fresh.places, fresh.tags, fresh.authors)
    -- offset 0: each article's parts built once (pulled up, the byline was built for the
    -- comparison and again for the row)
    from (select i.id, parts.event, parts.people, parts.organisations, parts.places, parts.tags, article_authors_json(i.id) as authors
          from unnest(article_ids) i (id), article_linked_parts(i.id) parts
          offset 0) fresh
    where a.id = fresh.id
      and (a.linked_event::text, a.linked_people::text, a.linked_organisations::text, a.linked_places::text, a.linked_tags::text, a.linked_authors::text)
          is distinct from
          (fresh.event::text, fresh.people::text, fresh.organisations::text, fresh.places::text, fresh.tags::text, fresh.authors::text);
end $$;
