using System.Security.Claims;
using System.Text.Encodings.Web;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Infrastructure.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;api key&gt;</c>. The key is looked up by its SHA-256 hash among
/// keys not revoked, through <c>api_key_identity</c> (the API's role cannot read the hashes),
/// which also records its last use (at most once a minute).
/// Keys are accepted in the Authorization header only, never in a query string or cookie.
/// Invalid keys count against the client's network (<see cref="InvalidApiKeyAttempts"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    NpgsqlDataSource db, IProblemDetailsService problems, InvalidApiKeyAttempts invalidKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    private const int MaxKeyLength = 100;
    private const string RefusedForSecondsItem = "ApiKey.RefusedForSeconds";

    // A class, not a positional record: Dapper reads text[] as System.Array for constructors.
    private sealed class KeyRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string[] Scopes { get; init; } = [];
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var network = ClientAddresses.ClientNetworkKey(Context);
        if (await invalidKeys.RefusedForSecondsAsync(network) is { } seconds)
        {
            Context.Items[RefusedForSecondsItem] = seconds;
            return AuthenticateResult.Fail("Too many invalid API keys from this network.");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await invalidKeys.CountAsync(network);
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > MaxKeyLength || !key.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal))
        {
            await invalidKeys.CountAsync(network);
            return AuthenticateResult.Fail("Invalid API key.");
        }

        await using var connection = await db.OpenConnectionAsync(Context.RequestAborted);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            "select id, name, scopes from api_key_identity(@hash)", new { hash = ApiKeys.Hash(key) }, cancellationToken: Context.RequestAborted));
        if (row is null)
        {
            await invalidKeys.CountAsync(network);
            return AuthenticateResult.Fail("Invalid or revoked API key.");
        }

        var claims = row.Scopes.Select(scope => new Claim(ScopeClaim, scope))
            .Append(new Claim(ClaimTypes.NameIdentifier, row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new Claim(ClaimTypes.Name, row.Name));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RefusedForSecondsItem] is int seconds)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too Many Requests",
                $"Too many invalid API keys from your address; retry in {seconds} s.");
            return;
        }

        var failed = Request.Headers.Authorization.Count > 0;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            failed ? "The API key is invalid or revoked." : "This operation needs an API key: Authorization: Bearer <key>.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "The API key lacks the scope this operation needs.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
}
