using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Access;

/// <summary>A client of tenant B, from the outside, through every CaseService method, against tenant A's records.</summary>
public abstract class TenantIsolationTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Every_method_answers_not_found_for_another_tenants_records_and_leaves_them_untouched()
    {
        var owner = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var ownerConnection = owner.Connect();
        using var otherConnection = other.Connect();
        var record = Records.Valid(owner.CaseName("secret"));
        await ownerConnection.Cases.PushCasesAsync(Records.Push(owner, record));
        var cases = otherConnection.Cases;
        var intruding = Records.Valid(record.Name);
        intruding.Narrative = "Overwritten.";

        await AssertNotFound(cases.GetCaseAsync(new GetCaseRequest { Name = record.Name }).ResponseAsync);
        await AssertNotFound(cases.ListCasesAsync(new ListCasesRequest { Parent = owner.Parent }).ResponseAsync);
        await AssertNotFound(cases.PullAllAsync(owner.Parent));
        await AssertNotFound(cases.PushCasesAsync(new PushCasesRequest { Parent = owner.Parent, RequestId = Records.RequestId(), Records = { intruding } }).ResponseAsync);
        await AssertNotFound(cases.RetractCaseAsync(new RetractCaseRequest { Name = record.Name }).ResponseAsync);
        var smuggled = await cases.PushCasesAsync(new PushCasesRequest { Parent = other.Parent, RequestId = Records.RequestId(), Records = { intruding } });

        Assert.Equal("WRONG_PARENT", smuggled.Results[0].Violation.Reason);
        Assert.Empty((await cases.PullAllAsync(other.Parent)).Changes);
        var untouched = await ownerConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name });
        Assert.Equal(record.Narrative, untouched.Narrative);
    }

    [Fact]
    public async Task Another_tenants_existing_record_looks_exactly_like_a_missing_one()
    {
        var owner = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var ownerConnection = owner.Connect();
        using var otherConnection = other.Connect();
        await ownerConnection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("exists"))));

        var existing = await Assert.ThrowsAsync<RpcException>(() => otherConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("exists") }).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => otherConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("missing") }).ResponseAsync);
        var noTenant = await Assert.ThrowsAsync<RpcException>(() => otherConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = "tenants/no-such-tenant/cases/exists" }).ResponseAsync);

        Assert.All([existing, missing, noTenant], e => Assert.Equal(StatusCode.NotFound, e.StatusCode));
        Assert.Equal(existing.Status.Detail.Replace("exists", "X", StringComparison.Ordinal), missing.Status.Detail.Replace("missing", "X", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Same_case_id_in_two_tenants_are_two_records()
    {
        var a = await fixture.CreateClientAsync();
        var b = await fixture.CreateClientAsync();
        using var aConnection = a.Connect();
        using var bConnection = b.Connect();

        await aConnection.Cases.PushCasesAsync(Records.Push(a, Records.Valid(a.CaseName("same"))));
        var bResult = await bConnection.Cases.PushCasesAsync(Records.Push(b, Records.Valid(b.CaseName("same"))));

        Assert.Equal(PushOutcome.Created, bResult.Results[0].Outcome);
        Assert.NotEqual(
            (await aConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = a.CaseName("same") })).SubjectToken,
            (await bConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = b.CaseName("same") })).SubjectToken);
    }

    private static async Task AssertNotFound(Task call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}

public sealed class SqliteTenantIsolationTests(SqliteFixture fixture) : TenantIsolationTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresTenantIsolationTests(PostgresFixture fixture) : TenantIsolationTests(fixture), IClassFixture<PostgresFixture>;
