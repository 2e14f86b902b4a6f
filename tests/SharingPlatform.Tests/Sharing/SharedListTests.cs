extern alias server;

using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using CaseQuery = server::SharingPlatform.Server.Cases.CaseQuery;

namespace SharingPlatform.Tests.Sharing;

/// <summary>
/// ListCases on a shared view is filtered by the database and examines a bounded number of stored rows per call: a
/// view that shows few of many rows comes in short pages that carry a token, and following the tokens lists every
/// visible record exactly once, in order, and nothing hidden.
/// </summary>
public abstract class SharedListTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_sparse_shared_view_pages_through_the_scan_budget_and_lists_every_visible_record_once()
    {
        var p = await SharingParties.CreateAsync(fixture);
        using (var owner = p.GrantorSync.Connect())
        {
            // 10 visible, then more hidden rows than one call examines, then 30 visible.
            var records = Enumerable.Range(0, 10).Select(i => Records.Valid(p.GrantorSync.CaseName($"a-{i}"), CaseStatus.Detained))
                .Concat(Enumerable.Range(0, CaseQuery.ScanBudget + 200).Select(i => Records.Valid(p.GrantorSync.CaseName($"h-{i}"), CaseStatus.Released)))
                .Concat(Enumerable.Range(0, 30).Select(i => Records.Valid(p.GrantorSync.CaseName($"z-{i}"), CaseStatus.Detained)));
            foreach (var chunk in records.Chunk(500))
            {
                var response = await owner.Cases.PushCasesAsync(Records.Push(p.GrantorSync, chunk));
                Assert.All(response.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
            }
        }

        var agreement = Agreements.To(p.Grantee);
        agreement.Filter = new AgreementFilter { Statuses = { CaseStatus.Detained } };
        using (var admin = p.GrantorAdmin.Connect())
        {
            await admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, agreement));
        }

        using var grantee = p.Grantee.Connect();
        var pages = new List<ListCasesResponse>();
        var token = "";
        do
        {
            Assert.True(pages.Count < 10, "the listing does not end");
            var page = await grantee.Cases.ListCasesAsync(new ListCasesRequest { Parent = p.GrantorSync.Parent, PageSize = 100, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var listed = pages.SelectMany(page => page.Cases.Select(c => c.Name)).ToList();
        var expected = Enumerable.Range(0, 10).Select(i => $"a-{i}").Concat(Enumerable.Range(0, 30).Select(i => $"z-{i}")).Select(p.GrantorSync.CaseName);
        Assert.Equal(expected.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        // The first call stops at the budget: it shows the 10 it found and a token to go on.
        Assert.True(pages.Count >= 2);
        Assert.Equal(10, pages[0].Cases.Count);
        Assert.NotEmpty(pages[0].NextPageToken);
    }
}

public sealed class SqliteSharedListTests(SqliteFixture fixture) : SharedListTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresSharedListTests(PostgresFixture fixture) : SharedListTests(fixture), IClassFixture<PostgresFixture>;
