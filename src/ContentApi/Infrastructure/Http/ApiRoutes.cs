using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Infrastructure.Http;

/// <summary>The group every resource maps its routes into, with the conventions they all follow.</summary>
internal static class ApiRoutes
{
    /// <summary>
    /// GET routes also answer HEAD (RFC 9110 §9.3.2: the GET's status and headers, no body);
    /// each route knows its query parameters (<see cref="UseKnownQueryParameters"/>); validators run before handlers.
    /// </summary>
    public static RouteGroupBuilder MapApiRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("");
        ((IEndpointConventionBuilder)api).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { HttpMethods: ["GET"] } get)
            {
                endpoint.Metadata.Add(new HttpMethodMetadata(["GET", "HEAD"], get.AcceptCorsPreflight));
            }

            if (endpoint is RouteEndpointBuilder { RoutePattern: var pattern } && endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } handler)
            {
                endpoint.Metadata.Add(QueryParameters.Of(handler, pattern.Parameters.Select(p => p.Name)));
            }
        });
        api.WithValidation();
        return api;
    }

    /// <summary>
    /// A query parameter the route does not take is a 400 naming it. A middleware, not an endpoint
    /// filter: one plain filter puts every call of every endpoint through the framework's filter
    /// pipeline (an invocation context, its arguments boxed, two more state machines).
    /// </summary>
    public static WebApplication UseKnownQueryParameters(this WebApplication app)
    {
        app.Use((context, next) =>
            context.GetEndpoint()?.Metadata.GetMetadata<QueryParameters>() is { } known
            && known.Unknown(context.Request) is { } unknown
                ? TypedResults.ValidationProblem(
                    unknown.ToDictionary(name => name, name => new[] { $"'{name}' is not a parameter of this operation. {known.Description}" }),
                    detail: $"Unknown query parameter(s): {string.Join(", ", unknown)}.",
                    instance: context.Request.Path).ExecuteAsync(context)
                : next(context));
        return app;
    }

    /// <summary>Suppresses the body of HEAD responses whatever the server does with it (the headers stay those of the GET).</summary>
    public static WebApplication UseHeadRequests(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.Body = Stream.Null;
            }

            return next(context);
        });
        return app;
    }
}

/// <summary>The query parameters a route takes: those of its <c>[AsParameters]</c> objects and its own non-route parameters.</summary>
internal sealed class QueryParameters(IReadOnlyList<string> names)
{
    public string Description => names.Count == 0 ? "It takes none." : $"It takes: {string.Join(", ", names)}.";

    public static QueryParameters Of(MethodInfo handler, IEnumerable<string> routeParameters)
    {
        var route = routeParameters.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                names.AddRange(parameter.ParameterType.GetProperties()
                    .Select(p => p.GetCustomAttribute<FromQueryAttribute>() is { } query ? query.Name ?? p.Name : null)
                    .OfType<string>());
            }
            else if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } query)
            {
                names.Add(query.Name ?? parameter.Name!);
            }
            else if (IsBoundFromQuery(parameter) && !route.Contains(parameter.Name!))
            {
                names.Add(parameter.Name!);
            }
        }

        return new QueryParameters(names);
    }

    private readonly HashSet<string> taken = new(names, StringComparer.OrdinalIgnoreCase);

    /// <summary>The query's parameters the route does not take; null when there are none (a request without a query reads nothing).</summary>
    public List<string>? Unknown(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return null;
        }

        List<string>? unknown = null;
        foreach (var key in request.Query.Keys)
        {
            if (!taken.Contains(key))
            {
                (unknown ??= []).Add(key);
            }
        }

        return unknown;
    }

    // Minimal APIs bind a simple-typed parameter without an attribute from the route or else the query.
    private static bool IsBoundFromQuery(ParameterInfo parameter)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return parameter.GetCustomAttributes().All(a => a is not IFromHeaderMetadata and not IFromBodyMetadata and not IFromServiceMetadata and not IFromRouteMetadata)
               && (type.IsPrimitive || type == typeof(string) || type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(Guid) || type.IsEnum);
    }
}
