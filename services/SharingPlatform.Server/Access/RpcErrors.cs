using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace SharingPlatform.Server.Access;

/// <summary>
/// The errors the API returns, as google.rpc.Status with ErrorInfo (a stable reason) and, for bad input,
/// BadRequest naming the field. Messages never repeat a submitted value.
/// </summary>
public static class RpcErrors
{
    public const string Domain = "sharing.v1";

    [DoesNotReturn]
    public static void Unauthenticated(string reason, string message) => Throw(Code.Unauthenticated, reason, message);

    [DoesNotReturn]
    public static void PermissionDenied(string reason, string message) => Throw(Code.PermissionDenied, reason, message);

    /// <summary>Not found, or not the caller's to see: the two are indistinguishable on purpose.</summary>
    [DoesNotReturn]
    public static void NotFound(string resourceName) =>
        throw Build(Code.NotFound, "NOT_FOUND", $"{resourceName} was not found.",
            new ResourceInfo { ResourceName = resourceName, Description = "Not found, or not visible to this client." }).ToRpcException();

    [DoesNotReturn]
    public static void InvalidArgument(string field, string reason, string description) =>
        throw Build(Code.InvalidArgument, reason, $"{field}: {description}",
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description, Reason = reason } } })
            .ToRpcException();

    [DoesNotReturn]
    public static void AlreadyExists(string message) => Throw(Code.AlreadyExists, "ALREADY_EXISTS", message);

    [DoesNotReturn]
    public static void FailedPrecondition(string reason, string message) => Throw(Code.FailedPrecondition, reason, message);

    [DoesNotReturn]
    public static void Aborted(string reason, string message) => Throw(Code.Aborted, reason, message);

    [DoesNotReturn]
    public static void ResourceExhausted(string reason, string message) => Throw(Code.ResourceExhausted, reason, message);

    /// <summary>The request message could not be read: a bad frame, invalid protobuf or UTF-8, nesting too deep.</summary>
    public static RpcException MalformedMessage() =>
        Build(Code.InvalidArgument, "MALFORMED_MESSAGE", "The request is not a readable message of this method.").ToRpcException();

    public static RpcException MessageTooLarge() =>
        Build(Code.ResourceExhausted, "MESSAGE_TOO_LARGE", "The request message is larger than this server accepts.").ToRpcException();

    /// <summary>A compressed message in an encoding the server does not offer (gRPC requires UNIMPLEMENTED).</summary>
    public static RpcException UnsupportedEncoding() =>
        Build(Code.Unimplemented, "UNSUPPORTED_ENCODING", "The message encoding is not supported; see grpc-accept-encoding.").ToRpcException();

    public static RpcException Internal(string traceId) =>
        Build(Code.Internal, "INTERNAL", $"Internal error; quote trace id {traceId} to the operator.").ToRpcException();

    /// <summary>A passing storage failure: the same request may be sent again (see <see cref="Data.StorageErrors"/>).</summary>
    public static RpcException StorageBusy(string traceId) =>
        Build(Code.Unavailable, "STORAGE_BUSY", $"The database is busy; send the same request again shortly (trace id {traceId}).").ToRpcException();

    /// <summary>The storage is full (<see cref="Data.StorageState"/>): nothing was stored; the same request may be sent again later.</summary>
    public static RpcException StorageFull(string traceId) =>
        Build(Code.Unavailable, "STORAGE_FULL", $"The server's storage is full, so nothing was stored; send the same request again later (trace id {traceId}).").ToRpcException();

    /// <summary>The audit chain cannot take events (<see cref="Audit.AuditChain.Fault"/>): nothing is served unrecorded.</summary>
    public static RpcException AuditUnavailable() =>
        Build(Code.Unavailable, "AUDIT_UNAVAILABLE", "The audit log cannot record calls, so none is served; the operator has been alerted. Try again later.").ToRpcException();

    /// <summary>
    /// The process is shutting down (SIGTERM): an open following pull ends with this instead of holding the shutdown
    /// until it times out; the client calls again at once from its last cursor and the load balancer sends it elsewhere.
    /// </summary>
    public static RpcException ServerStopping() =>
        Build(Code.Unavailable, "SERVER_STOPPING", "This server is shutting down; call again from the last cursor received.",
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.Zero) }).ToRpcException();

    [DoesNotReturn]
    private static void Throw(Code code, string reason, string message) => throw Build(code, reason, message).ToRpcException();

    private static Google.Rpc.Status Build(Code code, string reason, string message, Google.Protobuf.IMessage? detail = null)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Domain = Domain, Reason = reason }) },
        };
        if (detail is not null)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return status;
    }
}
