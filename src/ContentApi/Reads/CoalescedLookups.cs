using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// Lookups by key that arrive together share one statement (<see cref="CoalescedBatches{TQuestion, TAnswer}"/>):
/// the keys of a batch, up to 64, go as one array parameter.
/// </summary>
/// <remarks>
/// The statement takes the keys as <c>$1</c> (<c>text[]</c>) and answers one row per key found,
/// the key in its first column; the reader reads a row.
/// </remarks>
internal sealed class CoalescedLookups<TRow>(string sql, Func<NpgsqlDataReader, TRow> readRow) : CoalescedBatches<string, TRow?>(largestBatch: 64)
    where TRow : class
{
    /// <summary>The row of <paramref name="key"/>, or null when the statement finds none.</summary>
    public Task<TRow?> FindAsync(NpgsqlDataSource db, string key, CancellationToken cancellationToken) =>
        AskAsync(db, key, cancellationToken);

    protected override async Task<TRow?[]> AnswerAllAsync(NpgsqlDataSource db, string[] keys, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, TRow>(keys.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = readRow(reader);
        }

        return Array.ConvertAll(keys, key => found.GetValueOrDefault(key));
    }
}
