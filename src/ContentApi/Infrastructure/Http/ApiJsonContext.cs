using System.Text.Json.Serialization;
using ContentApi.Articles;
using ContentApi.Health;

namespace ContentApi.Infrastructure.Http;

/// <summary>System.Text.Json source generation for every public shape the API writes or reads.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(Paged<ArticleSummary>))]
[JsonSerializable(typeof(ArticleDetail))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(PageInfo))]
[JsonSerializable(typeof(PageLinks))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
