using Google.Protobuf;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Access;

/// <summary>
/// Requests whose message cannot be read (invalid UTF-8, garbage, nesting past protobuf's recursion limit, a frame
/// whose declared length lies) are INVALID_ARGUMENT with a fixed reason, never an exception's text, and each leaves
/// one audit event, whether or not the caller holds a valid token.
/// </summary>
public abstract class MalformedMessageTests(PlatformFixture fixture)
{
    public enum Malformed
    {
        InvalidUtf8,
        Garbage,
        NestedPastTheRecursionLimit,
        DeclaredLengthLongerThanTheMessage,
        DeclaredLengthShorterThanTheMessage,
    }

    private static readonly string[] Methods =
        ["/sharing.v1.CaseService/GetCase", "/sharing.v1.CaseService/PushCases", "/sharing.v1.CaseService/PullChanges"];

    public static TheoryData<Malformed, bool> Cases()
    {
        var data = new TheoryData<Malformed, bool>();
        foreach (var kind in Enum.GetValues<Malformed>())
        {
            data.Add(kind, true);
            data.Add(kind, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_message_that_cannot_be_read_is_invalid_argument_and_audited(Malformed kind, bool withToken)
    {
        var caller = await fixture.CreateClientAsync();
        using var connection = caller.Connect();
        var token = withToken ? await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken) : null;
        using var platform = fixture.ConnectPlatformAdmin();

        foreach (var method in Methods)
        {
            var before = await RefusalsAsync(platform, method, withToken ? caller.ClientId : "-");

            var reply = await GrpcFrames.PostAsync(fixture, method, Body(kind), token);

            Assert.True(reply.Status == StatusCode.InvalidArgument, $"{method} {kind}: {reply.Status} {reply.Message}");
            Assert.Equal("MALFORMED_MESSAGE", reply.Reason);
            Assert.DoesNotContain("xception", reply.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("handler", reply.Message, StringComparison.Ordinal);
            var after = await RefusalsAsync(platform, method, withToken ? caller.ClientId : "-");
            var refusal = Assert.Single(after, e => before.All(b => b.Sequence != e.Sequence));
            Assert.Empty(refusal.Resources);
            Assert.Equal(withToken ? caller.TenantSlug : "-", refusal.ActorTenant);
        }

        // The server is still there and still serves a well-formed call.
        await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = caller.Parent });
    }

    [Fact]
    public async Task A_compression_the_server_does_not_offer_is_unimplemented_without_repeating_its_name_and_audited()
    {
        using var platform = fixture.ConnectPlatformAdmin();
        const string method = "/sharing.v1.CaseService/GetCase";
        var before = (await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = method.TrimStart('/') })).Count;

        var reply = await GrpcFrames.PostAsync(fixture, method, GrpcFrames.Frame(ValidGetCase(), compressed: true), null,
            [new("grpc-encoding", "marker-7f3a9c")]);

        Assert.Equal(StatusCode.Unimplemented, reply.Status);
        Assert.Equal("UNSUPPORTED_ENCODING", reply.Reason);
        Assert.DoesNotContain("marker-7f3a9c", reply.Message, StringComparison.Ordinal);
        var events = await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = method.TrimStart('/') });
        Assert.Equal(before + 1, events.Count);
        Assert.Equal("UNIMPLEMENTED", events[^1].Outcome);
    }

    [Fact]
    public async Task A_frame_declaring_more_than_the_message_limit_is_resource_exhausted_and_audited()
    {
        using var platform = fixture.ConnectPlatformAdmin();
        const string method = "/sharing.v1.CaseService/PushCases";
        var before = (await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = method.TrimStart('/') })).Count;

        var reply = await GrpcFrames.PostAsync(fixture, method, GrpcFrames.Frame(ValidGetCase(), declaredLength: 9 * 1024 * 1024));

        Assert.Equal(StatusCode.ResourceExhausted, reply.Status);
        Assert.Equal("MESSAGE_TOO_LARGE", reply.Reason);
        var events = await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = method.TrimStart('/') });
        Assert.Equal(before + 1, events.Count);
        Assert.Equal(("RESOURCE_EXHAUSTED", "-"), (events[^1].Outcome, events[^1].ActorClient));
    }

    [Fact]
    public void Each_malformed_body_is_refused_by_protobuf_itself()
    {
        foreach (var kind in new[] { Malformed.InvalidUtf8, Malformed.Garbage, Malformed.NestedPastTheRecursionLimit })
        {
            var payload = Payload(kind);
            Assert.ThrowsAny<InvalidProtocolBufferException>(() => GetCaseRequest.Parser.ParseFrom(payload));
            Assert.ThrowsAny<InvalidProtocolBufferException>(() => PushCasesRequest.Parser.ParseFrom(payload));
            Assert.ThrowsAny<InvalidProtocolBufferException>(() => PullChangesRequest.Parser.ParseFrom(payload));
        }
    }

    private static async Task<List<AuditEvent>> RefusalsAsync(Client.SharingConnection platform, string method, string actorClient) =>
        (await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = method.TrimStart('/') }))
        .Where(e => e.ActorClient == actorClient && e.Outcome == "INVALID_ARGUMENT").ToList();

    private static byte[] Body(Malformed kind) => kind switch
    {
        Malformed.DeclaredLengthLongerThanTheMessage => GrpcFrames.Frame(ValidGetCase(), declaredLength: 4096),
        Malformed.DeclaredLengthShorterThanTheMessage => GrpcFrames.Frame(ValidGetCase(), declaredLength: 3),
        _ => GrpcFrames.Frame(Payload(kind)),
    };

    private static byte[] ValidGetCase() => new GetCaseRequest { Name = "tenants/someone/cases/one" }.ToByteArray();

    private static byte[] Payload(Malformed kind) => kind switch
    {
        // Field 1 (a string in every request here) holding bytes that are not UTF-8.
        Malformed.InvalidUtf8 => [0x0A, 0x04, 0x6B, 0xC3, 0x28, 0xFF],
        // Fixed "random" bytes: field 1 with wire type 7, which does not exist, then noise.
        Malformed.Garbage => [0x0F, 0x9C, 0x3E, 0xD1, 0x77, 0x02, 0xB8, 0x5A, 0xE4, 0x13, 0xC6, 0x81],
        // 200 nested unknown groups (field 15): past protobuf's default recursion limit of 100.
        Malformed.NestedPastTheRecursionLimit => [.. Enumerable.Repeat((byte)0x7B, 200), .. Enumerable.Repeat((byte)0x7C, 200)],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

public sealed class SqliteMalformedMessageTests(SqliteFixture fixture) : MalformedMessageTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresMalformedMessageTests(PostgresFixture fixture) : MalformedMessageTests(fixture), IClassFixture<PostgresFixture>;
