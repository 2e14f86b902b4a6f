using System.Diagnostics;
using System.Text.RegularExpressions;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Observability;

/// <summary>
/// One line per gRPC call and per token request, under the category <see cref="Category"/>, written once the answer is
/// final (after rate limits, refusals of unreadable messages and the error interceptor): the method (a method of the
/// contract, else <c>unknown</c>), the status, the error reason, the duration, and the client and tenant the call was
/// authorized as (or what its valid token names; <c>-</c> without one). Every error answer is also counted in
/// <see cref="PlatformMetrics.Refused"/>. Nothing a caller sent is written: not a path outside the contract, not a
/// header, not a client id that no client has (<see cref="TokenLog"/>).
/// </summary>
public sealed partial class CallLog(RequestDelegate next, ILoggerFactory loggers, PlatformMetrics metrics)
{
    public const string Category = "SharingPlatform.Calls";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReasonShape();

    public async Task InvokeAsync(HttpContext http)
    {
        var token = http.Request.Path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase);
        var grpc = !token && http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        if (!token && !grpc)
        {
            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(http);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (token)
            {
                LogToken(http, failed, milliseconds);
            }
            else
            {
                LogCall(http, failed, milliseconds);
            }
        }
    }

    private void LogCall(HttpContext http, bool failed, double milliseconds)
    {
        var path = http.Request.Path.Value ?? "";
        var method = RpcRules.ByMethod.ContainsKey(path) ? path.TrimStart('/') : "unknown";
        var code = failed ? StatusCode.Internal : StatusOf(http);
        var status = AuditInterceptor.Outcome(code);
        var reason = code == StatusCode.OK ? "-" : ReasonOf(http) ?? "-";
        var (client, tenant) = AuditInterceptor.Actor(http);
        Log.Call(_logger, method, status, reason, milliseconds, client, tenant);
        if (code != StatusCode.OK)
        {
            metrics.Refused(status, reason);
        }
    }

    private void LogToken(HttpContext http, bool failed, double milliseconds)
    {
        var outcome = http.Items[typeof(TokenLog)] as TokenLog.Outcome;
        var statusCode = failed ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
        var reason = outcome?.Error ?? (statusCode == StatusCodes.Status429TooManyRequests ? "rate_limited" : "-");
        var status = statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var client = outcome?.Client ?? "unknown";
        var tenant = outcome?.Tenant ?? "-";
        if (statusCode >= 400 || outcome?.Error is not null)
        {
            Log.TokenRefused(_logger, status, reason, milliseconds, client, tenant);
            metrics.Refused(status, reason);
            return;
        }

        Log.Call(_logger, "token", status, reason, milliseconds, client, tenant);
    }

    /// <summary>The gRPC status, from the trailers or (a trailers-only answer) the headers; a call cut off has none.</summary>
    private static StatusCode StatusOf(HttpContext http)
    {
        var value = Answered(http, "grpc-status");
        return int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var code) && Enum.IsDefined((StatusCode)code)
            ? (StatusCode)code
            : http.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown;
    }

    /// <summary>A gRPC answer field: in the trailers, or in the headers of a trailers-only answer; empty if neither.</summary>
    private static string Answered(HttpContext http, string name) =>
        http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers[name] is { Count: > 0 } trailer
            ? trailer.ToString()
            : http.Response.Headers[name].ToString();

    /// <summary>The ErrorInfo reason of the answer (always one of the platform's own), or null.</summary>
    private static string? ReasonOf(HttpContext http)
    {
        var details = Answered(http, "grpc-status-details-bin");
        if (details.Length == 0)
        {
            return null;
        }

        try
        {
            var padded = details.PadRight(details.Length + ((4 - (details.Length % 4)) % 4), '=');
            var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(padded));
            var info = status.Details.FirstOrDefault(d => d.Is(ErrorInfo.Descriptor))?.Unpack<ErrorInfo>();
            return info is not null && ReasonShape().IsMatch(info.Reason) ? info.Reason : null;
        }
        catch (Exception exception) when (exception is FormatException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(100, LogLevel.Information, "{Method} {Status} {Reason} in {DurationMs:0.0} ms; client {ClientId}, tenant {Tenant}")]
        public static partial void Call(ILogger logger, string method, string status, string reason, double durationMs, string clientId, string tenant);

        [LoggerMessage(101, LogLevel.Information, "token refused {Status} {Reason} in {DurationMs:0.0} ms; client {ClientId}, tenant {Tenant}")]
        public static partial void TokenRefused(ILogger logger, string status, string reason, double durationMs, string clientId, string tenant);
    }
}
