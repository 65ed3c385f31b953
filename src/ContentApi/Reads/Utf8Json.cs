using System.Data.Common;

namespace ContentApi.Reads;

/// <summary>JSON that PostgreSQL built, read as it comes for a response that writes it out as it is.</summary>
internal static class Utf8Json
{
    /// <summary>
    /// A json or text column's bytes: its binary form is its UTF-8 text. Read this way, a
    /// document is never made a string of twice its size and encoded back for the response.
    /// </summary>
    public static byte[] Read(DbDataReader row, int ordinal)
    {
        using var stream = row.GetStream(ordinal);
        var json = new byte[stream.Length];
        stream.ReadExactly(json);
        return json;
    }
}
