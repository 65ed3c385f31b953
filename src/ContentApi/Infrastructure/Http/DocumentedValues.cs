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

/// <summary>
/// The most characters a string property takes, shown as OpenAPI <c>maxLength</c>. Only
/// documentation: the validators enforce it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class DocumentedMaxLengthAttribute(int maxLength) : Attribute
{
    public int MaxLength { get; } = maxLength;
}

/// <summary>Copies <see cref="DocumentedValuesAttribute"/> and <see cref="DocumentedMaxLengthAttribute"/> into schemas.</summary>
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

        if (MemberAttribute<DocumentedValuesAttribute>(context.MemberInfo) is { } values)
        {
            SetEnum(concrete, values);
        }

        if (MemberAttribute<DocumentedMaxLengthAttribute>(context.MemberInfo) is { } length)
        {
            concrete.MaxLength = length.MaxLength;
        }
    }

    // Positional records carry the attribute on the constructor parameter.
    private static T? MemberAttribute<T>(MemberInfo member) where T : Attribute =>
        member.GetCustomAttribute<T>()
        ?? member.DeclaringType?.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .FirstOrDefault(p => string.Equals(p.Name, member.Name, StringComparison.OrdinalIgnoreCase))
            ?.GetCustomAttribute<T>();

    private static void SetEnum(OpenApiSchema schema, DocumentedValuesAttribute attribute) =>
        schema.Enum = attribute.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
}
