using ContentApi.Reads;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Tests.Reads;

/// <summary>
/// A list's values reach PostgreSQL typed, nulls included: a parameter of unknown type keeps
/// Npgsql from preparing the statement, and PostgreSQL then plans every list request again.
/// </summary>
public sealed class SqlParametersTests(ContentApiFixture app)
{
    // The one text column of the one row that sql gives with these parameters.
    private async Task<string> TypesAndValuesAsync(SqlParameters parameters, string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        parameters.AddTo(command);
        return (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task Nulls_and_values_arrive_with_their_types()
    {
        var parameters = new SqlParameters()
            .Add("slug", "tag-1")
            .Add("missing", (string?)null)
            .Add("count", 42L)
            .Add("from", (DateOnly?)null, NpgsqlDbType.Date)
            .Add("to", (DateOnly?)new DateOnly(2024, 2, 29), NpgsqlDbType.Date)
            .Add("until", (DateTime?)null, NpgsqlDbType.TimestampTz);

        // pg_typeof of a parameter PostgreSQL cannot type fails: "could not determine data type".
        var answer = await TypesAndValuesAsync(parameters, """
            select concat_ws(' ', pg_typeof(@slug), @slug, pg_typeof(@missing), @missing is null, pg_typeof(@count), @count,
                             pg_typeof(@from), @from is null, pg_typeof(@to), @to, pg_typeof(@until), @until is null)
            """);

        Assert.Equal("text tag-1 text t bigint 42 date t date 2024-02-29 timestamp with time zone t", answer);
    }

    [Fact]
    public void A_nullable_value_without_its_type_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new SqlParameters().Add("from", (DateOnly?)null));

        Assert.Contains("'from'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_command_gets_parameters_of_its_own()
    {
        var parameters = new SqlParameters().Add("n", 7);

        Assert.Equal("7", await TypesAndValuesAsync(parameters, "select (@n)::text"));
        Assert.Equal("8", await TypesAndValuesAsync(parameters, "select (@n + 1)::text"));
    }
}
