using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// Timestamps are UTC ISO 8601 to the second (2025-05-29T10:00:00Z), the same form PostgreSQL
/// writes through <c>api_timestamp()</c> in the JSON it builds.
/// </summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTime>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString(Format, CultureInfo.InvariantCulture));
}
