-- Run before the migrations, every time (not journaled): what migrations may call.

-- Since PostgreSQL 15.20 (and the releases of the other branches of November 2026), an ALTER
-- TABLE that rewrites or fills a table's rows (a column with a default, a generated column, a
-- new column type) is refused while a function whose body is SQL-standard (RETURN …) uses the
-- table's row type: "cannot alter table "articles" because function article_is_public(articles)
-- uses its row type". Most shape functions are such (article_is_public(a articles), …). This
-- runs the alteration with each of those functions given the same body quoted (AS $$ select … $$,
-- which PostgreSQL does not parse into dependencies) for its duration, then restores them as they
-- were, in the same transaction.
create or replace function alter_table_with_row_type_functions(target regclass, alteration text) returns void
    language plpgsql as $$
declare
    using_row_type record;
    definitions text[] := '{}';
    definition text;
begin
    for using_row_type in
        select distinct p.oid, pg_get_functiondef(p.oid) as definition, pg_get_function_sqlbody(p.oid) as body
        from pg_proc p
        join pg_depend d on d.classid = 'pg_proc'::regclass and d.objid = p.oid
        where p.prosqlbody is not null
          and d.refclassid = 'pg_type'::regclass
          and d.refobjid = (select c.reltype from pg_class c where c.oid = target)
    loop
        if using_row_type.body not like 'RETURN %' then
            raise exception 'alter_table_with_row_type_functions: % has a BEGIN ATOMIC body; give it a quoted one to alter %',
                using_row_type.oid::regprocedure, target;
        end if;
        definitions := definitions || using_row_type.definition;
        execute replace(using_row_type.definition, using_row_type.body,
                        'AS $row_type$ select ' || substr(using_row_type.body, length('RETURN ') + 1) || ' $row_type$');
    end loop;

    execute alteration;

    foreach definition in array definitions loop
        execute definition;
    end loop;
end $$;

-- For migrations (run as the owner) only; it runs with its caller's rights either way.
revoke execute on function alter_table_with_row_type_functions(regclass, text) from public;
