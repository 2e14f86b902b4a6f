extern alias server;

using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// What a tenant receives (cursors, page tokens, etags) is opaque: it measures nothing of other tenants, cannot be
/// forged or moved to another tenant or query, and garbage in its place is a clear INVALID_ARGUMENT.
/// </summary>
public abstract partial class OpaqueTokenTests(PlatformFixture fixture)
{
    public static TheoryData<string> Garbage =>
    [
        "!!!", "a", "====", "%00", "zz zz", new string('*', 55), new string('A', 22), new string('A', 55),
        new string('A', 10_000), "🙂🙂🙂", Base64Url.EncodeToString(Enumerable.Repeat((byte)7, 41).ToArray()),
        Base64Url.EncodeToString(Enumerable.Repeat((byte)2, 57).ToArray()),
    ];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task A_malformed_cursor_is_invalid_argument_naming_the_field(string garbage)
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PullAllAsync(client.Parent, garbage));

        AssertInvalid(error, "cursor");
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task A_malformed_page_token_is_invalid_argument_naming_the_field(string garbage)
    {
        var client = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(client.TenantSlug, "auditor");
        using var connection = client.Connect();
        using var audit = auditor.Connect();

        var list = await Assert.ThrowsAsync<RpcException>(() =>
            connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, PageToken = garbage }).ResponseAsync);
        var events = await Assert.ThrowsAsync<RpcException>(() =>
            audit.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageToken = garbage }).ResponseAsync);

        AssertInvalid(list, "page_token");
        AssertInvalid(events, "page_token");
    }

    [Fact]
    public async Task A_cursor_carries_no_readable_sequence_and_is_never_the_same_twice()
    {
        var client = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        using var otherConnection = other.Connect();
        await otherConnection.Cases.PushCasesAsync(Records.Push(other, [.. Enumerable.Range(0, 37).Select(i => Records.Valid(other.CaseName($"c{i}")))]));

        var (_, first, _) = await connection.Cases.PullAllAsync(client.Parent);
        var (_, second, _) = await connection.Cases.PullAllAsync(client.Parent, first);
        var high = await fixture.WithDbAsync(db => db.Set<server::SharingPlatform.Server.Data.SequenceCounter>().Where(c => c.Name == server::SharingPlatform.Server.Data.SequenceCounter.Changes).Select(c => c.Value).SingleAsync());

        Assert.NotEqual(first, second);
        foreach (var cursor in new[] { first, second })
        {
            Assert.False(ContainsInt64(Base64Url.DecodeFromChars(cursor), high), "the cursor holds the global change sequence in clear");
        }
    }

    [Fact]
    public async Task A_tampered_cursor_or_one_of_another_tenant_is_refused()
    {
        var client = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        using var otherConnection = other.Connect();
        var (_, cursor, _) = await connection.Cases.PullAllAsync(client.Parent);
        var bytes = Base64Url.DecodeFromChars(cursor);

        for (var i = 0; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            AssertInvalid(await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PullAllAsync(client.Parent, Base64Url.EncodeToString(tampered))), "cursor");
        }

        AssertInvalid(await Assert.ThrowsAsync<RpcException>(() => otherConnection.Cases.PullAllAsync(other.Parent, cursor)), "cursor");
    }

    [Fact]
    public async Task A_page_token_carries_no_row_id_and_works_only_for_its_tenant_and_query()
    {
        var client = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        using var otherConnection = other.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("a")), Records.Valid(client.CaseName("b"))));
        var page = await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, PageSize = 1 });
        var rowIds = await fixture.WithDbAsync(db => db.Set<server::SharingPlatform.Server.Cases.CaseEntity>().Select(c => c.Id).ToListAsync());

        var next = await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, PageSize = 1, PageToken = page.NextPageToken });
        var otherQuery = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.ListCasesAsync(
            new ListCasesRequest { Parent = client.Parent, PageSize = 1, PageToken = page.NextPageToken, Statuses = { CaseStatus.Released } }).ResponseAsync);
        var otherTenant = await Assert.ThrowsAsync<RpcException>(() => otherConnection.Cases.ListCasesAsync(
            new ListCasesRequest { Parent = other.Parent, PageSize = 1, PageToken = page.NextPageToken }).ResponseAsync);

        Assert.Single(next.Cases);
        Assert.All(rowIds, id => Assert.False(ContainsInt64(Base64Url.DecodeFromChars(page.NextPageToken), id), "the page token holds a row id in clear"));
        AssertInvalid(otherQuery, "page_token");
        AssertInvalid(otherTenant, "page_token");
    }

    [Fact]
    public async Task Etags_do_not_count_edits()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("a"));
        var twin = Records.Valid(client.CaseName("b"));
        var created = await connection.Cases.PushCasesAsync(Records.Push(client, record, twin));
        var etags = new List<string> { created.Results[0].Etag };
        for (var i = 0; i < 4; i++)
        {
            record.Etag = etags[^1];
            record.Narrative = $"Seen again, report {i}.";
            etags.Add(Assert.Single((await connection.Cases.PushCasesAsync(Records.Push(client, record))).Results).Etag);
        }

        Assert.Equal(etags.Count, etags.Distinct().Count());
        Assert.All(etags.Append(created.Results[1].Etag), e => Assert.DoesNotMatch(Counter(), e));
        // Two records at the same version have different etags: an etag is not a function of the version.
        Assert.NotEqual(created.Results[0].Etag, created.Results[1].Etag);
    }

    [Fact]
    public async Task A_cursor_issued_before_cursors_were_sealed_still_works_and_its_due_tombstones_arrive()
    {
        var owner = await fixture.CreateClientAsync();
        var admin = await fixture.CreateClientAsync(owner.TenantSlug, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var ownerConnection = owner.Connect();
        using var adminConnection = admin.Connect();
        using var granteeConnection = grantee.Connect();
        await ownerConnection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("a")), Records.Valid(owner.CaseName("b"))));
        var agreement = await adminConnection.Sharing.CreateAgreementAsync(Agreements.Create(admin, Agreements.To(grantee)));
        var (held, _, _) = await granteeConnection.Cases.PullAllAsync(grantee.Parent);
        // The first cursor format: version 2, position, judged position and time, HMAC under the old cursor key.
        var legacy = await LegacyCursorAsync(grantee.TenantSlug);
        await adminConnection.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });

        var (changes, cursor, _) = await granteeConnection.Cases.PullAllAsync(grantee.Parent, legacy);

        Assert.Equal(2, held.Count);
        Assert.Equal(held.Select(c => c.Name).Order(), changes.Where(c => c.Tombstone is not null).Select(c => c.Name).Order());
        Assert.NotEqual(55, cursor.Length); // answered with a sealed cursor from then on
    }

    private Task<string> LegacyCursorAsync(string tenantSlug) => fixture.WithDbAsync(async db =>
    {
        var tenantId = await db.Tenants.Where(t => t.Slug == tenantSlug).Select(t => t.Id).SingleAsync();
        var high = await db.Set<server::SharingPlatform.Server.Data.SequenceCounter>()
            .Where(c => c.Name == server::SharingPlatform.Server.Data.SequenceCounter.Changes).Select(c => c.Value).SingleAsync();
        var keys = fixture.Factory.Services.GetRequiredService<server::SharingPlatform.Server.Identity.ServerKeys>();
        var bytes = new byte[41];
        bytes[0] = 2;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), high);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(9), high);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(17), DateTime.UtcNow.Ticks);
        var input = new byte[33];
        BinaryPrimitives.WriteInt64BigEndian(input, tenantId);
        bytes.AsSpan(0, 25).CopyTo(input.AsSpan(8));
        System.Security.Cryptography.HMACSHA256.HashData(keys.Derive("pull-cursor"), input).AsSpan(0, 16).CopyTo(bytes.AsSpan(25));
        return Base64Url.EncodeToString(bytes);
    });

    private static bool ContainsInt64(byte[] bytes, long value)
    {
        Span<byte> big = stackalloc byte[8];
        Span<byte> little = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(big, value);
        BinaryPrimitives.WriteInt64LittleEndian(little, value);
        return bytes.AsSpan().IndexOf(big) >= 0 || bytes.AsSpan().IndexOf(little) >= 0;
    }

    private static void AssertInvalid(RpcException error, string field)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        var badRequest = status.GetDetail<Google.Rpc.BadRequest>();
        Assert.Equal(field, Assert.Single(badRequest.FieldViolations).Field);
    }

    [GeneratedRegex("^\"?[0-9]+\"?$")]
    private static partial Regex Counter();
}

public sealed class SqliteOpaqueTokenTests(SqliteFixture fixture) : OpaqueTokenTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresOpaqueTokenTests(PostgresFixture fixture) : OpaqueTokenTests(fixture), IClassFixture<PostgresFixture>;
