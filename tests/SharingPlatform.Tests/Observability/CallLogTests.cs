using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Tests.Hosting;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Observability;

/// <summary>
/// A whole partner's day through the real surface, with the log levels the server ships with and every line of every
/// category kept: each call leaves one line under SharingPlatform.Calls with its method, status, client and tenant,
/// a refused token one line with its OAuth error, and nothing sent (names, tokens, narrative, assertions) is in any line.
/// </summary>
public sealed class CallLogTests(ShippedLoggingFixture fixture) : IClassFixture<ShippedLoggingFixture>
{
    [Fact]
    public async Task Every_call_is_logged_once_without_anything_it_carried()
    {
        var cancel = TestContext.Current.CancellationToken;
        var parties = await SharingParties.CreateAsync(fixture);
        var auditor = await fixture.CreateClientAsync(parties.GrantorSync.TenantSlug, "auditor");
        var sent = new List<string>();

        using var grantor = parties.GrantorSync.Connect();
        sent.Add(await grantor.Tokens.GetTokenAsync(cancel));
        var records = Enumerable.Range(0, 2).Select(_ => Records.Valid(parties.GrantorSync.CaseName("mk" + Guid.NewGuid().ToString("N")[..12]))).ToList();
        foreach (var record in records)
        {
            record.Narrative = "Seen near the river crossing by " + Letters();
            record.Events[0].Location.Facility = "Camp " + Letters();
            sent.AddRange([record.Name, record.Name.Split('/')[^1], record.SubjectToken, record.Narrative, record.Events[0].Location.Facility]);
        }

        var push = Records.Push(parties.GrantorSync, [.. records]);
        sent.Add(push.RequestId);
        var pushed = await grantor.Cases.PushCasesAsync(push, cancellationToken: cancel);
        Assert.All(pushed.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
        await parties.GrantAsync();
        await grantor.Cases.GetCaseAsync(new GetCaseRequest { Name = records[0].Name }, cancellationToken: cancel);

        using (var grantee = parties.Grantee.Connect())
        {
            sent.Add(await grantee.Tokens.GetTokenAsync(cancel));
            using var pull = grantee.Cases.PullChanges(new PullChangesRequest { Parent = parties.Grantee.Parent }, cancellationToken: cancel);
            while (await pull.ResponseStream.MoveNext(cancel))
            {
                sent.Add(pull.ResponseStream.Current.NextCursor);
            }

            // A following pull that ends at its deadline, and a call refused as not visible.
            using var follow = grantee.Cases.PullChanges(new PullChangesRequest { Parent = parties.Grantee.Parent, Follow = true },
                deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: cancel);
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                while (await follow.ResponseStream.MoveNext(cancel))
                {
                }

                throw new RpcException(Status.DefaultCancelled);
            });
            var hidden = parties.Grantee.CaseName("mk" + Guid.NewGuid().ToString("N")[..12]);
            sent.Add(hidden);
            var refused = await Assert.ThrowsAsync<RpcException>(() => grantee.Cases.GetCaseAsync(new GetCaseRequest { Name = hidden }, cancellationToken: cancel).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        }

        using (var audit = auditor.Connect())
        {
            await AuditReader.AllAsync(audit);
            await audit.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), cancellationToken: cancel);
        }

        // A refused token: a registered client's id with an assertion signed by a key it does not have.
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k" + Guid.NewGuid().ToString("N") };
        var assertion = Tokens.Assertion(parties.Grantee.ClientId, stranger);
        sent.Add(assertion);
        var (status, _) = await Tokens.RequestWithAssertionAsync(fixture, assertion);
        Assert.Equal(400, status);

        // A call's line is written once its answer has left, so the last ones may land just after the client has it.
        var calls = await LinesAsync(() => fixture.Logs.Lines.Where(l => l.Category == "SharingPlatform.Calls").ToList(),
            lines => lines.Count(l => l.Message.StartsWith("sharing.v1.CaseService/PullChanges ", StringComparison.Ordinal)) >= 2
                && lines.Any(l => l.Message.StartsWith("token refused ", StringComparison.Ordinal)));
        Assert.Contains(calls, l => l.Message.StartsWith($"sharing.v1.CaseService/PushCases OK - in ", StringComparison.Ordinal)
            && l.Message.EndsWith($"client {parties.GrantorSync.ClientId}, tenant {parties.GrantorSync.TenantSlug}", StringComparison.Ordinal));
        Assert.Contains(calls, l => l.Message.StartsWith("sharing.v1.CaseService/GetCase NOT_FOUND NOT_FOUND in ", StringComparison.Ordinal)
            && l.Message.EndsWith($"client {parties.Grantee.ClientId}, tenant {parties.Grantee.TenantSlug}", StringComparison.Ordinal));
        Assert.Equal(2, calls.Count(l => l.Message.StartsWith("sharing.v1.CaseService/PullChanges ", StringComparison.Ordinal)
            && l.Message.EndsWith($"client {parties.Grantee.ClientId}, tenant {parties.Grantee.TenantSlug}", StringComparison.Ordinal)));
        Assert.Contains(calls, l => l.Message.StartsWith("sharing.v1.SharingService/CreateAgreement OK", StringComparison.Ordinal));
        Assert.Contains(calls, l => l.Message.StartsWith("sharing.v1.AuditService/VerifyAuditChain OK", StringComparison.Ordinal));
        Assert.Contains(calls, l => l.Message.StartsWith("token 200 - in ", StringComparison.Ordinal)
            && l.Message.EndsWith($"client {parties.GrantorSync.ClientId}, tenant {parties.GrantorSync.TenantSlug}", StringComparison.Ordinal));
        Assert.Contains(calls, l => l.Message.StartsWith("token refused 400 invalid_client in ", StringComparison.Ordinal)
            && l.Message.EndsWith($"client {parties.Grantee.ClientId}, tenant {parties.Grantee.TenantSlug}", StringComparison.Ordinal));
        Assert.Single(calls, l => l.Message.StartsWith("sharing.v1.AuditService/VerifyAuditChain ", StringComparison.Ordinal));

        var leaks = fixture.Logs.Lines.SelectMany(l => sent.Where(v => l.Text.Contains(v, StringComparison.OrdinalIgnoreCase)).Select(v => $"{l.Category}: {l.Text}")).ToList();
        Assert.True(leaks.Count == 0, "logged: " + string.Join(" | ", leaks));
    }

    private static async Task<List<LogCapture.Line>> LinesAsync(Func<List<LogCapture.Line>> read, Func<List<LogCapture.Line>, bool> complete)
    {
        for (var tries = 0; ; tries++)
        {
            var lines = read();
            if (complete(lines) || tries == 50)
            {
                return lines;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Random letters: free text the identifier guard accepts (it refuses digit runs).</summary>
    private static string Letters() => string.Concat(RandomNumberGenerator.GetBytes(12).Select(b => (char)('a' + (b % 26))));
}
