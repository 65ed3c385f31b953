using ContentApi.Articles;
using ContentApi.Events;
using ContentApi.Health;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Http;
using ContentApi.Organisations;
using ContentApi.People;
using ContentApi.Places;
using ContentApi.Search;
using ContentApi.Tags;

var (command, hostArgs) = AppCommands.Split(args);
var builder = WebApplication.CreateBuilder(hostArgs);

builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddContentDatabase(builder.Configuration);
builder.Services.AddHttpConventions(builder.Configuration, builder.Environment);
builder.Services.AddApiDocumentation();

var app = builder.Build();

app.UseHttpConventions();
app.UseApiDocumentation();
app.MapHealthApi();
app.MapArticlesApi();
app.MapPeopleApi();
app.MapOrganisationsApi();
app.MapEventsApi();
app.MapPlacesApi();
app.MapTagsApi();
app.MapSearchApi();

return await AppCommands.RunAsync(app, command);
