using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// What a refusal must be, whatever was sent: one of the method's documented codes (never INTERNAL, UNKNOWN or
/// UNAVAILABLE), a google.rpc.Status with an ErrorInfo reason of the platform's domain, a BadRequest naming the
/// field for bad input, and nothing of an exception or of the values sent.
/// </summary>
public static partial class FuzzAnswers
{
    [GeneratedRegex("^[A-Z][A-Z_]*\\z")]
    private static partial Regex Reason();

    /// <summary>What is wrong with a refusal, or null; <paramref name="request"/>, when known, is checked for echoes.</summary>
    public static string? Refusal(StatusCode code, string message, Google.Rpc.Status? status, IReadOnlyCollection<StatusCode> documented, IMessage? request)
    {
        if (!documented.Contains(code))
        {
            return $"answered {code}";
        }

        var info = status?.Details.Select(d => d.TryUnpack<ErrorInfo>(out var i) ? i : null).FirstOrDefault(i => i is not null);
        if (status is null || info is null || info.Domain != "sharing.v1" || !Reason().IsMatch(info.Reason))
        {
            return $"{code} without a google.rpc.Status carrying an ErrorInfo reason";
        }

        var badRequest = status.Details.Select(d => d.TryUnpack<BadRequest>(out var b) ? b : null).FirstOrDefault(b => b is not null);
        if (code == StatusCode.InvalidArgument && info.Reason != "MALFORMED_MESSAGE" && (badRequest is null || badRequest.FieldViolations.Any(v => v.Field.Length == 0) || badRequest.FieldViolations.Count == 0))
        {
            return $"INVALID_ARGUMENT {info.Reason} without a BadRequest naming the field";
        }

        if (message.Contains("xception", StringComparison.Ordinal) || message.Contains("   at ", StringComparison.Ordinal))
        {
            return $"{code} {info.Reason} with an exception's text";
        }

        return request is not null && RecordContract.Echoes(message + status, request) ? $"{code} {info.Reason} repeats a value sent" : null;
    }

    public static string? Refusal(RpcException error, IReadOnlyCollection<StatusCode> documented, IMessage? request) =>
        Refusal(error.StatusCode, error.Status.Detail, error.GetRpcStatus(), documented, request);
}
