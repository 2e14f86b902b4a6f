using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// One PullChanges call walks a bounded stretch of the change sequence (Feed:ScanBudget, 4,000 positions here): a
/// longer walk ends with caught_up false and a cursor to go on from, and going on delivers every change exactly once,
/// also when the stretch walked held nothing for the caller.
/// </summary>
public abstract class FeedBudgetTests(PlatformFixture fixture)
{
    public const int Budget = 4000;

    private static async Task PushAsync(TestClient owner, string prefix, int count, CaseStatus status = CaseStatus.Detained)
    {
        using var connection = owner.Connect();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            var response = await connection.Cases.PushCasesAsync(Records.Push(owner, [.. chunk.Select(i => Records.Valid(owner.CaseName($"{prefix}-{i}"), status))]));
            Assert.All(response.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
        }
    }

    /// <summary>Pulls until caught up, a call at a time; every call stays within the budget.</summary>
    private static async Task<(List<string> Names, string Cursor, int Calls)> PullToEndAsync(TestClient client, string cursor)
    {
        using var connection = client.Connect();
        var (names, calls) = (new List<string>(), 0);
        for (var caughtUp = false; !caughtUp; calls++)
        {
            Assert.True(calls < 50, "the pull does not end");
            (var changes, cursor, caughtUp) = await connection.Cases.PullAllAsync(client.Parent, cursor);
            Assert.InRange(changes.Count, 0, Budget);
            names.AddRange(changes.Select(c => c.Name));
        }

        return (names, cursor, calls);
    }

    [Fact]
    public async Task A_pull_longer_than_the_budget_ends_early_and_going_on_delivers_every_change_once()
    {
        var owner = await fixture.CreateClientAsync();
        await PushAsync(owner, "r", 10_000);
        var (names, _, calls) = await PullToEndAsync(owner, "");

        Assert.Equal(10_000, names.Count);
        Assert.Equal(10_000, names.Distinct(StringComparer.Ordinal).Count());
        Assert.True(calls >= 3, $"{calls} calls walked 10,000 positions with a budget of {Budget}");
    }

    [Fact]
    public async Task A_grantee_walking_a_stretch_of_hidden_records_gets_no_change_and_a_cursor_past_it()
    {
        var p = await SharingParties.CreateAsync(fixture);
        await p.GrantAsync([CaseStatus.Detained]);
        using var grantee = p.Grantee.Connect();
        var (_, cursor, _) = await PullToEndAsync(p.Grantee, "");
        await PushAsync(p.GrantorSync, "hidden", Budget + 1000, CaseStatus.Released);
        await PushAsync(p.GrantorSync, "shared", 5);

        var (first, afterFirst, firstCaughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, cursor);
        var (rest, _, caughtUp) = await grantee.Cases.PullAllAsync(p.Grantee.Parent, afterFirst);

        Assert.Empty(first);
        Assert.False(firstCaughtUp);
        Assert.True(caughtUp);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => p.GrantorSync.CaseName($"shared-{i}")), rest.Select(c => c.Name));
    }
}

public sealed class SqliteSmallFeedBudgetFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:ScanBudget", FeedBudgetTests.Budget.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class PostgresSmallFeedBudgetFixture : PostgresFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:ScanBudget", FeedBudgetTests.Budget.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class SqliteFeedBudgetTests(SqliteSmallFeedBudgetFixture fixture) : FeedBudgetTests(fixture), IClassFixture<SqliteSmallFeedBudgetFixture>;

public sealed class PostgresFeedBudgetTests(PostgresSmallFeedBudgetFixture fixture) : FeedBudgetTests(fixture), IClassFixture<PostgresSmallFeedBudgetFixture>;
