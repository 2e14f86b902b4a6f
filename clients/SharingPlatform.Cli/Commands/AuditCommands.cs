using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SharingPlatform.Client.Audit;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary>
/// <c>sharectl audit list|checkpoint|export|verify</c>: read the audit log, keep signed checkpoints, export the chain
/// and verify it offline against a pinned key, trusting nothing the server says about it.
/// </summary>
public static class AuditCommands
{
    public static Command Create(CliApp.Runner run)
    {
        var audit = new Command("audit", "Read, export and verify the tamper-evident audit log (auditor, platform-auditor).");
        audit.Subcommands.Add(ListCommand(run));

        var checkpointOut = new Option<FileInfo>("--out") { Description = "Where to keep the signed checkpoint (never overwritten: a kept checkpoint is evidence).", Required = true };
        var checkpoint = new Command("checkpoint", "Fetch the current signed checkpoint and keep it offline.") { checkpointOut };
        run.Action(checkpoint, async (context, cancellationToken) =>
        {
            var path = context.Value(checkpointOut).FullName;
            if (File.Exists(path))
            {
                throw new CliException(ExitCodes.BadInput, $"{path} exists; a kept checkpoint is never overwritten. Choose another path.");
            }

            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var signed = await connection.Audit.GetCheckpointAsync(new GetCheckpointRequest(), cancellationToken: cancellationToken);
            await WriteAsync(path, replace: false, writer => writer.WriteLineAsync(Output.FormatJson(signed).AsMemory(), cancellationToken));
            var (size, head) = (signed.Checkpoint.Size, Output.Hash(signed.Checkpoint.HeadHash));
            context.Output.Result(new { file = path, size, headHash = head, time = AdminSupport.Rfc3339(signed.Checkpoint.Time) },
                $"Checkpoint written to {path}\nSize: {size} events\nHead: {head}\nTime: {AdminSupport.Time(signed.Checkpoint.Time)}");
            return ExitCodes.Ok;
        });
        audit.Subcommands.Add(checkpoint);

        var exportOut = new Option<FileInfo>("--out") { Description = "Where to write the events, one JSON object a line (replaced only once the export completes).", Required = true };
        var from = new Option<long>("--from") { Description = "First sequence to export (default 1; verification needs the chain from 1).", DefaultValueFactory = _ => 1 };
        var export = new Command("export", "Export the chain with its hashes, for offline verification.") { exportOut, from };
        run.Action(export, async (context, cancellationToken) =>
        {
            var path = context.Value(exportOut).FullName;
            var start = context.Value(from) is >= 1 and var value ? value : throw new CliException(ExitCodes.BadInput, "--from: sequences start at 1.");
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            long count = 0, first = 0, last = 0;
            await WriteAsync(path, replace: true, async writer =>
            {
                using var call = connection.Audit.ExportAuditEvents(new ExportAuditEventsRequest { StartSequence = start }, cancellationToken: cancellationToken);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken).SelectMany(m => m.Events.ToAsyncEnumerable()))
                {
                    await writer.WriteLineAsync(Output.FormatJson(e).AsMemory(), cancellationToken);
                    first = count++ == 0 ? e.Sequence : first;
                    last = e.Sequence;
                }
            });
            context.Output.Result(new { file = path, events = count, firstSequence = first, lastSequence = last }, $"Exported {count} events (sequences {first}..{last}) to {path}");
            return ExitCodes.Ok;
        });
        audit.Subcommands.Add(export);
        audit.Subcommands.Add(VerifyCommand(run));
        return audit;
    }

    private static Command ListCommand(CliApp.Runner run)
    {
        var actorTenant = new Option<string?>("--actor-tenant") { Description = "Only events by clients of this tenant (slug)." };
        var actorClient = new Option<string?>("--actor-client") { Description = "Only events by this client id." };
        var action = new Option<string?>("--action") { Description = "Only this action, e.g. sharing.v1.CaseService/GetCase or token.issue." };
        var resource = new Option<string?>("--resource") { Description = "Only events naming this resource or resources under it, e.g. tenants/nkdb-demo/cases/." };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time: yyyy-MM-dd (UTC) or ISO 8601." };
        var until = new Option<string?>("--until") { Description = "Only events before this time; a yyyy-MM-dd day includes that whole day (UTC)." };
        var limit = new Option<int>("--limit") { Description = "Most events to show, oldest first (default 100).", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List audit events, oldest first; narrow with the filters.") { actorTenant, actorClient, action, resource, since, until, limit };
        run.Action(list, async (context, cancellationToken) =>
        {
            var max = context.Value(limit) is >= 1 and var value ? value : throw new CliException(ExitCodes.BadInput, "--limit must be at least 1.");
            var request = new ListAuditEventsRequest
            {
                ActorTenant = context.Value(actorTenant) ?? "", ActorClient = context.Value(actorClient) ?? "", Action = context.Value(action) ?? "", Resource = context.Value(resource) ?? "",
                StartTime = context.Value(since) is { } start ? Timestamp.FromDateTime(AdminSupport.ParseTime("--since", start, out _)) : null,
                EndTime = context.Value(until) is { } end ? Timestamp.FromDateTime(AdminSupport.ParseTime("--until", end, out var day).AddDays(day ? 1 : 0)) : null,
            };
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var events = new List<AuditEvent>();
            do
            {
                request.PageSize = Math.Min(max - events.Count, 1000);
                var page = await connection.Audit.ListAuditEventsAsync(request, cancellationToken: cancellationToken);
                events.AddRange(page.Events.Take(max - events.Count));
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0 && events.Count < max);

            context.Output.Resources("Audit events", ["sequence", "time", "actor_tenant", "actor_client", "action", "resources", "purpose", "outcome"], events, Row);
            return ExitCodes.Ok;
        });
        return list;
    }

    private static string[] Row(AuditEvent e) => e.Redacted
        ? [e.Sequence.ToString(CultureInfo.InvariantCulture), "", "", "", "(redacted)", "", "", ""]
        : [e.Sequence.ToString(CultureInfo.InvariantCulture), AdminSupport.Time(e.Time), e.ActorTenant, e.ActorClient, e.Action, string.Join(" ", e.Resources), e.Purpose, e.Outcome];

    private static Command VerifyCommand(CliApp.Runner run)
    {
        var eventsFile = new Option<FileInfo>("--events") { Description = "An export from `sharectl audit export` (from sequence 1).", Required = true };
        var key = KeyFileOption.Create(null, "The pinned audit public key: a JWK file, or a checkpoint file whose publicJwk you pinned.", earlierName: "--key");
        var kept = new Option<FileInfo[]>("--kept")
        {
            Description = "A checkpoint kept earlier: the export must reach it with the same head. Repeat for several; more narrow where a rewrite lies.",
        };
        var latest = new Option<FileInfo?>("--latest") { Description = "The checkpoint fetched now: the export must agree with it." };
        var verify = new Command("verify", "Verify an exported chain offline (no server): every digest, link and checkpoint signature.") { eventsFile, key, kept, latest };
        verify.Description += Examples.Format(
            ("sharectl audit verify --events audit.jsonl --key-file pinned-audit.jwk --kept checkpoint-2026-11.json",
                "check the export against the pinned key and a checkpoint kept earlier; exit 6 if anything was rewritten"));
        run.Action(verify, (context, _) =>
        {
            var file = context.Value(eventsFile);
            var events = File.ReadLines(Existing(file, "--events")).Select((line, index) => (line, index)).Where(l => !string.IsNullOrWhiteSpace(l.line))
                .Select(l => Parse<AuditEvent>(l.line, $"--events: line {l.index + 1} of {file.FullName}", "an audit event")).ToList();
            var publicJwk = PinnedKey(context.Value(key));
            var keptCheckpoints = (context.Value(kept) ?? []).Select(keptFile => ReadCheckpoint(keptFile, "--kept")).ToList();
            var latestCheckpoint = context.Value(latest) is { } latestFile ? ReadCheckpoint(latestFile, "--latest") : null;
            AuditVerification result;
            try
            {
                result = AuditVerifier.Verify(events, publicJwk, keptCheckpoints, latestCheckpoint);
            }
            catch (ArgumentException e)
            {
                throw new CliException(ExitCodes.BadInput, $"--key-file: {e.Message}");
            }

            var json = new
            {
                intact = result.Intact, events = events.Count, verifiedSize = result.VerifiedSize, firstBadSequence = result.FirstBadSequence,
                firstBadFrom = result.FirstBadFrom, firstBadTo = result.FirstBadTo, problem = result.Problem,
            };
            if (!result.Intact)
            {
                if (context.Output.Json)
                {
                    context.Output.Result(json, "");
                }

                throw new CliException(ExitCodes.VerificationFailed, Failure(result));
            }

            var anchor = keptCheckpoints.Count == 0 && latestCheckpoint is null ? " No checkpoint given: that proves only that the export is consistent in itself; pass --kept." : "";
            context.Output.Result(json, $"Intact: {events.Count} events verified against the pinned key.{anchor}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return verify;
    }

    /// <summary>What a failed verification knows, and no more: a sequence when one is named, otherwise the range a head hash leaves, or none.</summary>
    private static string Failure(AuditVerification result) => result switch
    {
        { FirstBadSequence: { } sequence } => $"first bad sequence {sequence}: {result.Problem} ({sequence - 1} events before it fit).",
        { FirstBadFrom: 0 } => $"{result.Problem}: no event is shown to be bad ({result.VerifiedSize} events chain together), but that checkpoint cannot vouch for them.",
        _ => $"first bad sequence between {result.FirstBadFrom} and {result.FirstBadTo}, not known more closely (a checkpoint holds only the hash of its head): "
            + $"{result.Problem} (the first {result.VerifiedSize} events chain together; keeping checkpoints more often narrows the range).",
    };

    private static SignedCheckpoint ReadCheckpoint(FileInfo file, string option) =>
        Parse<SignedCheckpoint>(File.ReadAllText(Existing(file, option)), $"{option}: {file.FullName}", "a signed checkpoint");

    /// <summary>The pinned key: a JWK file as is, or the <c>public_jwk</c> of a checkpoint file.</summary>
    private static string PinnedKey(FileInfo file)
    {
        var text = File.ReadAllText(Existing(file, "--key-file"));
        if (ClientsCommands.JsonProperties(text)?.Contains("kty") == true)
        {
            return text;
        }

        return Parse<SignedCheckpoint>(text, $"--key-file: {file.FullName}", "a JWK or a signed checkpoint").PublicJwk is { Length: > 0 } jwk
            ? jwk
            : throw new CliException(ExitCodes.BadInput, $"--key-file: the checkpoint in {file.FullName} carries no publicJwk.");
    }

    private static T Parse<T>(string json, string where, string what)
        where T : IMessage<T>, new()
    {
        try
        {
            return ProtoJson.Parse<T>(json);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or System.Text.Json.JsonException)
        {
            throw new CliException(ExitCodes.BadInput, $"{where} is not {what}: {e.Message}");
        }
    }

    private static string Existing(FileInfo file, string option) =>
        file.Exists ? file.FullName : throw new CliException(ExitCodes.BadInput, $"{option}: no file at {file.FullName}.");

    /// <summary>Writes an owner-only file (events name partners' resources) through a temporary one, so a failure never leaves half a file.</summary>
    private static async Task WriteAsync(string path, bool replace, Func<StreamWriter, Task> write)
    {
        var temporary = $"{path}.partial-{Guid.NewGuid():N}";
        try
        {
            await using (var writer = new StreamWriter(OwnerOnly.CreateNew(temporary)) { NewLine = "\n" })
            {
                await write(writer);
            }

            File.Move(temporary, path, replace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInput, $"Cannot write {path}: {e.Message}");
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
