using System.Text.RegularExpressions;
using Google.Protobuf;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Hosting;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Sharing;

/// <summary>The example agreement in the README is real: it parses, the server accepts it, and the UN office sees what it says.</summary>
public sealed partial class ReadmeExampleTests(DemoFixture fixture) : IClassFixture<DemoFixture>
{
    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [Fact]
    public async Task Readme_example_agreement_is_accepted_and_shares_what_it_says()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"), TestContext.Current.CancellationToken);
        var request = JsonParser.Default.Parse<CreateAgreementRequest>(JsonBlock().Match(readme).Groups[1].Value);
        // The grantor's own tenant-admin creates it (the operator cannot).
        using var admin = fixture.Connect(PlatformFixture.ClientName("nkdb-demo", "admin"), ClientKey.Load(Path.Combine(fixture.DataDirectory, "demo", "nkdb-demo-admin.jwk")));

        var agreement = await admin.Sharing.CreateAgreementAsync(request);

        Assert.True(agreement.Live);
        using var un = fixture.Connect(PlatformFixture.ClientName("un-demo", "sync"), ClientKey.Load(Path.Combine(fixture.DataDirectory, "demo", "un-demo-sync.jwk")));
        var shared = (await un.Cases.PullAllAsync("tenants/un-demo")).Changes.Where(c => c.Name.StartsWith("tenants/nkdb-demo/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(shared);
        Assert.All(shared, c =>
        {
            Assert.Equal("", c.Record.Narrative);
            Assert.Equal("", c.Record.SubjectToken);
            Assert.Contains(c.Record.Status, new[] { CaseStatus.Detained, CaseStatus.Repatriated, CaseStatus.Imprisoned });
            Assert.Contains(c.Record.Events, e => e.Location.Region is "CN-LN" or "CN-JL");
            Assert.All(c.Record.Events, e => Assert.Equal(0, e.Date.Day));
        });
    }
}
