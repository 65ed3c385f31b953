using ContentApi.Articles;
using ContentApi.Health;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Http;

var (command, hostArgs) = AppCommands.Split(args);
var builder = WebApplication.CreateBuilder(hostArgs);

builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddContentDatabase(builder.Configuration);
builder.Services.AddHttpConventions();
builder.Services.AddApiDocumentation();

var app = builder.Build();

app.UseHttpConventions();
app.UseApiDocumentation();
app.MapHealthApi();
app.MapArticlesApi();

return await AppCommands.RunAsync(app, command);
