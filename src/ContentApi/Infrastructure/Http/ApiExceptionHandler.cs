using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// The one place where exceptions become problem documents. Anything a client can cause is a
/// 4xx with a useful detail; database unavailability is a 503 with Retry-After; everything else
/// is a 500 that carries only the trace id (no message, no stack, no SQL).
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true; // the client went away; nobody is listening for an answer
        }

        var problem = Classify(exception);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            // An outage fails every request the same way: one line each, not a stack trace each.
            logger.LogWarning("Request answered 503: {Reason}", exception.GetBaseException().Message);
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else if (exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            // Writes check uniqueness before they insert: a violation is a race worth knowing of.
            logger.LogWarning("Request answered 409: {Constraint} on {Table} was violated", unique.ConstraintName, unique.TableName);
        }
        else if (problem.Status >= 500)
        {
            logger.LogError(exception, "Request failed with {Status}", problem.Status);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => BadJson(json),
        BadHttpRequestException bad when ParameterBindingFailure.Match(bad.Message) is { Success: true } failure => BadParameter(failure),
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = TitleFor(bad.StatusCode), Detail = bad.Message },
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Conflict",
            Detail = "The resource conflicts with one that already exists.",
        },
        PostgresException { SqlState: PostgresErrorCodes.StringDataRightTruncation or PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.InvalidTextRepresentation or PostgresErrorCodes.UntranslatableCharacter or PostgresErrorCodes.CheckViolation } => new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Bad Request",
            Detail = "A value in the request cannot be stored.",
        },
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable } => Unavailable(),
        NpgsqlException { IsTransient: true } or NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } => Unavailable(),
        OperationCanceledException => Unavailable(), // a request timeout cancelled the query
        _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "Internal Server Error", Detail = "An unexpected error occurred." },
    };

    // Minimal APIs report a query/route value that does not convert to the parameter's type as
    // 'Failed to bind parameter "Nullable<int> PageSize" from "abc".' (or "Required parameter …
    // was not provided"): turned into a validation problem that names the parameter as the
    // client wrote it, without .NET type names.
    [GeneratedRegex("""^(?:Failed to bind parameter|Required parameter) "(?<type>[^"]+) (?<name>\w+)"(?<missing> was not provided)?""", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterBindingFailurePattern();

    private static readonly Regex ParameterBindingFailure = ParameterBindingFailurePattern();

    private static HttpValidationProblemDetails BadParameter(Match failure)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(failure.Groups["name"].Value);
        var type = failure.Groups["type"].Value;
        var expected = type switch
        {
            _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase) => "a whole number within range",
            _ when type.Contains("DateOnly", StringComparison.Ordinal) => "a date (yyyy-MM-dd)",
            _ when type.Contains("DateTime", StringComparison.Ordinal) => "a timestamp (ISO 8601)",
            _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "true or false",
            _ => "a valid value",
        };
        var message = failure.Groups["missing"].Success ? $"'{name}' is required." : $"'{name}' must be {expected}.";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Detail = message,
        };
    }

    private static ProblemDetails BadJson(JsonException json) => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Bad Request",
        Detail = json.Path is { Length: > 1 } path
            ? $"The request body is not acceptable JSON at '{path}': unknown field, wrong type or malformed value."
            : "The request body is not well-formed JSON.",
    };

    private static ProblemDetails Unavailable() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Service Unavailable",
        Detail = "The content database is unavailable or busy; retry shortly.",
    };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Payload Too Large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported Media Type",
        _ => "Bad Request",
    };
}
