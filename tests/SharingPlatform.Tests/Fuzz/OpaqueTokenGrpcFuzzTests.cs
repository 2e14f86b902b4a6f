using System.Buffers.Text;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Cursors and page tokens through the real host: PullChanges, ListCases and ListAuditEvents with the token issued
/// to the caller, altered, replaced by noise, or moved to a changed query, and every other field of the request
/// mutated too. A token is read only when it decodes to the bytes issued, for the query it was issued for; any
/// other is INVALID_ARGUMENT naming it (once the fields checked before it are valid), never INTERNAL.
/// </summary>
public abstract class OpaqueTokenGrpcFuzzTests(PlatformFixture fixture)
{
    private static readonly StatusCode[] Documented = [StatusCode.InvalidArgument, StatusCode.NotFound];

    [Fact]
    public async Task Any_cursor_is_read_only_as_issued_and_otherwise_refused_naming_the_cursor()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(client, [.. Enumerable.Range(0, 3).Select(i => Records.Valid(client.CaseName("c" + i)))]));
        var (_, issued, _) = await connection.Cases.PullAllAsync(client.Parent, maxChanges: 1);
        var start = new PullChangesRequest { Parent = client.Parent, Cursor = issued };

        await FuzzProperty.CheckAsync("cursor-grpc", FuzzBudget.ThroughGrpc(60), Altered(start, r => r.Cursor, (r, c) => r.Cursor = c), r => r.ToByteArray(), async request =>
        {
            // A following pull would stay open until its deadline; every other field may be anything.
            request.Follow = false;
            var garbage = request.Cursor.Length > 0 && !SameBytes(request.Cursor, issued);
            try
            {
                using var call = connection.Cases.PullChanges(request, deadline: DateTime.UtcNow.AddSeconds(30));
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }
            }
            catch (RpcException e)
            {
                return Refused(e, request, request.Cursor, garbage, "cursor", checkedBefore: request.Parent != client.Parent);
            }

            return (garbage ? "read a cursor the server never issued" : null, Kind(request.Cursor, garbage) + " read");
        });
    }

    [Fact]
    public async Task Any_page_token_is_read_only_for_the_query_it_was_issued_for_and_otherwise_refused_naming_it()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(client, [.. Enumerable.Range(0, 3).Select(i => Records.Valid(client.CaseName("c" + i)))]));
        var start = new ListCasesRequest { Parent = client.Parent, PageSize = 1 };
        start.PageToken = (await connection.Cases.ListCasesAsync(start)).NextPageToken;

        await FuzzProperty.CheckAsync("page-token-grpc", FuzzBudget.ThroughGrpc(60), Altered(start, r => r.PageToken, (r, t) => r.PageToken = t), r => r.ToByteArray(), async request =>
        {
            var garbage = request.PageToken.Length > 0 && !(SameBytes(request.PageToken, start.PageToken) && Filter(request).Equals(Filter(start)));
            try
            {
                await connection.Cases.ListCasesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            }
            catch (RpcException e)
            {
                return Refused(e, request, request.PageToken, garbage, "page_token", checkedBefore: request.Parent != client.Parent || request.PageSize is < 0 or > 1000);
            }

            return (garbage ? "read a page token not issued for this query" : null, Kind(request.PageToken, garbage) + " read");
        });
    }

    [Fact]
    public async Task Any_audit_page_token_is_read_only_for_the_query_it_was_issued_for_and_otherwise_refused_naming_it()
    {
        var client = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(client.TenantSlug, "auditor");
        using var connection = client.Connect();
        using var audit = auditor.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("a"))));
        await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("b"))));
        var start = new ListAuditEventsRequest { PageSize = 1 };
        start.PageToken = (await audit.Audit.ListAuditEventsAsync(start)).NextPageToken;
        Assert.NotEmpty(start.PageToken);

        await FuzzProperty.CheckAsync("audit-token-grpc", FuzzBudget.ThroughGrpc(40), Altered(start, r => r.PageToken, (r, t) => r.PageToken = t), r => r.ToByteArray(), async request =>
        {
            var filter = request.Clone();
            (filter.PageSize, filter.PageToken) = (start.PageSize, start.PageToken);
            var garbage = request.PageToken.Length > 0 && !(SameBytes(request.PageToken, start.PageToken) && filter.Equals(start));
            var filtersFirst = new[] { request.ActorTenant, request.ActorClient, request.Action, request.Resource }.Any(v => v.Length > 0);
            try
            {
                await audit.Audit.ListAuditEventsAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            }
            catch (RpcException e)
            {
                return Refused(e, request, request.PageToken, garbage, "page_token", checkedBefore: filtersFirst || request.PageSize is < 0 or > 1000);
            }

            return (garbage ? "read a page token not issued for this query" : null, Kind(request.PageToken, garbage) + " read");
        });
    }

    /// <summary>What is wrong with a refusal of a request whose token is <paramref name="garbage"/> or as issued; a field
    /// <paramref name="checkedBefore"/> the token may be the one named instead.</summary>
    private static (string? Why, string Kind) Refused(RpcException e, IMessage request, string token, bool garbage, string field, bool checkedBefore)
    {
        var named = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Field ?? "";
        var why = FuzzAnswers.Refusal(e, Documented, request)
            ?? (garbage && !checkedBefore && (e.StatusCode != StatusCode.InvalidArgument || named != field) ? $"{field} never issued refused as {e.StatusCode} {named}"
            : !garbage && named == field ? $"an issued {field} refused" : null);
        return (why, Kind(token, garbage) + " refused " + (named.Length > 0 ? named : e.StatusCode.ToString()));
    }

    private static string Kind(string token, bool garbage) => token.Length == 0 ? "none" : garbage ? "noise" : "issued";

    /// <summary>A request's query without its paging, which a page token is bound to.</summary>
    private static ListCasesRequest Filter(ListCasesRequest request)
    {
        var filter = request.Clone();
        (filter.PageSize, filter.PageToken) = (0, "");
        return filter;
    }

    private static bool SameBytes(string text, string issued) =>
        Base64Url.IsValid(text) && Base64Url.DecodeFromChars(text).AsSpan().SequenceEqual(Base64Url.DecodeFromChars(issued));

    /// <summary>The issued request with its token kept, altered or replaced, and sometimes other fields mutated.</summary>
    private static Gen<T> Altered<T>(T start, Func<T, string> token, Action<T, string> setToken)
        where T : IMessage<T> =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            var request = random.Next(3) == 0 ? ProtoFuzzer.Mutate(start, random) : start.Clone();
            var issued = token(start);
            var bytes = Base64Url.DecodeFromChars(issued);
            setToken(request, random.Next(8) switch
            {
                0 => issued,
                1 => "",
                2 => Base64Url.EncodeToString(FuzzValues.Mutate(bytes, random)),
                3 => FuzzValues.Mutate(issued, random),
                4 => issued + new string(issued[^1], random.Next(1, 4)),
                5 => Base64Url.EncodeToString([2, .. FuzzValues.Bytes(random, 40)]).PadRight(55, 'A')[..55],
                6 => FuzzValues.Text(random),
                _ => token(request).Length == 0 ? issued : token(request),
            });
            return request;
        });
}

public sealed class SqliteOpaqueTokenGrpcFuzzTests(SqliteFuzzFixture fixture) : OpaqueTokenGrpcFuzzTests(fixture), IClassFixture<SqliteFuzzFixture>;

public sealed class PostgresOpaqueTokenGrpcFuzzTests(PostgresFuzzFixture fixture) : OpaqueTokenGrpcFuzzTests(fixture), IClassFixture<PostgresFuzzFixture>;
