using System.CommandLine;
using SharingPlatform.Cli.Cases;
using SharingPlatform.Client.Pseudonymization;
using SharingPlatform.Client.Sync;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary><c>sharectl cases ...</c>: push a file of cases (pseudonymized here), pull the shared view into a file, read and count.</summary>
public static class CasesCommands
{
    private const int ShownProblems = 20;

    public static Command Create(CliApp.Runner run)
    {
        var cases = new Command("cases", "Push, pull, read and count case records.");
        cases.Subcommands.Add(Push(run));
        cases.Subcommands.Add(Pull(run));
        cases.Subcommands.Add(Get(run));
        cases.Subcommands.Add(List(run));
        cases.Subcommands.Add(Retract(run));
        cases.Subcommands.Add(Stats(run));
        return cases;
    }

    private static Command Push(CliApp.Runner run)
    {
        var file = new Argument<FileInfo>("file") { Description = "A .csv or .jsonl file of cases with names and birth dates (see README)." };
        var linkageKey = KeyFileOption.Create("linkage", "The consortium linkage key; names and dates are turned into subject tokens with it, here.", earlierName: "--linkage-key");
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace records changed on the server since (conflicts) with this file's version." };
        var command = new Command("push", "Pseudonymize a file of cases locally and push it. Names and full birth dates never leave this machine.") { file, linkageKey, overwrite };
        command.Description += Examples.Format(
            ("sharectl cases push cases.csv --linkage-key-file linkage.key", "push a CSV; problems are listed by line, nothing sent while there are any"),
            ("sharectl cases push cases.jsonl --linkage-key-file linkage.key --output json", "the same for a script: counts and every problem as JSON"));
        run.Action(command, async (context, cancellationToken) =>
        {
            var profile = context.Profile;
            var rows = CaseFileReader.Read(context.Value(file).FullName);
            var pseudonymizer = new SubjectPseudonymizer(LoadLinkageKey(context.Value(linkageKey)));
            var (inputs, problems) = CaseInputMapper.Map(rows, profile.Tenant, pseudonymizer, DateTime.UtcNow.Year);
            if (problems.Count > 0)
            {
                // Nothing is sent while the file has problems: fix them and push the whole file again.
                context.Output.Rows("Problems (nothing was sent)", ["line", "field", "problem"], problems.Select(p => new[] { p.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Field, p.Message }));
                return ExitCodes.BadInput;
            }

            using var connection = context.Connect();
            var records = inputs.Select(i => i.Record).ToList();
            var results = (await context.Output.WithProgressAsync("Pushing", records.Count,
                progress => PushSync.PushAsync(connection.Cases, context.OwnParent, records, progress, cancellationToken))).ToList();
            if (context.Value(overwrite))
            {
                results = await OverwriteConflictsAsync(connection.Cases, context.OwnParent, records, results, cancellationToken);
            }

            var lines = inputs.ToDictionary(i => i.Record.Name, i => i.Line, StringComparer.Ordinal);
            Report(context.Output, results, lines);
            return results.Any(r => r.Outcome is PushOutcome.Rejected or PushOutcome.Conflict) ? ExitCodes.Partial : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<PushResult>> OverwriteConflictsAsync(CaseService.CaseServiceClient cases, string parent, List<CaseRecord> records, List<PushResult> results, CancellationToken cancellationToken)
    {
        var retry = results.Select((r, i) => (r, i)).Where(p => p.r.Outcome == PushOutcome.Conflict && p.r.Etag.Length > 0).ToList();
        if (retry.Count == 0)
        {
            return results;
        }

        var again = retry.Select(p => { var record = records[p.i].Clone(); record.Etag = p.r.Etag; return record; }).ToList();
        var second = await PushSync.PushAsync(cases, parent, again, cancellationToken: cancellationToken);
        for (var k = 0; k < retry.Count; k++)
        {
            results[retry[k].i] = second[k];
        }

        return results;
    }

    private static void Report(Output output, List<PushResult> results, Dictionary<string, int> lines)
    {
        var counts = Enum.GetValues<PushOutcome>().Where(o => o != PushOutcome.Unspecified)
            .ToDictionary(o => o.ToString().ToLowerInvariant(), o => results.Count(r => r.Outcome == o));
        var rejected = results.Where(r => r.Outcome is PushOutcome.Rejected or PushOutcome.Conflict).Select(r => new
        {
            line = lines.GetValueOrDefault(r.Name),
            outcome = r.Outcome.ToString().ToLowerInvariant(),
            field = r.Violation?.Field ?? "etag",
            reason = r.Violation?.Reason ?? "changed on the server since; pull, or push with --overwrite",
        }).ToList();
        if (output.Json)
        {
            output.Result(new { counts, problems = rejected }, "");
            return;
        }

        output.Rows("Push", [.. counts.Keys], [[.. counts.Values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))]]);
        if (rejected.Count > 0)
        {
            // People get the first rows; --output json lists every one.
            output.Rows("Not applied", ["line", "outcome", "field", "reason"], rejected.Take(ShownProblems).Select(r => new[] { r.line.ToString(System.Globalization.CultureInfo.InvariantCulture), r.outcome, r.field, r.reason }));
            if (rejected.Count > ShownProblems)
            {
                output.Out.WriteLine($"... and {rejected.Count - ShownProblems} more (use --output json for all).");
            }
        }
    }

    private static Command Pull(CliApp.Runner run)
    {
        var store = new Option<FileInfo?>("--store") { Description = "The SQLite file holding your view and its cursor; created on the first pull, then updated one message at a time." };
        var outFile = new Option<FileInfo?>("--out") { Description = "A .jsonl export of the view, one record per line, rewritten after the pull. Without --store the view is kept in FILE.db beside it." };
        var follow = new Option<bool>("--follow") { Description = "Once caught up, keep receiving new changes until Ctrl-C; reconnects by itself." };
        var command = new Command("pull", "Pull your records and those shared with you into a local view, incrementally; tombstones remove records.") { store, outFile, follow };
        command.Description += Examples.Format(
            ("sharectl cases pull --store view.db", "fetch what changed since the last pull"),
            ("sharectl cases pull --store view.db --out view.jsonl", "and export the view as JSONL"),
            ("sharectl cases pull --store view.db --follow --output json", "keep receiving changes until Ctrl-C (exit 130)"));
        run.Action(command, async (context, cancellationToken) =>
        {
            var export = context.Value(outFile)?.FullName;
            if (export is null && context.Value(store) is null)
            {
                throw new CliException(ExitCodes.BadInput, "give --store FILE (your view), --out FILE.jsonl (an export of it, the view then kept in FILE.jsonl.db), or both.");
            }

            // --out alone is how earlier versions were called: the view then lives beside the export.
            var storePath = context.Value(store)?.FullName ?? export + ".db";

            if (export == storePath)
            {
                throw new CliException(ExitCodes.BadInput, "--store and --out must be different files.");
            }

            using var connection = context.Connect();
            using var view = LocalView.Open(storePath);
            var pull = new ViewPull(context, view, export, ImportLegacyView(context.Output, view, export));
            if (context.Value(follow))
            {
                pull.Finish(await PullSync.FollowAsync(connection.Cases, context.OwnParent, view, pull.CaughtUpAsync, cancellationToken: cancellationToken));
                // A follow ends only when stopped: the view is saved, and scripts see Ctrl-C as they would from any program.
                return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
            }

            var summary = await context.Output.WithProgressAsync("Pulling", null,
                progress => PullSync.PullAsync(connection.Cases, context.OwnParent, view, progress, cancellationToken));
            pull.Export(summary);
            pull.Report(summary);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The view an earlier sharectl kept in the .jsonl itself (with FILE.jsonl.cursor) is taken over once, records then
    /// cursor, by a store that has never pulled; from then on the .jsonl is an export.
    /// </summary>
    private static int ImportLegacyView(Output output, LocalView view, string? export)
    {
        if (export is null || view.Cursor.Length > 0 || !LocalView.IsLegacyView(export))
        {
            return 0;
        }

        var imported = view.ImportLegacy(export);
        if (!output.Json)
        {
            output.Out.WriteLine($"Imported {imported} records and the cursor of the earlier view {export} into {view.Path}; the .jsonl is now an export of it.");
        }

        return imported;
    }

    private static Command Get(CliApp.Runner run)
    {
        var name = new Argument<string>("name") { Description = "tenants/{tenant}/cases/{case}, or just the case id for your own tenant." };
        var command = new Command("get", "Show one record.") { name };
        run.Action(command, async (context, cancellationToken) =>
        {
            using var connection = context.Connect();
            var record = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = Qualify(context, context.Value(name)) }, cancellationToken: cancellationToken);
            context.Output.Message(record, record.Name);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliApp.Runner run)
    {
        var tenant = new Option<string?>("--tenant") { Description = "A grantor sharing with you (default: your own tenant)." };
        var status = new Option<string?>("--status") { Description = "Only this status, e.g. detained." };
        var region = new Option<string?>("--region") { Description = "Only events in this region, e.g. CN-LN." };
        var limit = new Option<int>("--limit") { Description = "Most records to show; pages are followed until then or the end.", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List records.") { tenant, status, region, limit };
        run.Action(command, async (context, cancellationToken) =>
        {
            using var connection = context.Connect();
            var request = new ListCasesRequest { Parent = context.Value(tenant) is { } t ? "tenants/" + t : context.OwnParent };
            if (context.Value(status) is { } s)
            {
                request.Statuses.Add(CaseInputMapper.Enum<CaseStatus>(CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == "CaseStatus"), "CASE_STATUS_", s, "status", (_, m) => throw new CliException(ExitCodes.BadInput, "--status " + m)));
            }

            if (context.Value(region) is { } r)
            {
                request.Regions.Add(r);
            }

            // A page may be short, even empty, while more follow (each call examines a bounded number of records).
            var (shown, wanted) = (new List<CaseRecord>(), Math.Max(1, context.Value(limit)));
            do
            {
                request.PageSize = Math.Min(wanted - shown.Count, 1000);
                var page = await connection.Cases.ListCasesAsync(request, cancellationToken: cancellationToken);
                shown.AddRange(page.Cases.Take(wanted - shown.Count));
                request.PageToken = page.NextPageToken;
            }
            while (shown.Count < wanted && request.PageToken.Length > 0);

            context.Output.Resources("Cases", ["name", "status", "events", "updated"], shown, c => new[]
            {
                c.Name, AdminSupport.EnumName(c.Status), c.Events.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), AdminSupport.Time(c.UpdateTime),
            });
            if (request.PageToken.Length > 0 && !context.Output.Json)
            {
                context.Output.Out.WriteLine($"More records follow; raise --limit (now {wanted}) to see them.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Retract(CliApp.Runner run)
    {
        var name = new Argument<string>("name") { Description = "tenants/{tenant}/cases/{case}, or just the case id." };
        var command = new Command("retract", "Retract a record: it is erased on the server and every puller deletes its copy.") { name };
        run.Action(command, async (context, cancellationToken) =>
        {
            using var connection = context.Connect();
            var response = await connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = Qualify(context, context.Value(name)) }, cancellationToken: cancellationToken);
            context.Output.Result(new { retracted = response.Tombstone.Name }, $"Retracted {response.Tombstone.Name}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Stats(CliApp.Runner run)
    {
        var tenant = new Option<string?>("--tenant") { Description = "A grantor sharing with you (default: your own tenant)." };
        var by = new Option<string>("--by") { Description = "status, month, region or event_type.", DefaultValueFactory = _ => "status" };
        var command = new Command("stats", "Count records by one dimension; small counts of shared data are suppressed.") { tenant, by };
        run.Action(command, async (context, cancellationToken) =>
        {
            using var connection = context.Connect();
            var dimension = CaseInputMapper.Enum<CountDimension>(CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == "CountDimension"), "COUNT_DIMENSION_", context.Value(by), "by",
                (_, m) => throw new CliException(ExitCodes.BadInput, "--by " + m));
            var counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = context.Value(tenant) is { } t ? "tenants/" + t : context.OwnParent, GroupBy = dimension }, cancellationToken: cancellationToken);
            string Show(CountValue v) => v.Suppressed ? "suppressed" : v.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (context.Output.Json)
            {
                context.Output.Message(counts, "Counts");
                return ExitCodes.Ok;
            }

            context.Output.Rows($"Counts by {context.Value(by)} (total {Show(counts.Total)})", ["key", "count"], counts.Cells.Select(c => new[] { ReadableKey(c.Key), Show(c.Count) }));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A cell's key in a table: a status or event type by its short lower-case name (<c>detained</c>), a month or region as it is.</summary>
    private static string ReadableKey(string key) =>
        Enum.GetValues<CaseStatus>().Cast<Enum>().Concat(Enum.GetValues<EventType>().Cast<Enum>())
            .FirstOrDefault(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0 && AdminSupport.ContractName(v) == key) is { } value
            ? AdminSupport.EnumName(value)
            : key;

    private static string Qualify(CliContext context, string name) => name.StartsWith("tenants/", StringComparison.Ordinal) ? name : $"{context.OwnParent}/cases/{name}";

    private static LinkageKey LoadLinkageKey(FileInfo file)
    {
        try
        {
            return LinkageKey.Load(file.FullName);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.BadInput, $"--linkage-key-file: {e.Message}");
        }
    }
}
