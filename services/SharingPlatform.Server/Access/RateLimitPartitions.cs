using System.Globalization;
using System.Threading.RateLimiting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.RateLimiting;
using OpenIddict.Abstractions;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Who a request is limited as, and how a limited request is answered: HTTP 429 with Retry-After, or for gRPC
/// RESOURCE_EXHAUSTED with ErrorInfo <c>RATE_LIMITED</c> and RetryInfo. Every limited request is counted in the audit
/// (<see cref="RefusalCounts"/>), never an event of its own. Partition keys stay in memory: nothing here is logged.
/// </summary>
public static class RateLimitPartitions
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Before authentication: by source address only.</summary>
    public static RateLimitPartition<string> BySource(HttpContext http, RateLimitOptions limits) =>
        RateLimitPartition.GetFixedWindowLimiter("source\n" + SourceAddresses.Of(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.AnonymousRequestsPerMinute, Window = Minute, QueueLimit = 0,
        });

    /// <summary>
    /// After authentication: a call with a valid token by its client and key (a token of a rotated-away key, refused
    /// anyway, does not spend the new key's budget); a token request that OpenIddict let through, which proves the
    /// client, by client; anything else by source address.
    /// </summary>
    public static RateLimitPartition<string> ByCaller(HttpContext http, RateLimitOptions limits)
    {
        if (AuthenticatedClient(http) is { } client)
        {
            return RateLimitPartition.GetTokenBucketLimiter($"client\n{client}\n{http.User.FindFirst(TokenClaims.ClientKey)?.Value}", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.CallBurst, TokensPerPeriod = limits.CallsPerClientPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                AutoReplenishment = true, QueueLimit = 0,
            });
        }

        if (VerifiedTokenClient(http) is { } requester)
        {
            return RateLimitPartition.GetFixedWindowLimiter("token\n" + requester, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.TokensPerClientPerMinute, Window = Minute, QueueLimit = 0,
            });
        }

        return BySource(http, limits);
    }

    public static async ValueTask RejectAsync(OnRejectedContext context, bool afterAuthentication)
    {
        var http = context.HttpContext;
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var grpc = http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        http.RequestServices.GetRequiredService<RefusalCounts>().Count(RefusalOf(http, grpc, afterAuthentication));

        if (grpc)
        {
            // A trailers-only gRPC response: grpc-dotnet clients see StatusCode.ResourceExhausted, not an HTTP error.
            var status = new Google.Rpc.Status
            {
                Code = (int)Code.ResourceExhausted,
                Message = $"Rate limit exceeded; retry in {seconds} s.",
                Details =
                {
                    Any.Pack(new ErrorInfo { Domain = RpcErrors.Domain, Reason = "RATE_LIMITED" }),
                    Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) }),
                },
            };
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/grpc";
            http.Response.Headers["grpc-status"] = ((int)Code.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["grpc-message"] = status.Message;
            http.Response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
            return;
        }

        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(
            "{\"error\":\"rate_limited\",\"error_description\":\"Too many requests; retry after the seconds in Retry-After.\"}",
            http.RequestAborted);
    }

    private static RefusalKey RefusalOf(HttpContext http, bool grpc, bool afterAuthentication)
    {
        var path = http.Request.Path.Value ?? "";
        var action = IsTokenRequest(http) ? "token.refuse" : grpc && RpcRules.ByMethod.ContainsKey(path) ? path.TrimStart('/') : "http.refuse";
        var outcome = grpc ? "RESOURCE_EXHAUSTED" : "rate_limited";
        if (afterAuthentication && AuthenticatedClient(http) is { } client)
        {
            return new RefusalKey(client, http.User.FindFirst(TokenClaims.Tenant)?.Value ?? "-", "", action, outcome);
        }

        if (afterAuthentication && VerifiedTokenClient(http) is { } requester)
        {
            return new RefusalKey(requester, null, "", action, outcome);
        }

        var source = http.RequestServices.GetRequiredService<SourceAddresses>().Pseudonym(http.Connection.RemoteIpAddress);
        return new RefusalKey("-", "-", source, action, outcome);
    }

    private static string? AuthenticatedClient(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(OpenIddictConstants.Claims.Subject)?.Value is { Length: > 0 } client
            ? client
            : null;

    /// <summary>
    /// A token request reaches the middleware after authentication only once OpenIddict has verified the client's
    /// assertion (it answers refused ones itself), so its client id is proven here, as the token endpoint relies on.
    /// </summary>
    private static string? VerifiedTokenClient(HttpContext http) =>
        IsTokenRequest(http) && http.GetOpenIddictServerRequest()?.ClientId is { Length: > 0 } client ? client : null;

    private static bool IsTokenRequest(HttpContext http) => http.Request.Path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase);
}
