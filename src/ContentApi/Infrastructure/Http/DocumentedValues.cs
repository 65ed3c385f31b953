using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// The values a string parameter or property takes, shown as an OpenAPI <c>enum</c>. Only
/// documentation: the validators (or CHECK constraints) enforce them.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class DocumentedValuesAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>Copies <see cref="DocumentedValuesAttribute"/> into parameter and property schemas.</summary>
internal sealed class DocumentedValuesFilter : IParameterFilter, ISchemaFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        var attribute = context.PropertyInfo?.GetCustomAttribute<DocumentedValuesAttribute>()
                        ?? context.ParameterInfo?.GetCustomAttribute<DocumentedValuesAttribute>();
        if (attribute is not null && parameter.Schema is OpenApiSchema schema)
        {
            SetEnum(schema, attribute);
        }
    }

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo is null || schema is not OpenApiSchema concrete)
        {
            return;
        }

        // Positional records carry the attribute on the constructor parameter.
        var attribute = context.MemberInfo.GetCustomAttribute<DocumentedValuesAttribute>()
                        ?? context.MemberInfo.DeclaringType?.GetConstructors()
                            .SelectMany(c => c.GetParameters())
                            .FirstOrDefault(p => string.Equals(p.Name, context.MemberInfo.Name, StringComparison.OrdinalIgnoreCase))
                            ?.GetCustomAttribute<DocumentedValuesAttribute>();
        if (attribute is not null)
        {
            SetEnum(concrete, attribute);
        }
    }

    private static void SetEnum(OpenApiSchema schema, DocumentedValuesAttribute attribute) =>
        schema.Enum = attribute.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
}
