using System.Text.Json;

namespace ContentApi.Tests;

/// <summary>The nodes of a plan that PostgreSQL gave as <c>explain (format json)</c>.</summary>
public static class QueryPlans
{
    /// <summary><paramref name="node"/> and every node below it, parents first.</summary>
    public static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children)
            ? children.EnumerateArray().SelectMany(Nodes).Prepend(node)
            : [node];
}
