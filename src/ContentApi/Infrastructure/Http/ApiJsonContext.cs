using System.Text.Json.Serialization;
using ContentApi.Comments;
using ContentApi.Health;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// System.Text.Json source generation for the shapes the API serialises or reads itself (the
/// documents PostgreSQL renders are written through as they are).
/// </summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(CommentAccepted))]
[JsonSerializable(typeof(EraseCommentsResult))]
[JsonSerializable(typeof(PostCommentRequest))]
[JsonSerializable(typeof(ModerateCommentRequest))]
[JsonSerializable(typeof(EraseCommentsRequest))]
[JsonSerializable(typeof(PageInfo))]
[JsonSerializable(typeof(PageLinks))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
