using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Infrastructure;

public sealed class ServerTransportTests(ContentApiFixture app)
{
    [Fact]
    public void Requests_run_on_the_thread_that_read_them_unless_configured_off()
    {
        var byDefault = app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        using var configuredOff = app.WithWebHostBuilder(builder => builder.UseSetting("Http:InlineScheduling", "false"));
        var off = configuredOff.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.True(byDefault.UnsafePreferInlineScheduling);
        Assert.False(off.UnsafePreferInlineScheduling);
    }
}
