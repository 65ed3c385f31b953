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

/// <summary>
/// The smallest and largest value an integer parameter or property takes, shown as OpenAPI
/// <c>minimum</c>/<c>maximum</c>. Only documentation: the validators enforce it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class DocumentedRangeAttribute(long minimum, long maximum) : Attribute
{
    public long Minimum { get; } = minimum;
    public long Maximum { get; } = maximum;
}

/// <summary>
/// The form a string takes, shown as OpenAPI <c>pattern</c> and <c>maxLength</c>. Only
/// documentation: the validators enforce it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal class DocumentedPatternAttribute(string pattern, int maxLength) : Attribute
{
    public string Pattern { get; } = pattern;
    public int MaxLength { get; } = maxLength;
}

/// <summary>The most items a list property takes, shown as OpenAPI <c>maxItems</c>. Only documentation: the validators enforce it.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class DocumentedMaxItemsAttribute(int maxItems) : Attribute
{
    public int MaxItems { get; } = maxItems;
}

/// <summary>A slug: the public key of a resource (see <see cref="Reads.Slugs"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class DocumentedSlugAttribute() : DocumentedPatternAttribute(Reads.Slugs.PatternText, Reads.Slugs.MaxLength);

/// <summary>Copies the Documented* attributes into parameter and property schemas.</summary>
internal sealed class DocumentedValuesFilter : IParameterFilter, ISchemaFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        MemberInfo? member = context.PropertyInfo;
        if (parameter.Schema is OpenApiSchema schema)
        {
            Document(schema, attribute => member is not null ? MemberAttribute(member, attribute) : context.ParameterInfo?.GetCustomAttribute(attribute));
        }
    }

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo is { } member && schema is OpenApiSchema concrete)
        {
            Document(concrete, attribute => MemberAttribute(member, attribute));
        }
    }

    private static void Document(OpenApiSchema schema, Func<Type, Attribute?> find)
    {
        if (find(typeof(DocumentedMaxItemsAttribute)) is DocumentedMaxItemsAttribute list)
        {
            schema.MaxItems = list.MaxItems;
        }

        // On a list, the other attributes speak of its items.
        if (schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is OpenApiSchema items)
        {
            schema = items;
        }

        // Dates and timestamps are short whatever else is said of them.
        schema.MaxLength ??= schema.Format switch
        {
            "date" => 10,
            "date-time" => 35,
            _ => null,
        };

        if (find(typeof(DocumentedValuesAttribute)) is DocumentedValuesAttribute values)
        {
            SetEnum(schema, values);
        }

        if (find(typeof(DocumentedMaxLengthAttribute)) is DocumentedMaxLengthAttribute length)
        {
            schema.MaxLength = length.MaxLength;
        }

        if (find(typeof(DocumentedPatternAttribute)) is DocumentedPatternAttribute pattern)
        {
            schema.Pattern = pattern.Pattern;
            schema.MaxLength = pattern.MaxLength;
        }

        if (find(typeof(DocumentedRangeAttribute)) is DocumentedRangeAttribute range)
        {
            schema.Minimum = range.Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
            schema.Maximum = range.Maximum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    // Positional records carry the attribute on the constructor parameter.
    private static Attribute? MemberAttribute(MemberInfo member, Type attribute) =>
        member.GetCustomAttribute(attribute)
        ?? member.DeclaringType?.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .FirstOrDefault(p => string.Equals(p.Name, member.Name, StringComparison.OrdinalIgnoreCase))
            ?.GetCustomAttribute(attribute);

    private static void SetEnum(OpenApiSchema schema, DocumentedValuesAttribute attribute) =>
        schema.Enum = attribute.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
}
