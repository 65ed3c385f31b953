using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// The API connects as a role with DML only: it owns nothing, so it can change rows but not the
/// schema, and it cannot read API key hashes (it asks api_key_identity instead).
/// </summary>
public sealed class LeastPrivilegeTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("drop table comments")]
    [InlineData("alter table articles add column smuggled text")]
    [InlineData("create table smuggled (id int)")]
    [InlineData("select key_hash from api_keys")]
    [InlineData("update api_keys set revoked_at = null")]
    [InlineData("delete from schemaversions")]
    [InlineData("create role smuggled superuser")]
    [InlineData("select alter_table_with_row_type_functions('comments', 'alter table comments add column smuggled text default ''x''')")]
    public async Task The_api_role_cannot_change_the_schema_or_touch_key_hashes(string statement)
    {
        await using var connection = new NpgsqlConnection(app.ApiConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(statement, connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task The_api_role_is_what_the_api_connects_as_and_it_is_no_superuser()
    {
        await using var connection = new NpgsqlConnection(app.ApiConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles where rolname = current_user", connection);

        Assert.False((bool)(await command.ExecuteScalarAsync(Ct))!);
        Assert.Equal(TestServer.ApiRole, new NpgsqlConnectionStringBuilder(
            app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).Username);
    }
}
