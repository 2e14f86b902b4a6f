using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Makes an administrative create idempotent when the caller sends a request_id (AIP-155): the first answer is kept
/// with the change, in its transaction, and the same request again within <see cref="CaseWriter.ReceiptRetention"/>
/// gets that answer back and changes nothing. The same id with a different request is FAILED_PRECONDITION. Without a
/// request_id a create is not idempotent, as before request ids existed.
/// </summary>
public sealed partial class RequestReceipts(SharingDbContext db, AuditTrail trail, TimeProvider time)
{
    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RequestIdPattern();

    /// <summary>
    /// Runs <paramref name="create"/> once per request_id. <paramref name="create"/> must call <see cref="Keep"/> inside
    /// its change unit. A concurrent first call with the same id loses at the receipts' unique index (or at the
    /// resource's own, as ALREADY_EXISTS) and is then answered from the winner's receipt.
    /// </summary>
    public async Task<T> OnceAsync<T>(Caller caller, string method, IMessage request, string requestId, MessageParser<T> parser,
        Func<Task<T>> create, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        if (requestId.Length == 0)
        {
            return await create();
        }

        if (!RequestIdPattern().IsMatch(requestId))
        {
            RpcErrors.InvalidArgument("request_id", "INVALID_FORMAT", "Must be empty or 8-64 of A-Z, a-z, 0-9, _ and - (a UUID works).");
        }

        var hash = Hash(method, request);
        if (await FirstAnswerAsync(caller, method, requestId, hash, parser, cancellationToken) is { } first)
        {
            return first;
        }

        try
        {
            return await create();
        }
        catch (Exception exception) when (exception is DbUpdateException or RpcException { StatusCode: StatusCode.AlreadyExists })
        {
            db.ChangeTracker.Clear();
            if (await FirstAnswerAsync(caller, method, requestId, hash, parser, cancellationToken) is { } raced)
            {
                return raced;
            }

            throw;
        }
    }

    /// <summary>Adds the receipt of a first answer to the unit in progress (nothing when there is no request_id).</summary>
    public void Keep(Caller caller, string method, IMessage request, string requestId, IMessage response)
    {
        if (requestId.Length == 0)
        {
            return;
        }

        db.Add(new RequestReceipt
        {
            TenantId = caller.TenantId,
            Method = method,
            RequestId = requestId,
            RequestHash = Hash(method, request),
            Response = response.ToByteArray(),
            CreateTime = time.UtcNow(),
        });
    }

    private async Task<T?> FirstAnswerAsync<T>(Caller caller, string method, string requestId, byte[] hash, MessageParser<T> parser,
        CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var receipt = await db.RequestReceipts.AsNoTracking()
            .SingleOrDefaultAsync(r => r.TenantId == caller.TenantId && r.Method == method && r.RequestId == requestId, cancellationToken);
        if (receipt is null)
        {
            return default;
        }

        if (receipt.CreateTime < time.UtcNow() - CaseWriter.ReceiptRetention)
        {
            // Expired, not yet purged (Housekeeping): the request_id is free again.
            await db.RequestReceipts.Where(r => r.Id == receipt.Id).ExecuteDeleteAsync(cancellationToken);
            return default;
        }

        if (!CryptographicOperations.FixedTimeEquals(receipt.RequestHash, hash))
        {
            RpcErrors.FailedPrecondition("REQUEST_ID_REUSED", "This request_id was used for a different request; use a new request_id.");
        }

        trail.SucceededAs = "REPLAYED"; // the same answer again, nothing written
        return parser.ParseFrom(receipt.Response);
    }

    private static byte[] Hash(string method, IMessage request) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(method + "|"), .. request.ToByteArray()]);
}
