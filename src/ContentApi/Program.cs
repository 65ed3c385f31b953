using ContentApi.Articles;
using ContentApi.Authors;
using ContentApi.Changes;
using ContentApi.Comments;
using ContentApi.Events;
using ContentApi.Feeds;
using ContentApi.Health;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Infrastructure;
using ContentApi.Organisations;
using ContentApi.People;
using ContentApi.Places;
using ContentApi.Reads;
using ContentApi.Search;
using ContentApi.Tags;
using ContentApi.Webhooks;

var (command, hostArgs) = AppCommands.Split(args);
var builder = WebApplication.CreateBuilder(hostArgs);
AppCommands.ConfigureHost(builder, command);

builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddContentDatabase(builder.Configuration);
builder.Services.AddHttpConventions(builder.Configuration, builder.Environment);
builder.Services.AddPublicReads();
builder.Services.AddHealthApi();
builder.Services.AddApiDocumentation();
builder.Services.AddApiKeySecurity();
builder.Services.AddArticles();
builder.Services.AddComments();
builder.Services.AddChanges();
builder.Services.AddWebhooks();

var app = builder.Build();

app.UseHeadRequests();
app.UseHttpConventions();
app.UseApiKeySecurity();
app.UseRateLimiter();
app.UseApiDocumentation();
var api = app.MapApiRoutes();
api.MapHealthApi();
api.MapArticlesApi();
api.MapPeopleApi();
api.MapOrganisationsApi();
api.MapEventsApi();
api.MapPlacesApi();
api.MapTagsApi();
api.MapAuthorsApi();
api.MapSearchApi();
api.MapCommentsApi();
api.MapFeedsApi();
api.MapChangesApi();
api.MapWebhooksApi();

return await AppCommands.RunAsync(app, command);
