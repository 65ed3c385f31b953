using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// List pages asked together with the same statement share one (<see cref="CoalescedBatches{TQuestion, TAnswer}"/>):
/// each request's values are a row of the batch's columns, and its statement runs once for each
/// row (a lateral join), its own rows numbered by the row they answer. A page's statement has a
/// fixed cost in PostgreSQL and in the API (a round trip, binding, starting the executor) that is
/// most of a list page's cost; a batch pays it once.
/// </summary>
internal static partial class CoalescedListStatements
{
    // A shape is a statement's text with the names and types of its values. Past this many, a new
    // shape's pages go alone, each a batch of its own: the code writes fewer shapes than this.
    private const int MostShapes = 1000;

    /// <summary>
    /// The rows of <paramref name="sql"/> with <paramref name="values"/> (its <c>@names</c>), each
    /// read by <paramref name="readRow"/>, in no order a statement of several rows can rely on (a
    /// list page's statement gives one); from a statement shared with the pages asked at the same time.
    /// </summary>
    public static Task<List<TRow>> RowsAsync<TRow>(
        NpgsqlDataSource db, string sql, SqlParameters values, Func<NpgsqlDataReader, TRow> readRow, CancellationToken cancellationToken)
    {
        var key = (sql, values.Shape);
        if (!ShapesOf<TRow>.Batches.TryGetValue(key, out var batches))
        {
            batches = new CoalescedStatement<TRow>(Batched(sql, values.Names), readRow);
            if (ShapesOf<TRow>.Batches.Count < MostShapes)
            {
                batches = ShapesOf<TRow>.Batches.GetOrAdd(key, batches);
            }
        }

        return batches.AskAsync(db, values, cancellationToken);
    }

    // The batches of each shape whose rows are TRows.
    private static class ShapesOf<TRow>
    {
        public static readonly ConcurrentDictionary<(string Sql, string Shape), CoalescedStatement<TRow>> Batches = new();
    }

    /// <summary>
    /// <paramref name="sql"/> run for each row of the columns of <paramref name="names"/>' values
    /// (<see cref="SqlParameters.AddColumnsTo"/>), each of its <c>@name</c> read from that row; its
    /// columns, then the number of the row they answer (from 1).
    /// </summary>
    public static string Batched(string sql, IReadOnlyList<string> names)
    {
        var columns = string.Join(", ", names.Select((_, position) => SqlParameters.ColumnParameter(position)));
        var aliases = string.Join(", ", names.Select(name => $"\"{name}\""));
        var perRow = ParameterName().Replace(sql, match => names.Contains(match.Groups[1].Value) ? $"k.\"{match.Groups[1].Value}\"" : match.Value);
        return $"""
            select x.*, k.answers_question
            from unnest({columns}) with ordinality as k({aliases}, answers_question)
            cross join lateral (
            {perRow}
            ) x
            """;
    }

    // @name, as Npgsql reads one (not the second @ of @@ or @>).
    [GeneratedRegex(@"(?<![@\w])@(\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();
}

/// <summary>
/// One statement shape's batches (<see cref="CoalescedListStatements.Batched"/>): each question's
/// rows, read by <paramref name="readRow"/>. Up to 16 pages a batch: a page may have 100 items
/// of a few kB, all held until the batch's last row is read.
/// </summary>
internal sealed class CoalescedStatement<TRow>(string batchedSql, Func<NpgsqlDataReader, TRow> readRow)
    : CoalescedBatches<SqlParameters, List<TRow>>(largestBatch: 16)
{
    protected override async Task<List<TRow>[]> AnswerAllAsync(NpgsqlDataSource db, SqlParameters[] questions, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(batchedSql);
        SqlParameters.AddColumnsTo(command, questions);
        var answers = Array.ConvertAll(questions, _ => new List<TRow>());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var answersQuestion = reader.FieldCount - 1;
        while (await reader.ReadAsync(cancellationToken))
        {
            answers[reader.GetInt64(answersQuestion) - 1].Add(readRow(reader));
        }

        return answers;
    }
}
