using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using OpenIddict.Abstractions;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Records every call, allowed or refused, in the audit chain. A read is recorded before its response leaves:
/// if the record cannot be written the caller gets an error, not the data. Writes record themselves inside their
/// own transaction and pulls record each message before sending it (see <see cref="AuditTrail.Written"/>).
/// Health and reflection, which touch no data, are not recorded. Refusals of calls without a valid token (or with
/// one that no longer stands) are one event per source and window, the rest counted (<see cref="RefusalCounts"/>):
/// they can come by the thousand.
/// </summary>
public sealed partial class AuditInterceptor(AuditChain chain, AuditTrail trail, RefusalCounts refusals, SourceAddresses sources, ILogger<AuditInterceptor> logger) : Interceptor
{
    /// <summary>The one call served while the chain cannot take events (<see cref="AuditChain.Fault"/>): its diagnosis.</summary>
    public const string VerifyMethod = "/sharing.v1.AuditService/VerifyAuditChain";

    [GeneratedRegex("^tenants/[a-z0-9-]{1,63}(?:/[a-z]{1,20}/[a-z0-9-]{1,64})?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        RefuseWhileFaulted(context);
        try
        {
            var response = await continuation(request, context);
            await RecordAsync(context, request, null);
            return response;
        }
        catch (Exception exception)
        {
            await RecordAsync(context, request, FailureCode(exception, context));
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        RefuseWhileFaulted(context);
        try
        {
            await continuation(request, responseStream, context);
            await RecordAsync(context, request, null);
        }
        catch (Exception exception)
        {
            await RecordAsync(context, request, FailureCode(exception, context));
            throw;
        }
    }

    /// <summary>The actor of the current call: the authorized caller, else what the token claims, else unknown.</summary>
    public static (string Client, string Tenant) Actor(HttpContext http)
    {
        if (http.Items[typeof(Caller)] is Caller caller)
        {
            return (caller.ClientId, caller.TenantSlug);
        }

        var user = http.User;
        return user.Identity?.IsAuthenticated == true
            ? (user.FindFirst(OpenIddictConstants.Claims.Subject)?.Value ?? "-", user.FindFirst(TokenClaims.Tenant)?.Value ?? "-")
            : ("-", "-");
    }

    public static string Outcome(StatusCode? code) => code is null or StatusCode.OK ? "OK" : UpperSnake(code.Value.ToString());

    /// <summary>Unexpected exceptions are recorded too: an INTERNAL or CANCELLED call still leaves its event.</summary>
    private static StatusCode FailureCode(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ when Data.StorageErrors.IsTransient(exception) => StatusCode.Unavailable, // as the error interceptor answers it
        _ => StatusCode.Internal,
    };

    /// <summary>Nothing that would be recorded is served while the chain cannot record it; the diagnosis is.</summary>
    private void RefuseWhileFaulted(ServerCallContext context)
    {
        if (chain.Fault is not null && context.Method != VerifyMethod && RpcRules.ByMethod.TryGetValue(context.Method, out var rule) && !rule.Anonymous)
        {
            throw RpcErrors.AuditUnavailable();
        }
    }

    private async Task RecordAsync(ServerCallContext context, object request, StatusCode? failure)
    {
        // A call that recorded itself (a write, or pull messages) is recorded again only if it then failed.
        if ((trail.Written && failure is null) || !RpcRules.ByMethod.TryGetValue(context.Method, out var rule) || rule.Anonymous)
        {
            return;
        }

        if (chain.Fault is not null && context.Method == VerifyMethod)
        {
            if (failure is not null)
            {
                trail.Written = true;
                return; // refused: nothing was served
            }

            // Served to an auditor (the method's rule) so that the damage can be found; the application log keeps it.
            Hosting.Log.ServedUnrecorded(logger, context.Method.TrimStart('/'), Actor(context.GetHttpContext()).Client);
            trail.Written = true;
            return;
        }

        var (client, tenant) = Actor(context.GetHttpContext());
        var anonymous = client == "-";
        var action = context.Method.TrimStart('/');
        // Counted, not one event each: calls without a valid token (by source), and a valid token that no longer
        // stands (disabled client, rotated key; by client), which a stolen token can repeat at the client's rate.
        var source = anonymous ? sources.Pseudonym(context.GetHttpContext().Connection.RemoteIpAddress) : "";
        if ((anonymous ? failure is not null : failure == StatusCode.Unauthenticated)
            && !refusals.Admit(new RefusalKey(client, tenant, source, action, Outcome(failure))))
        {
            trail.Written = true;
            return;
        }

        // On failure nothing was returned: record what was asked for, if it is a well-formed resource name. An
        // unauthenticated caller's strings are not recorded at all: they would let anyone write into a tenant's log.
        IReadOnlyList<string> resources = failure is null ? [.. trail.Resources] : anonymous ? [] : Target(request);
        var requestId = !anonymous && request is IMessage message && message.Descriptor.FindFieldByName("request_id")?.Accessor.GetValue(message) is string id
            && id.Length is > 0 and <= 64 && ResourceSafe().IsMatch(id) ? id : context.GetHttpContext().TraceIdentifier;
        await chain.AppendAloneAsync(
            new AuditEntry(client, tenant, action, resources, trail.Purpose, failure is null && trail.SucceededAs is { } succeeded ? succeeded : Outcome(failure), requestId),
            CancellationToken.None);
        trail.Written = true;
    }

    private static string[] Target(object request)
    {
        if (request is not IMessage message)
        {
            return [];
        }

        var field = message.Descriptor.FindFieldByName("name") ?? message.Descriptor.FindFieldByName("parent");
        return field?.Accessor.GetValue(message) is string value && ResourceName().IsMatch(value) ? [value] : [];
    }

    [GeneratedRegex("^[A-Za-z0-9_:.-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceSafe();

    private static string UpperSnake(string pascal) => string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
