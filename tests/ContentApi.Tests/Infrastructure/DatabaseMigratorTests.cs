using ContentApi.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContentApi.Tests.Infrastructure;

public sealed class DatabaseMigratorTests(ContentApiFixture app)
{
    // Tables, columns, constraints, indexes, functions and triggers: what a migration could change.
    private const string SchemaSnapshotSql = """
        select string_agg(line, E'\n' order by line) from (
            select format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) as line
            from information_schema.columns where table_schema = 'public'
            union all
            select format('constraint %s %s', conname, pg_get_constraintdef(oid)) from pg_constraint where connamespace = 'public'::regnamespace
            union all
            select format('index %s', indexdef) from pg_indexes where schemaname = 'public'
            union all
            select format('function %s', p.oid::regprocedure) from pg_proc p where p.pronamespace = 'public'::regnamespace
            union all
            select format('trigger %s on %s', tgname, tgrelid::regclass) from pg_trigger where not tgisinternal
        ) schema_lines
        """;

    private const string RowCountsSql = """
        select format('articles=%s people=%s organisations=%s affiliations=%s events=%s places=%s tags=%s links=%s',
            (select count(*) from articles), (select count(*) from people), (select count(*) from organisations),
            (select count(*) from affiliations), (select count(*) from events), (select count(*) from places),
            (select count(*) from tags),
            (select count(*) from article_people) + (select count(*) from article_organisations)
              + (select count(*) from article_events) + (select count(*) from article_places) + (select count(*) from article_tags))
        """;

    [Fact]
    public async Task Applying_migrations_again_leaves_the_schema_unchanged()
    {
        var before = await app.Database.ScalarAsync<string>(SchemaSnapshotSql);
        var journalBefore = await app.Database.ScalarAsync<long>("select count(*) from schemaversions");

        await new DatabaseMigrator(app.ConnectionString, NullLogger.Instance).MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(before, await app.Database.ScalarAsync<string>(SchemaSnapshotSql));
        Assert.Equal(journalBefore, await app.Database.ScalarAsync<long>("select count(*) from schemaversions"));
        Assert.Contains("constraint events_check CHECK ((end_date >= start_date))", before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Applying_the_seed_again_leaves_the_seed_rows_and_the_article_validators_unchanged()
    {
        var countsBefore = await app.Database.ScalarAsync<string>(RowCountsSql);
        const string seedVersionSql = "select content_version from articles where slug like 'hammouchi-promotes-%'";
        var versionBefore = await app.Database.ScalarAsync<long>(seedVersionSql);

        await new DatabaseMigrator(app.ConnectionString, NullLogger.Instance).MigrateAsync(TestContext.Current.CancellationToken);

        // Other tests insert rows concurrently, so compare the seed's own rows.
        Assert.Equal(versionBefore, await app.Database.ScalarAsync<long>(seedVersionSql));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from articles where slug like 'hammouchi-promotes-%'"));
        Assert.Equal(2, await app.Database.ScalarAsync<long>("select count(*) from affiliations a join people p on p.id = a.person_id where p.slug = 'abdellatif-hammouchi'"));
        Assert.Equal(5, await app.Database.ScalarAsync<long>("select count(*) from article_tags at join articles a on a.id = at.article_id where a.slug like 'hammouchi-promotes-%'"));
        Assert.Matches("^articles=\\d+ people=\\d+", countsBefore);
    }

    [Fact]
    public async Task Seed_applied_twice_to_a_new_database_gives_the_same_row_counts()
    {
        await TestServer.InNewDatabaseAsync("contentapi_seed", async connectionString =>
        {
            var migrator = new DatabaseMigrator(connectionString, NullLogger.Instance);
            var database = new TestDatabase(connectionString);
            await migrator.MigrateAsync(TestContext.Current.CancellationToken);
            var once = await database.ScalarAsync<string>(RowCountsSql);

            await migrator.MigrateAsync(TestContext.Current.CancellationToken);

            Assert.Equal("articles=1 people=1 organisations=3 affiliations=2 events=1 places=2 tags=5 links=12", once);
            Assert.Equal(once, await database.ScalarAsync<string>(RowCountsSql));
        });
    }

    [Fact]
    public async Task Two_concurrent_migrate_runs_on_a_new_database_both_succeed()
    {
        await TestServer.InNewDatabaseAsync("contentapi_race", async connectionString =>
        {
            var runs = Enumerable.Range(0, 2)
                .Select(_ => Task.Run(() => new DatabaseMigrator(connectionString, NullLogger.Instance).MigrateAsync(TestContext.Current.CancellationToken)))
                .ToArray();

            await Task.WhenAll(runs);

            var database = new TestDatabase(connectionString);
            var scripts = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "sql", "migrations"), "*.sql").Length;
            Assert.Equal(scripts, await database.ScalarAsync<long>("select count(*) from schemaversions"));
            Assert.Equal(1, await database.ScalarAsync<long>("select count(*) from articles"));
        });
    }

    [Fact]
    public async Task A_table_whose_row_type_a_sql_standard_function_uses_takes_a_filled_column_and_keeps_the_function()
    {
        // What PostgreSQL 15.20 refuses outright (a column with a default, a generated column)
        // while a RETURN-bodied function uses the row type, as article_is_public(a articles) does.
        var table = "row_type_" + Guid.NewGuid().ToString("N")[..12];
        await app.Database.ExecuteAsync($"""
            create table {table} (id int primary key, name text not null);
            insert into {table} values (1, 'one');
            create function {table}_named(t {table}) returns boolean language sql immutable return t.name <> '';
            select alter_table_with_row_type_functions('{table}', 'alter table {table} add column kind text not null default ''plain''');
            select alter_table_with_row_type_functions('{table}', 'alter table {table} add column shout text generated always as (upper(name)) stored');
            """);

        Assert.Equal("plain ONE t", await app.Database.ScalarAsync<string>($"select format('%s %s %s', t.kind, t.shout, {table}_named(t)) from {table} t"));
        Assert.StartsWith("RETURN", await app.Database.ScalarAsync<string>($"select pg_get_function_sqlbody('{table}_named'::regproc)"), StringComparison.Ordinal);
        await app.Database.ExecuteAsync($"drop table {table} cascade");
    }
}
