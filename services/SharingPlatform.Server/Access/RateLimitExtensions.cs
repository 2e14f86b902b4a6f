using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Access;

/// <summary>
/// ASP.NET Core's rate limiter in two places. OpenIddict answers a refused token request inside the authentication
/// middleware, so token requests are limited by source address before it; gRPC calls are limited after it, by the
/// client their token names (or by source address without a valid token), and verified token requests by client.
/// </summary>
public static class RateLimitExtensions
{
    private const string BeforeAuthentication = "before-authentication";

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SourceAddresses>();
        builder.Services.AddSingleton<RefusalCounts>();
        builder.Services.AddHostedService<RefusalFlush>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>(BeforeAuthentication).Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartitions.BySource(http, limits.Value));
            limiter.OnRejected = (context, _) => RateLimitPartitions.RejectAsync(context, afterAuthentication: false);
        });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartitions.ByCaller(http, limits.Value));
            limiter.OnRejected = (context, _) => RateLimitPartitions.RejectAsync(context, afterAuthentication: true);
        });
        return builder;
    }

    /// <summary>Before authentication: token requests by source address, before OpenIddict checks (and audits) them.</summary>
    public static WebApplication UseTokenRequestLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptionsMonitor<RateLimiterOptions>>().Get(BeforeAuthentication);
        app.UseWhen(http => http.Request.Path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase), branch => branch.UseRateLimiter(options));
        return app;
    }

    /// <summary>After authentication: calls by client, or by source address without a valid token.</summary>
    public static WebApplication UseCallLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}
