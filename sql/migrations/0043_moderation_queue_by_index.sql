-- The moderation queue of every status (GET /v1/comments without ?status=), newest first: no
-- index gave that order, so each page sorted every comment (by hand at 100,000 articles and
-- 1,000,000 comments, past the statements' 5 s: a 503). The queue of one status reads
-- comments_moderation_idx (status, created_at desc, id desc); CommentQueries.ModerationQueueSpec.
create index comments_created_idx on comments (created_at desc, id desc);
