using System.CommandLine;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary>
/// <c>sharectl agreements create|list|revoke</c>: what the profile's tenant grants to partners, with readable
/// flags mapped onto the contract (<c>--purpose un_submission</c> is <c>PURPOSE_UN_SUBMISSION</c>).
/// </summary>
public static class AgreementsCommands
{
    private static readonly string[] Columns = ["id", "direction", "partner", "purpose", "fields", "valid_until", "live"];

    public static Command Create(CliApp.Runner run)
    {
        var agreements = new Command("agreements", "Create, list and revoke sharing agreements.");
        agreements.Subcommands.Add(CreateCommand(run));

        var direction = new Option<string>("--direction") { Description = "incoming, outgoing or both.", DefaultValueFactory = _ => "both" };
        direction.AcceptOnlyFromAmong("incoming", "outgoing", "both");
        var includeEnded = new Option<bool>("--include-ended") { Description = "Also list revoked and expired agreements." };
        var listTenant = TenantOption();
        var list = new Command("list", "List the agreements the tenant grants (outgoing) and receives (incoming).") { direction, includeEnded, listTenant };
        run.Action(list, async (context, cancellationToken) =>
        {
            var parent = AdminSupport.Parent(context, listTenant);
            var request = new ListAgreementsRequest
            {
                Parent = parent,
                IncludeEnded = context.Value(includeEnded),
                Direction = context.Value(direction) switch
                {
                    "incoming" => ListAgreementsRequest.Types.Direction.Incoming,
                    "outgoing" => ListAgreementsRequest.Types.Direction.Outgoing,
                    _ => ListAgreementsRequest.Types.Direction.Unspecified,
                },
            };
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var all = await Pages.AllAsync(
                token =>
                {
                    request.PageToken = token;
                    return connection.Sharing.ListAgreementsAsync(request, cancellationToken: cancellationToken).ResponseAsync;
                },
                page => page.Agreements, page => page.NextPageToken);
            context.Output.Resources($"Agreements of {parent}", Columns, all, a => Row(a, parent));
            return ExitCodes.Ok;
        });
        agreements.Subcommands.Add(list);

        var nameOrId = new Argument<string>("agreement") { Description = "The agreement's name (tenants/GRANTOR/agreements/ID) or its id under the profile's tenant." };
        var revoke = new Command("revoke", "Revoke an agreement at once: the grantee's next pull removes what it may no longer hold.") { nameOrId };
        run.Action(revoke, async (context, cancellationToken) =>
        {
            var given = context.Value(nameOrId).Trim();
            var name = given.Contains('/', StringComparison.Ordinal) ? given : $"{context.OwnParent}/agreements/{given}";
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var revoked = await connection.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = name }, cancellationToken: cancellationToken);
            Show(context, revoked, "Agreement revoked", context.OwnParent);
            return ExitCodes.Ok;
        });
        agreements.Subcommands.Add(revoke);
        return agreements;
    }

    private static Command CreateCommand(CliApp.Runner run)
    {
        var to = new Option<string>("--to") { Description = "The grantee's tenant slug.", Required = true };
        var fields = new Option<string>("--fields") { Description = "Comma-separated record fields the grantee sees, e.g. status,events,birth_year,origin_region.", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "rescue_coordination, documentation, un_submission or advocacy_statistics.", Required = true };
        var until = new Option<string>("--until") { Description = "Last day of sharing, yyyy-MM-dd (until the end of that day, UTC); at most 5 years ahead.", Required = true };
        var from = new Option<string?>("--from") { Description = "First day of sharing, yyyy-MM-dd (from the start of that day, UTC); default now." };
        var maxClassification = new Option<string?>("--max-classification") { Description = "Most sensitive records shared: public, restricted (default), confidential or strictly_confidential." };
        var statuses = new Option<string?>("--statuses") { Description = "Only records with these statuses, e.g. detained,repatriated." };
        var eventTypes = new Option<string?>("--event-types") { Description = "Only records with an event of these types, e.g. arrested,repatriated." };
        var regions = new Option<string?>("--regions") { Description = "Only records with an event in these ISO 3166-2 regions, e.g. CN-LN,CN-JL." };
        var precision = new Option<string?>("--date-precision") { Description = "How precisely dates are shown: day (default), month or year." };
        var linkage = new Option<bool>("--linkage") { Description = "Let the grantee see consortium subject tokens and link records across partners." };
        var aggregateOnly = new Option<bool>("--aggregate-only") { Description = "Counts only (CountCases), never records." };
        var minCellSize = new Option<int?>("--min-cell-size") { Description = "With --aggregate-only: counts below this are suppressed (5-1000; default 10)." };
        var tenant = TenantOption();
        var create = new Command("create", "Grant a partner some of this tenant's records.")
        {
            to, fields, purpose, until, from, maxClassification, statuses, eventTypes, regions, precision, linkage, aggregateOnly, minCellSize, tenant,
        };
        create.Description += Examples.Format(
            ("sharectl agreements create --to un-demo --purpose un_submission --fields status,events,birth_year --statuses detained --date-precision month --until 2027-06-30",
                "share detentions with the UN office at month precision until the end of June 2027"));
        run.Action(create, async (context, cancellationToken) =>
        {
            if (context.Value(minCellSize) is not null && !context.Value(aggregateOnly))
            {
                throw new CliException(ExitCodes.BadInput, "--min-cell-size applies only with --aggregate-only.");
            }

            var fieldList = AdminSupport.Split(context.Value(fields)).Select(SnakeCase).ToList();
            if (fieldList.Count == 0)
            {
                throw new CliException(ExitCodes.BadInput, "--fields: name at least one field, e.g. status,events.");
            }

            var agreement = new SharingAgreement
            {
                Grantee = "tenants/" + AdminSupport.Slug(context.Value(to)),
                Purpose = AdminSupport.ParseEnum<Purpose>("--purpose", context.Value(purpose)),
                Fields = new FieldMask { Paths = { fieldList } },
                Filter = new AgreementFilter
                {
                    Statuses = { AdminSupport.ParseEnums<CaseStatus>("--statuses", context.Value(statuses)) },
                    EventTypes = { AdminSupport.ParseEnums<EventType>("--event-types", context.Value(eventTypes)) },
                    Regions = { AdminSupport.Split(context.Value(regions)).Select(r => r.ToUpperInvariant()) },
                },
                Linkage = context.Value(linkage),
                AggregateOnly = context.Value(aggregateOnly),
                MinCellSize = context.Value(minCellSize) ?? 0,
                ValidUntil = Timestamp.FromDateTime(Day("--until", context.Value(until)).AddDays(1).AddSeconds(-1)),
            };
            if (context.Value(maxClassification) is { } classification)
            {
                agreement.Filter.MaxClassification = AdminSupport.ParseEnum<Classification>("--max-classification", classification);
            }

            if (context.Value(precision) is { } datePrecision)
            {
                agreement.DatePrecision = AdminSupport.ParseEnum<DatePrecision>("--date-precision", datePrecision);
            }

            if (context.Value(from) is { } start)
            {
                agreement.ValidFrom = Timestamp.FromDateTime(Day("--from", start));
            }

            var parent = AdminSupport.Parent(context, tenant);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var created = await connection.Sharing.CreateAgreementAsync(new CreateAgreementRequest { Parent = parent, Agreement = agreement, RequestId = Guid.NewGuid().ToString("N") }, cancellationToken: cancellationToken);
            context.Output.Resource("Agreement created", Columns, created, a => Row(a, parent));
            return ExitCodes.Ok;
        });
        return create;
    }

    private static Option<string?> TenantOption() => new("--tenant") { Description = "The tenant's slug (default: the profile's tenant; other tenants for a platform-admin)." };

    /// <summary>Midnight UTC of a <c>yyyy-MM-dd</c> day.</summary>
    private static DateTime Day(string option, string text)
    {
        var time = AdminSupport.ParseTime(option, text, out var dateOnly);
        return dateOnly ? time : throw new CliException(ExitCodes.BadInput, $"{option}: give a day as yyyy-MM-dd, e.g. 2027-06-30.");
    }

    /// <summary><c>birthYear</c> and <c>birth-year</c> become the contract's <c>birth_year</c>.</summary>
    private static string SnakeCase(string field)
    {
        var builder = new StringBuilder();
        foreach (var c in field.Replace('-', '_'))
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>One agreement as seen from <paramref name="viewer"/>: its id (the name is tenants/GRANTOR/agreements/ID) and the other party.</summary>
    private static string[] Row(SharingAgreement a, string viewer)
    {
        var outgoing = a.Grantor == viewer;
        return
        [
            AdminSupport.LastSegment(a.Name), outgoing ? "outgoing" : a.Grantee == viewer ? "incoming" : "-",
            outgoing ? AdminSupport.LastSegment(a.Grantee) : AdminSupport.LastSegment(a.Grantor), AdminSupport.EnumName(a.Purpose),
            string.Join(",", a.Fields?.Paths ?? []), AdminSupport.Time(a.ValidUntil), a.RevokeTime is not null ? "revoked" : a.Live ? "yes" : "no",
        ];
    }

    private static void Show(CliContext context, SharingAgreement agreement, string title, string viewer) =>
        context.Output.Resource(title, Columns, agreement, a => Row(a, viewer));
}
