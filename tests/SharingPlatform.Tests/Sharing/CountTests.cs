extern alias server;

using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ServerCounts = server::SharingPlatform.Server.Cases.CaseCounts;

namespace SharingPlatform.Tests.Sharing;

/// <summary>CountCases: own counts, aggregate-only sharing, and small-cell suppression that subtraction cannot undo.</summary>
public abstract class CountTests(PlatformFixture fixture)
{
    private async Task<(TestClient Owner, TestClient Admin, TestClient Grantee)> GrantorWithAsync(params (CaseStatus Status, int Count)[] records)
    {
        var owner = await fixture.CreateClientAsync();
        var admin = await fixture.CreateClientAsync(owner.TenantSlug, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        var all = records.SelectMany(r => Enumerable.Range(0, r.Count).Select(i => Records.Valid(owner.CaseName($"{r.Status.ToString().ToLowerInvariant()}-{i}"), r.Status))).ToArray();
        await connection.Cases.PushCasesAsync(Records.Push(owner, all));
        return (owner, admin, grantee);
    }

    private static async Task AggregateOnlyAsync(TestClient admin, TestClient grantee, int minCellSize, DatePrecision precision = DatePrecision.Unspecified)
    {
        using var connection = admin.Connect();
        var agreement = Agreements.To(grantee, "status", "events");
        agreement.AggregateOnly = true;
        agreement.MinCellSize = minCellSize;
        agreement.DatePrecision = precision;
        agreement.Purpose = Purpose.AdvocacyStatistics;
        await connection.Sharing.CreateAgreementAsync(Agreements.Create(admin, agreement));
    }

    private static Dictionary<string, string> Table(CountCasesResponse response) =>
        response.Cells.ToDictionary(c => c.Key, c => c.Count.Suppressed ? "suppressed" : c.Count.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Own_counts_are_exact()
    {
        var (owner, _, _) = await GrantorWithAsync((CaseStatus.Detained, 3), (CaseStatus.Released, 1));
        using var connection = owner.Connect();

        var counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Status });

        Assert.Equal(new Dictionary<string, string> { ["CASE_STATUS_DETAINED"] = "3", ["CASE_STATUS_RELEASED"] = "1" }, Table(counts));
        Assert.Equal(4, counts.Total.Count);
        Assert.Equal(0, counts.MinCellSize);
    }

    [Fact]
    public async Task Aggregate_only_grantee_counts_with_suppression_and_reads_no_record()
    {
        var (owner, admin, grantee) = await GrantorWithAsync((CaseStatus.Detained, 7), (CaseStatus.Released, 2), (CaseStatus.Repatriated, 1));
        await AggregateOnlyAsync(admin, grantee, minCellSize: 5);
        using var connection = grantee.Connect();

        var counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Status });
        var get = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("detained-0") }).ResponseAsync);

        Assert.Equal(new Dictionary<string, string> { ["CASE_STATUS_DETAINED"] = "7", ["CASE_STATUS_RELEASED"] = "suppressed", ["CASE_STATUS_REPATRIATED"] = "suppressed" }, Table(counts));
        Assert.Equal(10, counts.Total.Count);
        Assert.Equal(5, counts.MinCellSize);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Empty((await connection.Cases.PullAllAsync(grantee.Parent)).Changes);
    }

    [Fact]
    public async Task A_lone_small_cell_takes_a_second_cell_with_it_so_total_minus_the_rest_reveals_nothing()
    {
        var (owner, admin, grantee) = await GrantorWithAsync((CaseStatus.Detained, 8), (CaseStatus.Released, 2));
        await AggregateOnlyAsync(admin, grantee, minCellSize: 5);
        using var connection = grantee.Connect();

        var counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Status });

        Assert.Equal(10, counts.Total.Count);
        Assert.All(counts.Cells, c => Assert.True(c.Count.Suppressed, c.Key));
    }

    [Fact]
    public async Task A_small_total_is_suppressed_too_and_months_follow_the_agreements_precision()
    {
        var (owner, admin, grantee) = await GrantorWithAsync((CaseStatus.Detained, 3));
        await AggregateOnlyAsync(admin, grantee, minCellSize: 5, DatePrecision.Year);
        using var connection = grantee.Connect();

        var counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Month });

        Assert.True(counts.Total.Suppressed);
        Assert.Equal("2024", Assert.Single(counts.Cells).Key);
        Assert.True(counts.Cells[0].Count.Suppressed);
    }

    [Fact]
    public async Task Grouping_by_a_field_no_agreement_shows_is_refused_and_strangers_find_nothing()
    {
        var (owner, admin, grantee) = await GrantorWithAsync((CaseStatus.Detained, 6));
        using (var adminConnection = admin.Connect())
        {
            var agreement = Agreements.To(grantee, "events");
            agreement.AggregateOnly = true;
            await adminConnection.Sharing.CreateAgreementAsync(Agreements.Create(admin, agreement));
        }

        var stranger = await fixture.CreateClientAsync();
        using var connection = grantee.Connect();
        using var strangerConnection = stranger.Connect();

        var hidden = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Status }).ResponseAsync);
        var byRegion = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Region });
        var foreign = await Assert.ThrowsAsync<RpcException>(() => strangerConnection.Cases.CountCasesAsync(new CountCasesRequest { Parent = owner.Parent, GroupBy = CountDimension.Region }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, hidden.StatusCode);
        Assert.Equal("CN-LN", Assert.Single(byRegion.Cells).Key);
        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
    }
}

public sealed class SqliteCountTests(SqliteFixture fixture) : CountTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresCountTests(PostgresFixture fixture) : CountTests(fixture), IClassFixture<PostgresFixture>;

/// <summary>The suppression rules on their own, including the subtraction cases.</summary>
public sealed class SuppressionRuleTests
{
    [Theory]
    [InlineData(new long[] { 12, 3 }, 10, "s,s", false)]          // the lone small cell drags the other with it
    [InlineData(new long[] { 12, 3, 4 }, 10, "12,s,s", false)]    // two small cells already hide each other
    [InlineData(new long[] { 12, 11, 3 }, 10, "12,s,s", false)]   // the smallest other cell (11) is the second one withheld
    [InlineData(new long[] { 3, 2 }, 10, "s,s", true)]            // a total under k is withheld
    [InlineData(new long[] { 12, 15 }, 10, "12,15", false)]       // nothing small, nothing withheld
    [InlineData(new long[] { 1, 2 }, 0, "1,2", false)]            // k 0: own data, exact
    public void Cells_and_totals_are_withheld_as_the_rules_say(long[] counts, int k, string expected, bool totalWithheld)
    {
        var cells = counts.Select((c, i) => (Key: ((char)('a' + i)).ToString(), Count: c)).ToDictionary(c => c.Key, c => c.Count);

        var response = ServerCounts.Suppress(cells, counts.Sum(), k);

        var shown = string.Join(',', response.Cells.Select(c => c.Count.Suppressed ? "s" : c.Count.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, shown);
        Assert.Equal(totalWithheld, response.Total.Suppressed);
    }
}
