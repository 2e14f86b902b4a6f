using System.Diagnostics;
using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using SharingPlatform.Server.Audit;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Refuses, and records, gRPC calls whose request message cannot be read: invalid UTF-8, garbage, nesting past
/// protobuf's recursion limit, a frame whose declared length lies, an unknown compression.
/// <para>
/// Why a middleware: grpc-dotnet reads a unary or server-streaming request before it invokes the interceptors
/// (its call handler deserializes, then calls the pipeline), and generated services bring their own marshallers, so
/// such a call never reaches <see cref="ErrorInterceptor"/> or <see cref="AuditInterceptor"/>: it would end as UNKNOWN
/// "Exception was thrown by handler" (INTERNAL "Incomplete message" for a bad frame) and leave no audit event.
/// When that happens grpc-dotnet has only put the status into the response headers (a trailers-only response; nothing
/// has been sent), so this middleware, around the gRPC endpoint, replaces it by a fixed error and appends the refusal
/// before the response leaves. No caller string is recorded: the message was not read, and the actor is what a valid
/// token says or "-". (No RPC of the contract streams requests; a request stream would be read inside the interceptors.)
/// </para>
/// </summary>
public sealed class MalformedMessages(RequestDelegate next, ILogger<MalformedMessages> logger)
{
    private static readonly object Read = new();

    /// <summary>Set by the outermost interceptor: the request was read and the pipeline answers for the call.</summary>
    public static void MarkRead(ServerCallContext context) => context.GetHttpContext().Items[Read] = true;

    public async Task InvokeAsync(HttpContext http, AuditChain chain)
    {
        await next(http);
        if (http.Items.ContainsKey(Read) || http.Response.HasStarted || http.RequestAborted.IsCancellationRequested
            || !RpcRules.ByMethod.TryGetValue(http.Request.Path.Value ?? "", out var rule)
            || http.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status.StatusCode is not { } code
            || code is StatusCode.OK or StatusCode.Cancelled or StatusCode.DeadlineExceeded)
        {
            return;
        }

        var refusal = code switch
        {
            StatusCode.ResourceExhausted => RpcErrors.MessageTooLarge(),
            StatusCode.Unimplemented => RpcErrors.UnsupportedEncoding(),
            _ => RpcErrors.MalformedMessage(),
        };
        if (!rule.Anonymous)
        {
            try
            {
                var (client, tenant) = AuditInterceptor.Actor(http);
                await chain.AppendAloneAsync(
                    new AuditEntry(client, tenant, http.Request.Path.Value!.TrimStart('/'), [], "", AuditInterceptor.Outcome(refusal.StatusCode), http.TraceIdentifier),
                    CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A refusal that cannot be recorded is answered as any unexpected failure is.
                var traceId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
                Hosting.Log.UnhandledException(logger, exception.GetType().FullName, http.Request.Path.Value!, traceId, exception.StackTrace);
                refusal = RpcErrors.Internal(traceId);
            }
        }

        WriteTrailersOnly(http.Response, refusal);
    }

    /// <summary>The status and its details as the headers of a trailers-only response, replacing grpc-dotnet's.</summary>
    private static void WriteTrailersOnly(HttpResponse response, RpcException refusal)
    {
        response.Headers["grpc-status"] = ((int)refusal.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(refusal.Status.Detail);
        foreach (var entry in refusal.Trailers)
        {
            response.Headers[entry.Key] = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;
        }
    }
}
