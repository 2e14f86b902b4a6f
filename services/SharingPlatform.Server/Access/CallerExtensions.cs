using Grpc.Core;

namespace SharingPlatform.Server.Access;

public static class CallerExtensions
{
    /// <summary>The caller authorized by <see cref="CallerInterceptor"/> for this call.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        context.GetHttpContext().Items[typeof(Caller)] as Caller
        ?? throw new InvalidOperationException("No caller: the method's rule is anonymous or the interceptor did not run.");
}
