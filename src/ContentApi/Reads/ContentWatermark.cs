using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// The validators of every public list and entity view: the version of the last change to
/// public content (kept by triggers, see migration 0002) and the newest visible publication
/// time, which moves when a scheduled article becomes visible without any write (the SQL
/// function content_watermark, migration 0008).
/// </summary>
internal sealed record ContentWatermark(long Version, DateTime ChangedAt, DateTime? VisibleUntil)
{
    /// <summary>One row: version, changed_at, visible_until (the function is in migration 0008).</summary>
    public const string Sql = "select w.version, w.changed_at, w.visible_until from content_watermark() w;";

    public static async Task<ContentWatermark> ReadAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ContentWatermark>(new CommandDefinition(Sql, cancellationToken: cancellationToken));
    }

    private const string TagPrefix = "W/\"l";

    /// <summary>Whether the request's If-None-Match names a tag of the watermark's (pages with validators of their own have others).</summary>
    public static bool IsNamedIn(HttpRequest request) => request.Headers.IfNoneMatch.ToString().Contains(TagPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Validators for the representation at this request's URL (the URL is part of the tag), and
    /// of its <paramref name="variant"/> when the URL has several (a format chosen by Accept).
    /// </summary>
    public ContentValidators ValidatorsFor(HttpRequest request, string variant = "")
    {
        var url = Encoding.UTF8.GetBytes(request.Path.Value + request.QueryString.Value + variant);
        var urlHash = Convert.ToHexStringLower(SHA256.HashData(url).AsSpan(0, 6));
        var visible = VisibleUntil?.Ticks ?? 0;
        var lastModified = VisibleUntil is { } until && until > ChangedAt ? until : ChangedAt;
        return new ContentValidators(
            string.Create(CultureInfo.InvariantCulture, $"{TagPrefix}{Version}.{visible:x}.{urlHash}\""),
            DateTime.SpecifyKind(lastModified, DateTimeKind.Utc));
    }
}
