using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using FluentValidation;

namespace ContentApi.Infrastructure.Http;

internal static class ValidationFilter
{
    /// <summary>
    /// Runs the FluentValidation validator of every handler argument that has one and answers
    /// 400 with a validation problem (field → messages) before the handler runs. Applied once
    /// per group; it also documents the 400 in OpenAPI.
    /// </summary>
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var validated = ValidatedParameters(context.MethodInfo, context.ApplicationServices);
            if (validated.Length == 0)
            {
                return next;
            }

            return invocation =>
            {
                foreach (var (index, validator) in validated)
                {
                    if (invocation.Arguments[index] is not { } argument)
                    {
                        continue;
                    }

                    // The rules are synchronous (none asks anything of the database): the async
                    // path's state machines cost ~5% of a list request's CPU for nothing. An async
                    // rule added later makes Validate throw, in every test of its endpoint.
                    var result = validator.Validate(new ValidationContext<object>(argument));
                    if (!result.IsValid)
                    {
                        return ValueTask.FromResult<object?>(TypedResults.ValidationProblem(result.ToDictionary(), instance: invocation.HttpContext.Request.Path));
                    }
                }

                return next(invocation);
            };
        });
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } method
                && ValidatedParameters(method, endpoint.ApplicationServices).Length > 0)
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
            }
        });
        return builder;
    }

    private static (int Index, IValidator Validator)[] ValidatedParameters(MethodInfo method, IServiceProvider services) =>
        method.GetParameters()
            .Select((parameter, index) => (Index: index, Validator: services.GetService(typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
            .Where(p => p.Validator is not null)
            .Select(p => (p.Index, p.Validator!))
            .ToArray();

    /// <summary>Field names in messages and error maps are the JSON/query names (camelCase).</summary>
    public static void UseCamelCaseNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => CamelCaseName(member);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => CamelCaseName(member);
    }

    // FluentValidation asks for each rule's name on every validation, valid or not: each member's
    // name is converted once (a new string per rule and request was ~2% of a list request's allocations).
    private static readonly ConcurrentDictionary<MemberInfo, string> CamelCaseNames = new();

    private static string? CamelCaseName(MemberInfo? member) =>
        member is null ? null : CamelCaseNames.GetOrAdd(member, static m => JsonNamingPolicy.CamelCase.ConvertName(m.Name));
}
