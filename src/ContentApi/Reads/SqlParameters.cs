using System.Data;
using System.Globalization;
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
    // A value by name, its parameter made fresh for each command (a parameter belongs to one
    // collection at a time); ClrType: the type it was given as; Type: the PostgreSQL type when
    // the value may be null.
    private sealed record Entry(string Name, object? Value, Type ClrType, NpgsqlDbType? Type, Func<NpgsqlParameter> Parameter);

    private readonly List<Entry> entries = [];

    /// <summary>@<paramref name="name"/>, of the PostgreSQL type Npgsql maps <typeparamref name="T"/> to (a null string is a null text).</summary>
    public SqlParameters Add<T>(string name, T value)
    {
        // Npgsql cannot type a null of a nullable value type: such a statement went unprepared.
        if (Nullable.GetUnderlyingType(typeof(T)) is not null)
        {
            throw new ArgumentException($"'{name}' is a nullable value: give its PostgreSQL type.", nameof(value));
        }

        entries.Add(new Entry(name, value, typeof(T), null, () => new NpgsqlParameter<T>(name, value)));
        return this;
    }

    /// <summary>@<paramref name="name"/>, which may be null, of the PostgreSQL type <paramref name="type"/>.</summary>
    public SqlParameters Add<T>(string name, T? value, NpgsqlDbType type)
        where T : struct
    {
        entries.Add(new Entry(name, value, typeof(T?), type, () => value is { } present
            ? new NpgsqlParameter<T>(name, present) { NpgsqlDbType = type }
            : new NpgsqlParameter(name, type) { Value = DBNull.Value }));
        return this;
    }

    /// <summary>The names, in the order they were added.</summary>
    public IReadOnlyList<string> Names => entries.ConvertAll(entry => entry.Name);

    /// <summary>The names and the .NET types of the values (of each value given as <see cref="object"/>, its own).</summary>
    public string Shape => string.Join(",", entries.Select(entry => $"{entry.Name}:{(entry.ClrType == typeof(object) ? entry.Value?.GetType() : entry.ClrType)}"));

    /// <summary>These values and then <paramref name="more"/>'s, in a new set.</summary>
    public SqlParameters With(SqlParameters more)
    {
        var both = new SqlParameters();
        both.entries.AddRange(entries);
        both.entries.AddRange(more.entries);
        return both;
    }

    public void AddTo(NpgsqlCommand command)
    {
        foreach (var entry in entries)
        {
            command.Parameters.Add(entry.Parameter());
        }
    }

    /// <summary>
    /// The values of several sets with the same names, as columns: for each name, one array
    /// parameter (<see cref="ColumnParameter"/>) with each set's value in the sets' order. Null
    /// values keep their type; values given as <see cref="object"/> (a cursor's key) are of
    /// one .NET type in every set.
    /// </summary>
    /// <remarks>
    /// Positional and unnamed: Npgsql then sends the statement as it is, without parsing it for
    /// <c>@names</c> on every request (a shared list statement is a few kB of SQL).
    /// </remarks>
    public static void AddColumnsTo(NpgsqlCommand command, IReadOnlyList<SqlParameters> sets)
    {
        var first = sets[0].entries;
        for (var column = 0; column < first.Count; column++)
        {
            var elementType = first[column].ClrType == typeof(object) ? first[column].Value!.GetType() : first[column].ClrType;
            var values = Array.CreateInstance(elementType, sets.Count);
            for (var set = 0; set < sets.Count; set++)
            {
                values.SetValue(sets[set].entries[column].Value, set);
            }

            var parameter = new NpgsqlParameter { Value = values };
            if (first[column].Type is { } type)
            {
                parameter.NpgsqlDbType = NpgsqlDbType.Array | type;
            }

            command.Parameters.Add(parameter);
        }
    }

    /// <summary>Where a statement reads the column <see cref="AddColumnsTo"/> makes of the value at <paramref name="position"/>: <c>$1</c> for the first.</summary>
    public static string ColumnParameter(int position) => string.Create(CultureInfo.InvariantCulture, $"${position + 1}");

    void SqlMapper.IDynamicParameters.AddParameters(IDbCommand command, SqlMapper.Identity identity) => AddTo((NpgsqlCommand)command);
}
