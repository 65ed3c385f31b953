-- A comment as the public reads it (PublicComment), kept rendered in the row: the public
-- comment lists then read one column per comment instead of building JSON for each. It holds
-- no private field (email, address, user agent).
alter table comments add column public_document json;

-- Replaced by comment_public_json in migration 0008.
create function comment_public_document(c comments) returns json language sql stable parallel safe as $$
    select json_build_object('id', c.id, 'parentId', c.parent_id, 'authorName', c.author_name,
                             'authorUrl', c.author_url, 'body', c.body, 'createdAt', api_timestamp(c.created_at))
$$;

create function comments_public_document() returns trigger language plpgsql as $$
begin
    new.public_document := comment_public_document(new);
    return new;
end $$;

create trigger comments_public_document before insert or update on comments
    for each row execute function comments_public_document();
-- Also during bulk loads with ordinary triggers off (see articles_search_vector in migration 0001).
alter table comments enable always trigger comments_public_document;

update comments set public_document = comment_public_document(comments);
alter table comments alter column public_document set not null;
