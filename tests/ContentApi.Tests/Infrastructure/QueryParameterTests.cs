using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Infrastructure;

public sealed class QueryParameterTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/articles?pagesize=5&limit=5", "limit")]
    [InlineData("/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum?include=comments", "include")]
    [InlineData("/v1/people?sort=name", "sort")]
    [InlineData("/v1/tags/terrorism/articles?status=draft", "status")]
    [InlineData("/v1/search?q=moscow&type=articles", "type")]
    [InlineData("/v1/comments/1?view=tree", "view")]
    [InlineData("/health/live?verbose=1", "verbose")]
    public async Task A_query_parameter_the_operation_does_not_take_is_a_400_naming_it(string url, string unknown)
    {
        var response = await client.GetAsync(url, Ct);

        var problem = await response.AssertValidationProblemAsync(unknown);
        Assert.Contains(unknown, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_problem_for_an_unknown_parameter_lists_the_ones_the_operation_takes()
    {
        var response = await client.GetAsync("/v1/events?start=2025-01-01", Ct);

        var problem = await response.AssertValidationProblemAsync("start");
        var message = problem.GetProperty("errors").GetProperty("start")[0].GetString()!;
        Assert.All(["page", "pageSize", "cursor", "from", "to"], name => Assert.Contains(name, message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/v1/articles?PAGESIZE=5")]
    [InlineData("/v1/articles?tag=terrorism&sort=title&page=1")]
    [InlineData("/v1/events?from=2025-05-01&to=2025-05-31")]
    public async Task Known_query_parameters_are_accepted_in_any_case(string url)
    {
        var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Operations_without_parameters_reject_any_query()
    {
        var response = await client.GetAsync("/health/ready?x=1", Ct);

        await response.AssertValidationProblemAsync("x");
    }
}

/// <summary>
/// Validators are found by the exact type of a handler's argument: a query type without one is
/// not validated at all (the revision list's paging was, once: pageSize=0 divided by zero). Every
/// [AsParameters] argument of every endpoint has its validator.
/// </summary>
public sealed class ValidatorCoverageTests(ContentApiFixture app)
{
    [Fact]
    public void Every_query_parameter_type_of_every_endpoint_has_a_validator()
    {
        _ = app.CreateClient(); // builds the host
        var endpoints = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints;
        var queryTypes = endpoints
            .SelectMany(e => e.Metadata.OfType<System.Reflection.MethodInfo>().Take(1))
            .SelectMany(m => m.GetParameters())
            .Where(p => p.GetCustomAttributes(typeof(AsParametersAttribute), false).Length > 0)
            .Select(p => p.ParameterType)
            .Distinct()
            .ToList();

        var missing = queryTypes
            .Where(t => app.Services.GetService(typeof(FluentValidation.IValidator<>).MakeGenericType(t)) is null)
            .Select(t => t.Name)
            .ToList();

        Assert.True(queryTypes.Count >= 10, $"found only {queryTypes.Count} query types: the endpoint scan is broken");
        Assert.Contains(queryTypes, t => t.Name == "ListRevisionsQuery");
        Assert.Contains(queryTypes, t => t.Name == "ListEventsQuery");
        Assert.True(missing.Count == 0, "query types without a validator: " + string.Join(", ", missing));
    }
}
