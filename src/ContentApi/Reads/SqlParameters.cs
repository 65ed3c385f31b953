using System.Data;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Reads;

/// <summary>
/// The values of a list's statement by name (<c>@name</c> in its SQL), each typed by its .NET
/// type, so that a null is a null of that type and the statement can be prepared. Not Dapper's
/// <c>DynamicParameters</c>: binding those asks each Npgsql parameter for its <c>DbType</c>,
/// which looks the value's type up in Npgsql's global type mapper on every request (a quarter
/// of a comments page's request CPU in a profile). Dapper calls still take these.
/// </summary>
internal sealed class SqlParameters : SqlMapper.IDynamicParameters
{
    // Made fresh for each command: a parameter belongs to one collection at a time.
    private readonly List<Func<NpgsqlParameter>> parameters = [];

    /// <summary>@<paramref name="name"/>, of the PostgreSQL type Npgsql maps <typeparamref name="T"/> to (a null string is a null text).</summary>
    public SqlParameters Add<T>(string name, T value)
    {
        // Npgsql cannot type a null of a nullable value type: such a statement went unprepared.
        if (Nullable.GetUnderlyingType(typeof(T)) is not null)
        {
            throw new ArgumentException($"'{name}' is a nullable value: give its PostgreSQL type.", nameof(value));
        }

        parameters.Add(() => new NpgsqlParameter<T>(name, value));
        return this;
    }

    /// <summary>@<paramref name="name"/>, which may be null, of the PostgreSQL type <paramref name="type"/>.</summary>
    public SqlParameters Add<T>(string name, T? value, NpgsqlDbType type)
        where T : struct
    {
        parameters.Add(() => value is { } present
            ? new NpgsqlParameter<T>(name, present) { NpgsqlDbType = type }
            : new NpgsqlParameter(name, type) { Value = DBNull.Value });
        return this;
    }

    public void AddTo(NpgsqlCommand command)
    {
        foreach (var create in parameters)
        {
            command.Parameters.Add(create());
        }
    }

    void SqlMapper.IDynamicParameters.AddParameters(IDbCommand command, SqlMapper.Identity identity) => AddTo((NpgsqlCommand)command);
}
