using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
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
    // collection at a time) by Typed, one delegate per type rather than a closure per value;
    // ClrType: the type it was given as; Type: the PostgreSQL type when the value may be null.
    private sealed record Entry(string Name, object? Value, Type ClrType, NpgsqlDbType? Type, Func<string, object?, NpgsqlParameter> Typed);

    private static class TypedParameter<T>
    {
        public static readonly Func<string, object?, NpgsqlParameter> Make = static (name, value) => new NpgsqlParameter<T>(name, (T)value!);
    }

    private readonly List<Entry> entries = [];

    /// <summary>@<paramref name="name"/>, of the PostgreSQL type Npgsql maps <typeparamref name="T"/> to (a null string is a null text).</summary>
    public SqlParameters Add<T>(string name, T value)
    {
        // Npgsql cannot type a null of a nullable value type: such a statement went unprepared.
        if (Nullable.GetUnderlyingType(typeof(T)) is not null)
        {
            throw new ArgumentException($"'{name}' is a nullable value: give its PostgreSQL type.", nameof(value));
        }

        entries.Add(new Entry(name, value, typeof(T), null, TypedParameter<T>.Make));
        return this;
    }

    /// <summary>@<paramref name="name"/>, which may be null, of the PostgreSQL type <paramref name="type"/>.</summary>
    public SqlParameters Add<T>(string name, T? value, NpgsqlDbType type)
        where T : struct
    {
        entries.Add(new Entry(name, value, typeof(T?), type, TypedParameter<T>.Make));
        return this;
    }

    /// <summary>The names, in the order they were added.</summary>
    public IReadOnlyList<string> Names => entries.ConvertAll(entry => entry.Name);

    /// <summary>The names and the .NET types of the values (of each value given as <see cref="object"/>, its own).</summary>
    public string Shape
    {
        get
        {
            // Asked on every list request: one string, no piece per value.
            var shape = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture);
            foreach (var entry in entries)
            {
                shape.AppendFormatted(entry.Name);
                shape.AppendLiteral(":");
                shape.AppendFormatted(entry.ClrType == typeof(object) ? entry.Value?.GetType() : entry.ClrType);
                shape.AppendLiteral(",");
            }

            return shape.ToStringAndClear();
        }
    }

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
            command.Parameters.Add(entry switch
            {
                { Value: null, Type: { } type } => new NpgsqlParameter(entry.Name, type) { Value = DBNull.Value },
                { Type: { } type } => WithType(entry.Typed(entry.Name, entry.Value), type),
                _ => entry.Typed(entry.Name, entry.Value),
            });
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

    private static NpgsqlParameter WithType(NpgsqlParameter parameter, NpgsqlDbType type)
    {
        parameter.NpgsqlDbType = type;
        return parameter;
    }

    /// <summary>Where a statement reads the column <see cref="AddColumnsTo"/> makes of the value at <paramref name="position"/>: <c>$1</c> for the first.</summary>
    public static string ColumnParameter(int position) => string.Create(CultureInfo.InvariantCulture, $"${position + 1}");

    void SqlMapper.IDynamicParameters.AddParameters(IDbCommand command, SqlMapper.Identity identity) => AddTo((NpgsqlCommand)command);
}
