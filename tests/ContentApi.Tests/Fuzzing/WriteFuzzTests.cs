using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Infrastructure.Security;

namespace ContentApi.Tests.Fuzzing;

/// <summary>
/// The write side fuzzed from the served OpenAPI document: 2,000 seeded requests over every
/// POST, PUT, PATCH and DELETE, each body the operation's own example, kept valid (40%) or
/// mutated (60%): a member dropped, retyped, nulled, oversized, given NUL, control characters
/// or a lone surrogate, an unknown member, a duplicated key, broken or empty JSON, deep nesting;
/// and the headers: Content-Type (text/plain, form, UTF-16, merge-patch where JSON is wanted),
/// Accept, If-Match, with or without an all-scopes key. Only resources the fuzzer made itself
/// are addressed. Must hold: no 5xx; no status the document does not declare; every 2xx body
/// valid against the declared schema; nothing stored with a control character; no answer to a
/// request without a key that shows a comment's email.
/// <c>FUZZ_SEED=n</c> replays a run, <c>FUZZ_SEED=random</c> explores a new one.
/// </summary>
public sealed class WriteFuzzTests(ContentApiFixture app)
{
    private const int Requests = 2_000;
    private const int DefaultSeed = 20261201;
    private const string CanaryEmail = "fuzz-canary@example.org";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Operation(string Method, string Path, string? MediaType, JsonElement? Example, JsonElement Responses);

    private static readonly string[] StringMutations =
        ["", " ", "\u0000", "a\u0001b", "\ud800", "\u202Eevil", "😀", "<script>alert(1)</script>", "'; drop table articles; --", "%00", "../../etc/passwd"];

    [Fact]
    public async Task Two_thousand_write_requests_from_the_document_get_declared_statuses_valid_bodies_and_store_nothing_invalid()
    {
        var seed = FuzzSeed.Choose(DefaultSeed, "write fuzz");
        var random = new Random(seed);
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct));
        var operations = Operations(document.RootElement);
        var key = await app.CreateApiKeyAsync(Scopes.All.ToArray());
        var own = await OwnResourcesAsync(client, key);

        var failures = new List<string>();
        var answered = new Dictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            var operation = operations[random.Next(operations.Count)];
            var mutate = random.NextDouble() < 0.6;
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), Path(operation, random, own));
            var withKey = random.Next(10) != 0;
            if (withKey)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            if (operation.Example is { } example)
            {
                request.Content = Body(example, operation.MediaType!, operation.Method == "POST", mutate, random, i, own.References);
            }

            // Mostly the If-Match that lets a body through to its checks; sometimes none, a stale one, junk.
            if (operation.Method != "POST" || random.Next(10) == 0)
            {
                var ifMatch = random.Next(10) switch { < 7 => "*", 7 => "\"1\"", 8 => "garbage", _ => null };
                if (ifMatch is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                }
            }

            if (random.Next(4) == 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", random.Next(3) switch { 0 => "text/html", 1 => "application/xml", _ => "*/*" });
            }

            using var response = await client.SendAsync(request, Ct);
            var status = (int)response.StatusCode;
            answered[status] = answered.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync(Ct);
            var declared = operation.Responses.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out var declaredResponse);
            var where = $"{operation.Method} {request.RequestUri} (seed {seed}, request {i})";
            if (status >= 500 || !declared)
            {
                failures.Add($"{status} {where}: {body[..Math.Min(body.Length, 300)]}");
            }
            else if (status is >= 200 and < 300 && body.Length > 0 && SchemaOf(declaredResponse) is { } schema
                     && SchemaCheck.Problem(document.RootElement, schema, JsonNode.Parse(body), "$") is { } problem)
            {
                failures.Add($"{status} {where}: body does not follow its schema: {problem}");
            }
            else if (!withKey && body.Contains(CanaryEmail, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{status} {where}: an answer without a key shows a comment's email");
            }
        }

        var stored = await app.Database.ScalarAsync<long>("""
            select (select count(*) from comments where author_name ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]' or body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]')
                 + (select count(*) from articles where title ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]' or summary ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]')
                 + (select count(*) from people where name ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]')
                 + (select count(*) from tags where name ~ '[\x01-\x08\x0b\x0c\x0e-\x1f]')
            """);
        // The subscriptions it made point nowhere: they stop here.
        await app.Database.ExecuteAsync("update webhook_subscriptions set enabled = false where url like '%example.org%'");

        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} write requests failed (seed {seed}):\n{string.Join('\n', failures.Take(20))}");
        Assert.Equal(0, stored);
        // It reached both sides: some writes succeed, most mutations are refused.
        Assert.InRange(answered.Where(a => a.Key is >= 200 and < 300).Sum(a => a.Value), Requests / 50, Requests);
        Assert.InRange(answered.Where(a => a.Key is 400 or 413 or 415).Sum(a => a.Value), Requests / 5, Requests);
    }

    private static List<Operation> Operations(JsonElement document)
    {
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "post" or "put" or "patch" or "delete"))
            {
                JsonElement? example = null;
                string? mediaType = null;
                if (method.Value.TryGetProperty("requestBody", out var requestBody))
                {
                    var content = requestBody.GetProperty("content").EnumerateObject().First();
                    mediaType = content.Name;
                    var schema = Resolve(document, content.Value.GetProperty("schema"));
                    example = schema.TryGetProperty("examples", out var examples) ? examples[0].Clone() : null;
                    Assert.True(example is not null, $"{method.Name} {path.Name}: the request body has no example");
                }

                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, mediaType, example, method.Value.GetProperty("responses").Clone()));
            }
        }

        Assert.True(operations.Count >= 30, $"only {operations.Count} write operations in the document");
        return operations;
    }

    public static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
        }

        return schema;
    }

    private static JsonElement? SchemaOf(JsonElement response) =>
        response.TryGetProperty("content", out var content) && content.EnumerateObject().FirstOrDefault(c => c.Name.Contains("json", StringComparison.Ordinal)) is { Value.ValueKind: JsonValueKind.Object } json
            && json.Value.TryGetProperty("schema", out var schema)
            ? schema
            : null;

    /// <summary>Resources made for the fuzzer: the only ones its writes may address (other tests read theirs, and the seed).</summary>
    private sealed record OwnResources(
        Dictionary<string, List<string>> Slugs, List<long> CommentIds, List<long> WebhookIds, Dictionary<string, string> References);

    private async Task<OwnResources> OwnResourcesAsync(HttpClient client, string key)
    {
        var slugs = new Dictionary<string, List<string>>();
        foreach (var table in new[] { "articles", "people", "organisations", "events", "places", "tags", "authors" })
        {
            slugs[table] = [];
            for (var n = 0; n < 12; n++)
            {
                var slug = TestDatabase.UniqueSlug("fuzz");
                if (table == "articles")
                {
                    await app.Database.InsertArticleAsync(slug);
                }
                else if (table == "events")
                {
                    await app.Database.InsertEventAsync(slug, "Fuzzed event", new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 2));
                }
                else
                {
                    await app.Database.InsertEntityAsync(table, slug, "Fuzzed");
                }

                slugs[table].Add(slug);
            }
        }

        var comments = new List<long>();
        foreach (var slug in slugs["articles"])
        {
            comments.Add(await app.Database.ScalarAsync<long>(
                "insert into comments (article_id, author_name, author_email, body, body_hash, status) select id, 'Fuzz', @email, 'Fuzzed.', '\\x00', 'approved' from articles where slug = @slug returning id",
                new { slug, email = CanaryEmail }));
        }

        using var hook = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks")
        {
            Content = new StringContent("""{"url":"https://hooks.example.org/fuzz","events":["tag.updated"]}""", Encoding.UTF8, "application/json"),
        };
        hook.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var created = await client.SendAsync(hook, Ct);
        var webhookId = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("subscription").GetProperty("id").GetInt64();
        return new OwnResources(slugs, comments, [webhookId], await ReferencesAsync(slugs));
    }

    // The examples link to the seed's people, tags, places…: every slug of another row they name
    // is swapped for one of the fuzzer's own of the same kind, so that other tests' counts hold.
    private async Task<Dictionary<string, string>> ReferencesAsync(Dictionary<string, List<string>> own)
    {
        var references = new Dictionary<string, string>();
        foreach (var (table, slugs) in own.Where(o => o.Key != "articles"))
        {
            foreach (var other in await app.Database.QueryAsync<string>($"select slug from {table} where not (slug = any (@slugs))", new { slugs = slugs.ToArray() }))
            {
                references.TryAdd(other, slugs[0]);
            }
        }

        return references;
    }

    private static string Path(Operation operation, Random random, OwnResources own)
    {
        var table = operation.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
        var path = operation.Path;
        if (path.Contains("{slug}", StringComparison.Ordinal))
        {
            // Deletes take the last few of each kind, so that the others stay for the other writes.
            var all = own.Slugs.GetValueOrDefault(table) ?? own.Slugs["articles"];
            var choices = operation.Method == "DELETE" ? all[^4..] : all[..^4];
            path = path.Replace("{slug}", random.Next(8) == 0 ? "fuzz-missing" : choices[random.Next(choices.Count)], StringComparison.Ordinal);
        }

        if (path.Contains("{id}", StringComparison.Ordinal))
        {
            var ids = table == "webhooks" ? own.WebhookIds : own.CommentIds;
            path = path.Replace("{id}", random.Next(8) == 0 ? "999999999" : ids[random.Next(ids.Count)].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return path.Replace("{number}", random.Next(1, 4).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                   .Replace("{deliveryId}", random.Next(1, 5).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static HttpContent Body(JsonElement example, string mediaType, bool creates, bool mutate, Random random, int index, Dictionary<string, string> references)
    {
        var body = Relink(JsonNode.Parse(example.GetRawText())!, references)!;
        Personalise(body, creates, index);
        var text = body.ToJsonString();
        var contentType = mediaType;
        if (mutate)
        {
            switch (random.Next(10))
            {
                case 0:
                    text = Raw(text, random);
                    break;
                case 1:
                    contentType = random.Next(4) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", 2 => "application/xml", _ => mediaType == "application/json" ? "application/merge-patch+json" : "application/json" };
                    break;
                case 2:
                    return new StringContent(text, Encoding.Unicode, mediaType); // UTF-16
                default:
                    Mutate(body, random);
                    text = body.ToJsonString();
                    break;
            }
        }

        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static JsonNode? Relink(JsonNode? node, Dictionary<string, string> references)
    {
        switch (node)
        {
            case JsonObject members:
                foreach (var (name, value) in members.ToList())
                {
                    members[name] = Relink(value?.DeepClone(), references);
                }

                return members;
            case JsonArray items:
                return new JsonArray(items.Select(item => Relink(item?.DeepClone(), references)).ToArray());
            case JsonValue value when value.TryGetValue<string>(out var text) && references.TryGetValue(text, out var own):
                return JsonValue.Create(own);
            default:
                return node;
        }
    }

    // Unique slugs for what it creates (and none for what it replaces, which keeps its own), and
    // its own emails: valid writes can succeed and nothing aims at another test's data.
    private static void Personalise(JsonNode body, bool creates, int index)
    {
        if (body is not JsonObject members)
        {
            return;
        }

        foreach (var (name, value) in members.ToList())
        {
            if (name == "slug" && creates)
            {
                members[name] = $"fuzzed-{index}";
            }
            else if (name == "slug")
            {
                members.Remove(name);
            }
            else if (name is "authorEmail")
            {
                members[name] = index % 2 == 0 ? CanaryEmail : $"fuzz-{index}@example.org";
            }
            else if (name is "url" && value is JsonValue text && text.TryGetValue<string>(out var url) && url.Contains("hooks.", StringComparison.Ordinal))
            {
                members[name] = "https://hooks.example.org/fuzz";
            }
        }
    }

    private static string Raw(string json, Random random) => random.Next(5) switch
    {
        0 => json[..(json.Length / 2)],                                         // truncated
        1 => "",                                                                // empty
        2 => DuplicateFirstMember(json),
        3 => new string('[', 300) + new string(']', 300),                      // deep nesting
        _ => "not json at all",
    };

    // {"a":1,"b":2} → {"a":1,"a":1,"b":2}
    private static string DuplicateFirstMember(string json)
    {
        var comma = json.IndexOf(',', StringComparison.Ordinal);
        return comma > 1 ? json.Insert(1, json[1..(comma + 1)]) : json;
    }

    private static void Mutate(JsonNode body, Random random)
    {
        if (body is not JsonObject members || members.Count == 0)
        {
            return;
        }

        var names = members.Select(m => m.Key).ToList();
        var name = names[random.Next(names.Count)];
        switch (random.Next(7))
        {
            case 0:
                members.Remove(name);
                break;
            case 1:
                members[name] = null;
                break;
            case 2:
                members[name] = members[name] is JsonValue value && value.TryGetValue<string>(out _) ? JsonValue.Create(12345) : JsonValue.Create("text");
                break;
            case 3:
                members[name] = new string('x', random.Next(2) == 0 ? 70_000 : 2_001);
                break;
            case 4:
                members[name] = StringMutations[random.Next(StringMutations.Length)];
                break;
            case 5:
                members["unexpected" + random.Next(100)] = true;
                break;
            default:
                members[name] = new JsonArray(JsonValue.Create(-1), JsonValue.Create(long.MaxValue), new JsonObject());
                break;
        }
    }
}

/// <summary>Checks JSON against the document's schemas: $ref, allOf, oneOf/anyOf, type (or types), enum, required, unknown members, items.</summary>
internal static class SchemaCheck
{
    public static string? Problem(JsonElement document, JsonElement schema, JsonNode? value, string at)
    {
        schema = WriteFuzzTests.Resolve(document, schema);
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                if (Problem(document, part, value, at) is { } problem)
                {
                    return problem;
                }
            }
        }

        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var choices) && choices.EnumerateArray().All(c => Problem(document, c, value, at) is not null))
            {
                return $"{at}: matches none of {keyword}";
            }
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            var actual = value switch
            {
                null => "null",
                JsonObject => "object",
                JsonArray => "array",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString().Contains('.', StringComparison.Ordinal) ? "number" : "integer",
                _ => "unknown",
            };
            if (!types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
            {
                return $"{at}: a {actual} where the schema says {string.Join('|', types)}";
            }
        }

        if (schema.TryGetProperty("enum", out var values) && value is JsonValue scalar
            && !values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && v.GetString() == scalar.ToString()))
        {
            return $"{at}: {scalar} is not one of its values";
        }

        if (value is JsonObject members && schema.TryGetProperty("properties", out var properties))
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(n => !members.ContainsKey(n)))
                {
                    return $"{at}: lacks the required member {name}";
                }
            }

            foreach (var (name, member) in members)
            {
                if (!properties.TryGetProperty(name, out var memberSchema))
                {
                    return $"{at}: has {name}, a member its schema does not have";
                }

                if (Problem(document, memberSchema, member, $"{at}.{name}") is { } problem)
                {
                    return problem;
                }
            }
        }

        if (value is JsonArray items && schema.TryGetProperty("items", out var itemSchema))
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (Problem(document, itemSchema, items[i], $"{at}[{i}]") is { } problem)
                {
                    return problem;
                }
            }
        }

        return null;
    }
}
