using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Turns any unexpected exception into INTERNAL with a trace id, so that no stack trace, SQL or value
/// reaches a client; the exception type, stack and trace id are logged, not its message (it may hold data).
/// A passing storage failure (<see cref="Data.StorageErrors.IsTransient"/>: a lock held too long, a conflict, a lost
/// connection) is UNAVAILABLE instead, reason <c>STORAGE_BUSY</c>, so that clients retry (a push with the same
/// request_id, which is safe: a write that failed left nothing).
/// Being the outermost interceptor, it also marks the call as read (see <see cref="MalformedMessages"/>).
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger, Data.StorageState storage) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        MalformedMessages.MarkRead(context);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (IsUnexpected(exception, context))
        {
            throw Wrap(exception, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        MalformedMessages.MarkRead(context);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception exception) when (IsUnexpected(exception, context))
        {
            throw Wrap(exception, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        MalformedMessages.MarkRead(context);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception exception) when (IsUnexpected(exception, context))
        {
            throw Wrap(exception, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        MalformedMessages.MarkRead(context);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception exception) when (IsUnexpected(exception, context))
        {
            throw Wrap(exception, context);
        }
    }

    private static bool IsUnexpected(Exception exception, ServerCallContext context) =>
        exception is not RpcException
        && !(exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested);

    private RpcException Wrap(Exception exception, ServerCallContext context)
    {
        var traceId = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
        if (exception is Audit.AuditUnavailableException)
        {
            return RpcErrors.AuditUnavailable(); // logged once, at Critical, when the fault was found
        }

        if (Data.StorageErrors.IsFull(exception))
        {
            storage.MarkFull(); // logged once, at Critical
            return RpcErrors.StorageFull(traceId);
        }

        if (Data.StorageErrors.IsTransient(exception))
        {
            Hosting.Log.StorageBusy(logger, exception.GetType().FullName, context.Method, traceId);
            return RpcErrors.StorageBusy(traceId);
        }

        Hosting.Log.UnhandledException(logger, exception.GetType().FullName, context.Method, traceId, exception.StackTrace);
        return RpcErrors.Internal(traceId);
    }
}
